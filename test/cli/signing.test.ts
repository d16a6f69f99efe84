import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import { expectOneCleanLine, REPO_ROOT, runCli, startCli } from '../helpers/cli.js';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';
import { DEMO_HOME } from '../helpers/sim-flight.js';

const HEX = 'c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-signing-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const children: ReturnType<typeof startCli>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

function keyFile(name: string, content: string, mode = 0o600): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
  return file;
}

describe('--signing-key', () => {
  it('refuses a bad key file in one line naming it, before connecting, on every command', async () => {
    const bad = keyFile('bad.key', `${HEX.slice(2)}\n`);
    const commands = [
      ['status', '--connect', 'udpout://127.0.0.1:9'],
      ['mission', 'download', '--connect', 'udpout://127.0.0.1:9'],
      ['fly', 'missions/demo.plan', '--connect', 'udpout://127.0.0.1:9'],
      ['sim', '--connect', 'udpout://127.0.0.1:9'],
      ['signing', 'setup', '--connect', 'udpout://127.0.0.1:9'],
    ];
    for (const args of commands) {
      const r = await runCli([...args, '--signing-key', bad], 15_000);
      expect(r.code, args.join(' ')).toBe(1);
      expectOneCleanLine(r.stderr, { alone: true });
      expect(r.stderr).toContain(`dustpatrol: ${bad}: a hex signing key has 64 digits, this one 62`);
    }
  });

  it('gives the simulator the key with `signing setup`; a later signed `status` reads it with counters', async () => {
    const key = keyFile('drone.key', `${HEX}\n`);
    const port = await freeUdpPort();
    children.push(startCli(['sim', '--connect', `udpin://127.0.0.1:${port}`, '--speedup', '20']));
    const url = `udpout://127.0.0.1:${port}`;

    const setup = await runCli(['signing', 'setup', '--connect', url, '--signing-key', key], 30_000);

    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    expect(setup.stdout).toMatch(
      new RegExp(
        `vehicle 1/1 on ${url} signs with the key of ${key} and answers signed requests \\(1 try\\)`,
      ),
    );

    // A new process, from a new port: its first packets are behind the timestamps the vehicle has
    // seen on its stream (a minute ahead, as ArduPilot starts after SETUP_SIGNING) until it hears it.
    const status = await runCli(
      ['status', '--connect', url, '--signing-key', key, '--duration', '2', '--json'],
      30_000,
    );
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    const last = JSON.parse(status.stdout.trim().split('\n').at(-1) as string);
    expect(last).toMatchObject({ sysid: 1, modeName: 'STABILIZE' });
    expect(last.link).toMatchObject({ unsignedPackets: 0, badSignatures: 0, staleSignatures: 0 });
    expect(last.link.packetsIn).toBeGreaterThan(10);
  }, 60_000);

  it('warns in one line when the key file is readable by others, and uses it', async () => {
    const open = keyFile('open.key', HEX, 0o644);
    const r = await runCli([
      'sim',
      '--connect',
      'udpout://127.0.0.1:9',
      '--signing-key',
      open,
      '--duration',
      '1',
    ]);
    expect(r.code).toBe(0);
    // Its live status line goes to stderr too.
    expect(r.stderr.match(/warning:/g)).toHaveLength(1);
    expect(r.stderr).toContain(
      `warning: ${open}: the signing key is readable by group or others (mode 644); chmod 600 it\n`,
    );
    expect(r.stdout).toContain(`signing with the key of ${open}`);
  });

  it("is the daemon's per-vehicle signingKeyFile, a bad one refused naming the config and the field", async () => {
    keyFile('daemon.key', 'passphrase:\n');
    const config = path.join(dir, 'serve.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        listen: { host: '127.0.0.1', port: 0 },
        tokens: [{ token: 'viewer-0123456789abcdef', role: 'viewer' }],
        sites: [path.join(REPO_ROOT, 'missions/demo-sites.geojson')],
        db: 'alerts.db',
        vehicles: [{ id: 'drone-1', connect: 'udpout://127.0.0.1:9', signingKeyFile: 'daemon.key' }],
      }),
    );
    const r = await runCli(['serve', '--config', config], 30_000);
    expect(r.code).toBe(1);
    expectOneCleanLine(r.stderr, { alone: true });
    expect(r.stderr).toContain(
      `dustpatrol: ${config}: vehicles[0].signingKeyFile: ${path.join(dir, 'daemon.key')}: the passphrase after 'passphrase:' is empty`,
    );
  });

  it("signs the daemon's link to a vehicle with its signingKeyFile", async () => {
    keyFile('fleet.key', `${HEX}\n`);
    const simPort = await freeUdpPort();
    const sim = await startSimulator({
      connect: `udpin://127.0.0.1:${simPort}`,
      home: DEMO_HOME,
      speedup: 20,
      signingKey: Buffer.from(HEX, 'hex'),
    });
    const port = await freeTcpPort();
    const config = path.join(dir, 'serve-signed.json');
    const token = 'viewer-0123456789abcdef';
    fs.writeFileSync(
      config,
      JSON.stringify({
        listen: { host: '127.0.0.1', port },
        tokens: [{ token, role: 'viewer' }],
        sites: [path.join(REPO_ROOT, 'missions/demo-sites.geojson')],
        db: 'alerts-signed.db',
        vehicles: [{ id: 'drone-1', connect: `udpout://127.0.0.1:${simPort}`, signingKeyFile: 'fleet.key' }],
      }),
    );
    const daemon = startCli(['serve', '--config', config]);
    children.push(daemon);
    try {
      // The vehicle connects in the background: bounded polling until the viewer sees it connected.
      let connected = false;
      for (let i = 0; i < 200 && !connected && daemon.exitCode === null; i++) {
        await sleep(100);
        const res = await fetch(`http://127.0.0.1:${port}/api/vehicles`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(2000),
        }).catch(() => null);
        if (res?.ok) connected = ((await res.json()) as { connected: boolean }[])[0]?.connected === true;
      }
      expect(connected).toBe(true);
      expect(sim.link.stats).toMatchObject({ unsignedPackets: 0, badSignatures: 0 });
      expect(sim.link.stats.packetsIn).toBeGreaterThan(0);
    } finally {
      daemon.kill();
      await sim.close();
    }
  }, 30_000);
});
