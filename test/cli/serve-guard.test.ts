// The real `dustpatrol serve`, a child process following the simulator: an exception nobody catches and a
// promise rejection nobody handles (injected by test/cli/fault-preload.mjs, loaded with `node --import`:
// a test hook outside the product) end nothing. The daemon logs each in one line with its stack, still
// answers /api/health, and the pilot's pause and resume still reach the vehicle.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeQgcPlan } from '../../src/plan/index.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { tempDir } from '../alerts/sightings.js';
import { demoRoutePlan } from '../fleet/fleet-rig.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { daemonApi } from '../helpers/daemon-api.js';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';
import { DEMO_HOME, DEMO_SITES } from '../helpers/sim-flight.js';

const PILOT = 'pilot-guard-0123456789abcdef';
const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');
const PRELOAD = path.join(REPO_ROOT, 'test/cli/fault-preload.mjs');

let dir: string;
let sim: Simulator;
let daemon: ChildProcess | null = null;
let stderr = '';
let base: string;

beforeAll(async () => {
  dir = tempDir('serve-guard');
  const simPort = await freeUdpPort();
  sim = await startSimulator({ connect: `udpin://127.0.0.1:${simPort}`, home: DEMO_HOME, speedup: 5 });
  const planFile = path.join(dir, 'route.plan');
  const plan = demoRoutePlan();
  fs.writeFileSync(planFile, writeQgcPlan(plan.mission));
  const port = await freeTcpPort();
  base = `http://127.0.0.1:${port}`;
  const config = {
    listen: { host: '127.0.0.1', port },
    tokens: [{ token: PILOT, role: 'pilot', name: 'pilot' }],
    db: path.join(dir, 'alerts.db'),
    dataDir: path.join(dir, 'flights'),
    sites: [DEMO_SITES],
    patrol: { minBatteryPct: 30 },
    vehicles: [{ id: 'drone-1', connect: `udpout://127.0.0.1:${simPort}`, plan: planFile }],
  };
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  daemon = spawn(process.execPath, ['--import', PRELOAD, CLI, 'serve', '--config', configFile], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  daemon.stderr?.on('data', (d) => {
    stderr += d;
  });
}, 30_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const { api, until } = daemonApi({
  process: () => daemon,
  stderr: () => stderr,
  baseUrl: () => base,
  token: PILOT,
});

const status = async () => ((await api('/api/vehicles')).json as { patrolStatus: string }[])[0]?.patrolStatus;

const command = (cmd: string) => api('/api/vehicles/drone-1/commands', { command: cmd });

it('an uncaught exception and an unhandled rejection: logged with their stacks, and the daemon goes on flying the patrol', async () => {
  // 409 until the daemon has found the vehicle on its link.
  await until(async () => (await command('start')).status === 200, "the daemon to take 'start'", 60_000);
  await until(async () => (await status()) === 'flying', 'the patrol to fly');

  daemon?.kill('SIGUSR2');
  await until(
    () => /unhandled promise rejection: /.test(stderr) && /uncaught exception: /.test(stderr),
    'the faults logged',
  );

  // Each in one line, its stack in the log after it.
  const lines = stderr.split('\n');
  const exception = lines.findIndex((l) =>
    / error +uncaught exception: injected: a bug thrown from a timer \(dustpatrol goes on\)$/.test(l),
  );
  const rejection = lines.findIndex((l) =>
    / error +unhandled promise rejection: injected: a rejection nobody handled \(dustpatrol goes on\)$/.test(
      l,
    ),
  );
  expect(exception, stderr).toBeGreaterThanOrEqual(0);
  expect(rejection, stderr).toBeGreaterThanOrEqual(0);
  expect(lines[exception + 1]).toMatch(/^\s+Error: injected: a bug thrown from a timer$/);
  expect(lines[exception + 2]).toMatch(/^\s+at .*fault-preload\.mjs/);

  // Alive, answering, and in command of the vehicle.
  expect(daemon?.exitCode).toBeNull();
  const health = await fetch(`${base}/api/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true, vehicles: 1, store: { available: true } });
  expect((await command('pause')).status).toBe(200);
  await until(async () => (await status()) === 'paused', 'paused');
  expect((await command('resume')).status).toBe(200);
  await until(async () => (await status()) === 'flying', 'flying again');

  // It still stops cleanly when told to.
  const exited = new Promise<number | null>((resolve) => daemon?.once('exit', (code) => resolve(code)));
  daemon?.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 300_000);
