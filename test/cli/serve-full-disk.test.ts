// The real `dustpatrol serve` with its store and flight logs on a real disk that fills mid-patrol: a 4 MiB
// tmpfs in a private mount namespace (unshare -rm, no privilege where user namespaces are allowed;
// skipped elsewhere, as test/cli/full-disk.test.ts is), filled by a filler file on the test's cue and
// freed on another. This is the fault that used to end the daemon a minute into the full disk, on an
// uncaught SqliteError from the patrol record, with the drone mid-mission. Now it flies on: the patrol
// record is held and written when there is room, the supervisor's feed and /api/health say so, and the
// pilot's pause and resume still reach the vehicle. (Alerts held on the same path: test/fleet/store-full.)
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeQgcPlan } from '../../src/plan/index.js';
import type { ServerMessage } from '../../src/server/index.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { demoRoutePlan } from '../fleet/fleet-rig.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { daemonApi } from '../helpers/daemon-api.js';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';
import { DEMO_HOME, DEMO_SITES } from '../helpers/sim-flight.js';
import { TestClient } from '../server/harness.js';

const PILOT = 'pilot-full-disk-0123456789abcdef';
const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');

const canMount = (() => {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-mount-probe-'));
  const r = spawnSync('unshare', ['-rm', 'mount', '-t', 'tmpfs', '-o', 'size=64k', 'none', probe]);
  fs.rmSync(probe, { recursive: true });
  return r.status === 0;
})();

let dir: string;
let ctl: string;
let sim: Simulator;
let daemon: ChildProcess | null = null;
let stderr = '';
let base: string;

describe.skipIf(!canMount)('dustpatrol serve on a disk that fills mid-patrol', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-serve-full-'));
    ctl = path.join(dir, 'ctl');
    const disk = path.join(dir, 'disk');
    fs.mkdirSync(ctl);
    fs.mkdirSync(disk);
    const simPort = await freeUdpPort();
    sim = await startSimulator({ connect: `udpin://127.0.0.1:${simPort}`, home: DEMO_HOME, speedup: 5 });
    const planFile = path.join(dir, 'route.plan');
    fs.writeFileSync(planFile, writeQgcPlan(demoRoutePlan().mission));
    const port = await freeTcpPort();
    base = `http://127.0.0.1:${port}`;
    const configFile = path.join(dir, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        listen: { host: '127.0.0.1', port },
        tokens: [{ token: PILOT, role: 'pilot', name: 'pilot' }],
        db: path.join(disk, 'alerts.db'),
        dataDir: path.join(disk, 'flights'),
        sites: [DEMO_SITES],
        patrol: { minBatteryPct: 30 },
        vehicles: [{ id: 'drone-1', connect: `udpout://127.0.0.1:${simPort}`, plan: planFile }],
      }),
    );
    // In the namespace: the tmpfs, a filler that waits for its cues (and gives up once the test's folder
    // is gone), and the daemon.
    const script =
      'mount -t tmpfs -o size=4m none "$DISK" && ' +
      '( while [ -d "$CTL" ] && [ ! -e "$CTL/fill" ]; do sleep 0.1; done; ' +
      'head -c 8M /dev/zero > "$DISK/filler" 2>/dev/null; touch "$CTL/filled" 2>/dev/null; ' +
      'while [ -d "$CTL" ] && [ ! -e "$CTL/free" ]; do sleep 0.1; done; rm -f "$DISK/filler" ) & ' +
      'exec "$NODE" "$CLI" serve --config "$CONFIG"';
    daemon = spawn('unshare', ['-rm', 'sh', '-c', script], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DISK: disk, CTL: ctl, NODE: process.execPath, CLI, CONFIG: configFile },
    });
    daemon.stderr?.on('data', (d) => {
      stderr += d;
    });
  }, 30_000);

  afterAll(async () => {
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((resolve) => daemon?.once('exit', resolve));
      daemon.kill('SIGKILL');
      await exited;
    }
    await sim?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const { api, until } = daemonApi({
    process: () => daemon,
    stderr: () => stderr,
    baseUrl: () => base,
    token: PILOT,
  });

  const command = (cmd: string) => api('/api/vehicles/drone-1/commands', { command: cmd });
  const vehicle = async () =>
    (
      (await api('/api/vehicles')).json as { patrolStatus: string; waypoint: { current: number } | null }[]
    )[0];
  const health = async () => (await api('/api/health')).json as { store: Record<string, unknown> };
  const storeTexts = (messages: ServerMessage[]) =>
    messages.flatMap((m) => (m.type === 'store' && m.text ? [m.text] : []));

  it('flies on, holds the patrol record, tells the feed and /api/health, and writes it all when there is room', async () => {
    await until(async () => (await command('start')).status === 200, "the daemon to take 'start'", 60_000);
    await until(async () => (await vehicle()).patrolStatus === 'flying', 'the patrol to fly');
    const feed = await TestClient.open(base, { token: PILOT });

    fs.writeFileSync(path.join(ctl, 'fill'), '');
    await until(() => fs.existsSync(path.join(ctl, 'filled')), 'the disk to fill', 10_000);
    // The next waypoint's progress goes to the full store.
    await until(
      () => storeTexts(feed.messages).some((t) => t.startsWith('store unavailable')),
      'the store unavailable',
    );
    expect(storeTexts(feed.messages)[0]).toMatch(
      /^store unavailable: .*alerts\.db: cannot write the alert database: no space left on the device .*\(SQLITE_FULL\)/,
    );
    expect(stderr).toMatch(/ error +store unavailable: /);
    await until(async () => (await health()).store.available === false, 'health to say so');
    expect((await health()).store).toMatchObject({ available: false, heldAlerts: 0 });
    // The flight log on the same disk: its packets go unrecorded, said once.
    await feed.next((m) => m.type === 'event' && /flight log|\.tlog: cannot write/.test(m.text), {
      timeoutMs: 30_000,
    });

    // Commanded as ever, past the minute that used to end the daemon.
    expect((await command('pause')).status).toBe(200);
    await until(async () => (await vehicle()).patrolStatus === 'paused', 'paused');
    await sleep(5000);
    expect((await command('resume')).status).toBe(200);
    await until(async () => (await vehicle()).patrolStatus === 'flying', 'flying again');
    await until(async () => ((await vehicle()).waypoint?.current ?? 0) >= 5, 'further waypoints');
    expect((await health()).store).toMatchObject({ available: false });
    expect(((await health()).store.heldRecords as number) >= 1).toBe(true);

    // Room again: the held records are written on the next retry (2 s doubling, at most 30 s apart).
    fs.writeFileSync(path.join(ctl, 'free'), '');
    await until(
      () => storeTexts(feed.messages).some((t) => t.startsWith('store available again')),
      'the store back',
      90_000,
    );
    expect((await health()).store).toMatchObject({ available: true, heldAlerts: 0, heldRecords: 0 });
    await feed.next((m) => m.type === 'event' && /flight log written again/.test(m.text), {
      timeoutMs: 30_000,
    });

    await until(async () => (await vehicle()).patrolStatus === 'landed', 'the landing', 300_000);
    const flights = (await api('/api/flights')).json as { endedUs: number | null }[];
    expect(flights).toHaveLength(1);
    expect(flights[0].endedUs).not.toBeNull();
    expect(stderr).not.toMatch(/uncaught exception|unhandled promise rejection|SqliteError/);
    await feed.close();

    const exited = new Promise<number | null>((resolve) => daemon?.once('exit', (code) => resolve(code)));
    daemon?.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 600_000);
});
