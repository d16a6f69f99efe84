import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService, openAlertStore } from '../../src/alerts/index.js';
import type { ServerMessage } from '../../src/server/index.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { loadSiteFiles } from '../../src/sites/index.js';
import { sighting, T0_US } from '../alerts/sightings.js';
import { expectOneCleanLine, REPO_ROOT, runCli, startCli } from '../helpers/cli.js';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';
import { DEMO_HOME } from '../helpers/sim-flight.js';
import { TestClient, waitUntil } from '../server/harness.js';

const SITES = path.join(REPO_ROOT, 'missions/demo-sites.geojson');
const VIEWER_TOKEN = 'viewer-0123456789abcdef';
const PILOT_TOKEN = 'pilot-0123456789abcdef';
const REVIEWER_TOKEN = 'reviewer-0123456789abcdef';
/** Inside D-01 of the demo sites. */
const D01 = { latDeg: 34.7262023, lonDeg: 113.6317302 };

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-serve-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A config that would run, with `change` applied to it. */
function config(change: (c: Record<string, unknown>) => void = () => {}): Record<string, unknown> {
  const c: Record<string, unknown> = {
    listen: { host: '127.0.0.1', port: 0 },
    tokens: [
      { token: VIEWER_TOKEN, role: 'viewer', name: 'wall screen' },
      { token: PILOT_TOKEN, role: 'pilot', name: 'pilot' },
      { token: REVIEWER_TOKEN, role: 'reviewer', name: 'inspector' },
    ],
    db: 'alerts.db',
    dataDir: 'flights',
    sites: [SITES],
    vehicles: [{ id: 'drone-1', connect: 'udpout://127.0.0.1:9' }],
  };
  change(c);
  return c;
}

let configs = 0;
function writeConfig(content: string | Record<string, unknown>): string {
  const file = path.join(dir, `config-${++configs}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

const vehicles = (c: Record<string, unknown>) => c.vehicles as Record<string, unknown>[];

describe('dustpatrol serve --config refuses a bad config in one line naming the file and the field', () => {
  const cases: [string, string | Record<string, unknown>, RegExp][] = [
    ['not JSON', '{ "tokens": [\n', /: not JSON \(/],
    ['no tokens', config((c) => delete c.tokens), /: tokens: /],
    [
      'a short token',
      config((c) => {
        c.tokens = [{ token: 'too-short', role: 'viewer' }];
      }),
      /: tokens\[0\]\.token: 16–256 characters/,
    ],
    [
      'an unknown key',
      config((c) => {
        vehicles(c)[0].colour = 'red';
      }),
      /: vehicles\[0\]: Unrecognized key: "colour"/,
    ],
    [
      'a vehicle id used twice',
      config((c) => {
        c.vehicles = [
          { id: 'drone-1', connect: 'udpout://127.0.0.1:9' },
          { id: 'drone-1', connect: 'udpout://127.0.0.1:10' },
        ];
      }),
      /: vehicles: the id 'drone-1' is used twice/,
    ],
    [
      'a malformed vehicle connect URL',
      config((c) => {
        vehicles(c)[0].connect = 'udp://127.0.0.1:14550';
      }),
      /: vehicles\[0\]\.connect: connection URL 'udp:\/\/127\.0\.0\.1:14550': unknown scheme 'udp'/,
    ],
    [
      'a blacklist rule of no alerts',
      config((c) => {
        c.blacklist = { confirmedAlerts: 0 };
      }),
      /: blacklist\.confirmedAlerts: Too small: expected number to be >=1/,
    ],
    [
      'a vehicle plan file that does not exist',
      config((c) => {
        vehicles(c)[0].plan = 'nope.plan';
      }),
      /: vehicles\[0\]\.plan: .*nope\.plan: no such mission file/,
    ],
  ];

  for (const [what, content, message] of cases) {
    it(what, async () => {
      const file = writeConfig(content);
      const r = await runCli(['serve', '--config', file], 30_000);
      expect(r.code).not.toBe(0);
      expect(r.stdout).not.toContain('serving');
      expectOneCleanLine(r.stderr, { alone: true });
      expect(r.stderr).toContain(`dustpatrol: ${file}: `);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('dustpatrol serve with a vehicle on the simulator', () => {
  let sim: Simulator;
  let simPort: number;
  beforeAll(async () => {
    simPort = await freeUdpPort();
    sim = await startSimulator({ connect: `udpin://127.0.0.1:${simPort}`, home: DEMO_HOME, speedup: 20 });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('answers /api/health, lists the vehicle connected to a viewer, takes a review, and stops cleanly on SIGTERM', async () => {
    const port = await freeTcpPort();
    const file = writeConfig(
      config((c) => {
        c.listen = { host: '127.0.0.1', port };
        c.blacklist = { confirmedAlerts: 2, windowDays: 7 };
        vehicles(c)[0].connect = `udpout://127.0.0.1:${simPort}`;
      }),
    );
    const child = startCli(['serve', '--config', file]);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    const get = (route: string, token?: string) =>
      fetch(`${base}${route}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(5000),
      });
    try {
      // Serving: the daemon says where.
      for (let i = 0; !stdout.includes('dustpatrol serving'); i++) {
        if (i > 400 || child.exitCode !== null) throw new Error(`no daemon:\n${stdout}\n${stderr}`);
        await sleep(50);
      }
      expect(stdout).toContain(
        `dustpatrol serving ${base} (1 vehicle(s), store ${path.join(dir, 'alerts.db')})`,
      );

      const health = await get('/api/health');
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, vehicles: 1 });

      expect((await get('/api/vehicles')).status).toBe(401);

      // The vehicle connects in the background: bounded polling until the viewer sees it connected.
      type Listed = { id: string; connected: boolean; armed: boolean; patrolStatus: string }[];
      let listed: Listed = [];
      for (let i = 0; i < 100; i++) {
        const res = await get('/api/vehicles', VIEWER_TOKEN);
        expect(res.status).toBe(200);
        listed = (await res.json()) as Listed;
        if (listed[0]?.connected) break;
        await sleep(100);
      }
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ id: 'drone-1', connected: true, armed: false, patrolStatus: 'idle' });
      expect(stderr).toContain(`drone-1: connected on udpout://127.0.0.1:${simPort}`);

      // An alert in its store (written beside it, as a replay would), reviewed through the daemon: the
      // review is on the feed and in its log; the ledger applies the config's rule.
      const store = openAlertStore(path.join(dir, 'alerts.db'));
      try {
        await new AlertService({ store, sites: await loadSiteFiles([SITES]) }).raise(
          sighting({ ...D01, firstSeenUs: T0_US, flightId: 'F-replayed' }),
        );
      } finally {
        store.close();
      }
      const feed = await TestClient.open(base, { token: VIEWER_TOKEN });
      const reviewed = await fetch(`${base}/api/alerts/A-000001/reviews`, {
        method: 'POST',
        headers: { authorization: `Bearer ${REVIEWER_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ verdict: 'confirmed' }),
        signal: AbortSignal.timeout(5000),
      });
      expect(reviewed.status).toBe(201);
      const event = await feed.next<Extract<ServerMessage, { type: 'review' }>>((m) => m.type === 'review');
      expect(event.review).toMatchObject({ verdict: 'confirmed', reviewer: 'inspector', role: 'reviewer' });
      await feed.close();
      // The log comes through its own pipe: bounded polling until it has arrived.
      await waitUntil(() => stderr.includes('alert A-000001 confirmed (dust) by inspector'), 'the log line');
      const ledger = (await (await get('/api/ledger?until=2024-05-04', VIEWER_TOKEN)).json()) as {
        threshold: number;
        windowDays: number;
        sites: { siteId: string; confirmed: number }[];
      };
      expect(ledger).toMatchObject({
        threshold: 2,
        windowDays: 7,
        sites: [{ siteId: 'D-01', confirmed: 1 }],
      });

      child.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(15_000).then(() => 'still running')]);
      expect(code).toBe(0);
      expect(stderr).toContain('stopping: vehicles in the air fly on');
      expect(stderr).not.toMatch(/ error /);
      // The store it opened is there for the next start.
      expect(fs.existsSync(path.join(dir, 'alerts.db'))).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
