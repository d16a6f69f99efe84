import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAlertStore } from '../../src/alerts/index.js';
import { loadPatrolPlan, missionDigest } from '../../src/fleet/index.js';
import { MavLinkConnection, uploadMission } from '../../src/mavlink/index.js';
import { fromMissionItems, planSettings, writeQgcPlan } from '../../src/plan/index.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { Vehicle } from '../../src/vehicle/index.js';
import { expectOneCleanLine, REPO_ROOT, runCli, startCli } from '../helpers/cli.js';
import { freeUdpPort } from '../helpers/ports.js';
import { DEMO_HOME, missionOver } from '../helpers/sim-flight.js';

const SITES = 'missions/demo-sites.geojson';
const ALT_REL_M = 30;
const M_PER_DEG_LAT = 111_320;

/** The point `northM` north and `eastM` east of the demo's home (away from its no-fly zone). */
function fromHome(northM: number, eastM: number) {
  return {
    latDeg: DEMO_HOME.latDeg + northM / M_PER_DEG_LAT,
    lonDeg: DEMO_HOME.lonDeg + eastM / (M_PER_DEG_LAT * Math.cos((DEMO_HOME.latDeg * Math.PI) / 180)),
  };
}

function metresBetween(a: { latDeg: number; lonDeg: number }, b: { latDeg: number; lonDeg: number }) {
  const northM = (a.latDeg - b.latDeg) * M_PER_DEG_LAT;
  const eastM = (a.lonDeg - b.lonDeg) * M_PER_DEG_LAT * Math.cos((a.latDeg * Math.PI) / 180);
  return Math.hypot(northM, eastM);
}

/** Polls `ready` until it gives a value, at most `timeoutMs`; then fails saying what it waited for. */
async function until<T>(what: string, ready: () => T | null | undefined | false, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = ready();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** A `dustpatrol` child whose output is kept, with bounded waits on it. */
class Cli {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d) => {
      this.stdout += d;
    });
    child.stderr?.on('data', (d) => {
      this.stderr += d;
    });
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    try {
      return await until(`${pattern} in the output`, () => pattern.exec(this.stdout), timeoutMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
    }
  }

  async exit(timeoutMs: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const code = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (code === 'timeout') {
      throw new Error(
        `still running after ${timeoutMs} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
      );
    }
    return code;
  }
}

let sim: Simulator;
let port: number;
let dir: string;
let planFile: string;
/** The mission written to planFile: home, camera down, take-off, three waypoints, RTL. */
const items = missionOver([fromHome(200, 0), fromHome(200, 300), fromHome(0, 300)], ALT_REL_M, 0);
const lastSeq = items.length - 1;
const FIRST_WAYPOINT_SEQ = 3;
/** The last waypoint the aborted patrol reached (set by the abort test, resumed by the next). */
let abortedAfterSeq = FIRST_WAYPOINT_SEQ;
const children: ChildProcess[] = [];

async function freshSimulator(): Promise<void> {
  port = await freeUdpPort();
  sim = await startSimulator({ connect: `udpin://127.0.0.1:${port}`, home: DEMO_HOME, speedup: 20 });
}

beforeAll(async () => {
  await freshSimulator();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-patrol-'));
  planFile = path.join(dir, 'square.plan');
  fs.writeFileSync(planFile, writeQgcPlan(fromMissionItems(items, 'ardupilot', planFile)));
});
afterAll(async () => {
  await sim?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  if (sim.state().armed) {
    // A test failed with the vehicle in the air: the next one gets a vehicle on the ground.
    await sim.close();
    await freshSimulator();
  }
  // Each flight starts with a full battery (a swap between sorties).
  sim.setBatteryPercent(100);
});

function patrolArgs(db: string, ...more: string[]): string[] {
  return [
    'patrol',
    planFile,
    '--connect',
    `udpout://127.0.0.1:${port}`,
    '--sites',
    SITES,
    '--db',
    path.join(dir, db),
    '--data-dir',
    path.join(dir, 'flights'),
    ...more,
  ];
}

function startPatrol(args: string[]): Cli {
  const child = startCli(args);
  children.push(child);
  return new Cli(child);
}

describe('dustpatrol patrol against the simulator', () => {
  it('flies the mission to its landing and names the flight, its waypoints and its tlog', async () => {
    const r = await runCli(patrolArgs('a.db'), 60_000);

    expect(r.stderr).not.toContain('dustpatrol:');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no --video: flying without live analytics');
    const reached = [...r.stdout.matchAll(/reached waypoint (\d+)\/(\d+)/g)].map((m) => Number(m[1]));
    expect(reached.at(-1)).toBe(lastSeq);
    expect(r.stdout).toMatch(/^flight\s+\S+/m);
    expect(r.stdout).toMatch(/^ended\s+landed: the mission ran to its end$/m);
    expect(r.stdout).toMatch(new RegExp(`^waypoints\\s+${lastSeq}/${lastSeq} reached$`, 'm'));
    expect(r.stdout).not.toContain('--resume');
    const tlog = /^tlog\s+(.+)$/m.exec(r.stdout)?.[1];
    expect(tlog).toBeDefined();
    expect(fs.statSync(path.resolve(REPO_ROOT, tlog as string)).size).toBeGreaterThan(1000);
    expect(sim.state()).toMatchObject({ armed: false, landed: true });
  });

  it('with --json prints the summary alone on stdout, as JSON', async () => {
    const r = await runCli(patrolArgs('json.db', '--json'), 60_000);

    expect(r.stderr).not.toContain('dustpatrol:');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      plan: 'square.plan',
      status: 'landed',
      ending: 'completed',
      endingText: 'the mission ran to its end',
      lastReachedSeq: lastSeq,
      missionItems: lastSeq,
      alertsRaised: 0,
    });
    expect(summary.flightId).toMatch(/\S/);
    expect(fs.statSync(summary.tlog).size).toBeGreaterThan(1000);
    // The pilot's lines still reach the terminal, on stderr.
    expect(r.stderr).toMatch(/reached waypoint \d+\/\d+/);
  });

  it('pauses on SIGUSR1, resumes on SIGUSR2, aborts home on SIGINT and says how to resume', async () => {
    const cli = startPatrol(patrolArgs('resume.db'));
    await cli.waitFor(new RegExp(`reached waypoint ${FIRST_WAYPOINT_SEQ}/`));

    cli.child.kill('SIGUSR1');
    await cli.waitFor(/paused at item \d+\/\d+: holding position in LOITER/);
    expect(sim.state().modeName).toBe('LOITER');
    // It holds: once it has braked and settled, it stays where it is and the mission does not advance.
    const pausedAtS = sim.state().simTimeS;
    await until('20 s of sim time', () => sim.state().simTimeS > pausedAtS + 20, 10_000);
    const held = sim.state();
    await until('10 s more of sim time', () => sim.state().simTimeS > held.simTimeS + 10, 10_000);
    const later = sim.state();
    expect(later.modeName).toBe('LOITER');
    expect(later.missionSeq).toBe(held.missionSeq);
    expect(metresBetween(later, held)).toBeLessThan(1);

    cli.child.kill('SIGUSR2');
    await cli.waitFor(/resumed: continuing the mission at item \d+\/\d+/);
    expect(sim.state().modeName).toBe('AUTO');

    cli.child.kill('SIGINT');
    await cli.waitFor(/aborted by the pilot at item \d+\/\d+: returning to launch \(RTL\)/);
    expect(sim.state().modeName).toBe('RTL');
    const code = await cli.exit(45_000);

    // A patrol that did not finish is not a success: exit 3, and one line on how to go on.
    expect(code).toBe(3);
    // It followed the vehicle home: the process ended only once it had landed.
    expect(sim.state()).toMatchObject({ armed: false, landed: true });
    expect(metresBetween(sim.state(), DEMO_HOME)).toBeLessThan(5);
    expect(cli.stdout).toMatch(/^ended\s+aborted: aborted by the pilot$/m);
    const reached = Number(new RegExp(`^waypoints\\s+(\\d+)/${lastSeq} reached$`, 'm').exec(cli.stdout)?.[1]);
    expect(reached).toBeGreaterThanOrEqual(FIRST_WAYPOINT_SEQ);
    expect(reached).toBeLessThan(lastSeq);
    expect(cli.stderr).toContain(
      `dustpatrol: the patrol did not finish (aborted by the pilot): after a battery swap, add --resume to continue from waypoint ${reached}\n`,
    );
    abortedAfterSeq = reached;
  });

  it('--resume continues the aborted patrol from its last waypoint reached and completes it', async () => {
    const r = await runCli(patrolArgs('resume.db', '--resume'), 60_000);

    expect(r.stderr).not.toContain('dustpatrol:');
    expect(r.code).toBe(0);
    // From the waypoint the aborted patrol reached last (test above; at least the first waypoint).
    expect(r.stdout).toContain(`resuming square.plan from waypoint ${abortedAfterSeq}\n`);
    expect(r.stdout).toMatch(/^ended\s+landed: the mission ran to its end$/m);
    expect(r.stdout).toMatch(new RegExp(`^waypoints\\s+${lastSeq}/${lastSeq} reached$`, 'm'));

    // The store: the plan's newest patrol is the resumed one, and it completed.
    // The plan's digest is that of the mission as written (home at seq 0): the .plan round-trips it.
    const plan = await loadPatrolPlan(planFile, { settings: planSettings({}) });
    expect(plan.digest).toBe(missionDigest(items));
    const store = openAlertStore(path.join(dir, 'resume.db'), { mustExist: true });
    try {
      const last = store.lastPatrolOfPlan(plan.digest);
      expect(last).toMatchObject({
        planName: 'square.plan',
        status: 'landed',
        outcome: 'completed',
        lastReachedSeq: lastSeq,
      });
      expect(last?.endedUs).not.toBeNull();
      expect(store.unfinishedPatrol('drone-1')).toBeNull();
    } finally {
      store.close();
    }
  });
});

describe('dustpatrol patrol run again after it stopped following', () => {
  it('does not adopt a flight whose mission another ground station replaced, and closes its record', async () => {
    const cli = startPatrol(patrolArgs('foreign.db'));
    await cli.waitFor(new RegExp(`reached waypoint ${FIRST_WAYPOINT_SEQ}/`));
    cli.child.kill('SIGTERM');
    await cli.exit(20_000);
    expect(sim.state().armed).toBe(true);

    // Another ground station uploads its own mission to the vehicle in the air.
    // It holds an hour (3 min at ×20) at its first point: still in the air when the patrol starts again, however slow the machine.
    const other = missionOver([fromHome(-150, 100), fromHome(-150, 250)], ALT_REL_M, 3600);
    const link = await MavLinkConnection.open(`udpout://127.0.0.1:${port}`);
    try {
      const vehicle = await Vehicle.connect(link);
      await uploadMission(link, vehicle.target, other);
      vehicle.close();
    } finally {
      await link.close();
    }

    const r = await runCli(patrolArgs('foreign.db'), 60_000);

    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'dustpatrol: the vehicle is already armed (mode AUTO), on a flight this patrol did not start: land it before starting one',
    );
    expect(r.stdout).toMatch(
      /square.plan not followed: the mission on board is not this patrol's \(vehicle has 8 items, expected 9\)/,
    );
    // The vehicle was left to the ground station that flies it.
    expect(sim.state()).toMatchObject({ armed: true, modeName: 'AUTO' });
    // Both records are closed, so no later start adopts or resumes them: the patrol that was not followed,
    // and this run's own start, refused because the vehicle was in the air.
    const db = new Database(path.join(dir, 'foreign.db'), { readonly: true });
    const patrols = db.prepare('SELECT outcome, ended_us FROM patrols ORDER BY started_us').all();
    db.close();
    expect(patrols).toEqual([
      { outcome: 'another mission was on board when dustpatrol came back', ended_us: expect.any(Number) },
      {
        outcome: expect.stringMatching(/^did not fly: the vehicle is already armed/),
        ended_us: expect.any(Number),
      },
    ]);
  });
});

describe('dustpatrol patrol refuses bad input in one line', () => {
  it('a plan file that does not exist', async () => {
    const missing = path.join(dir, 'nope.plan');
    const r = await runCli(patrolArgs('missing.db').map((a) => (a === planFile ? missing : a)));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${missing}: no such mission file`);
    expectOneCleanLine(r.stderr);
  });

  it('a malformed --connect URL, at once', async () => {
    const r = await runCli(patrolArgs('bad-url.db').map((a) => (a.startsWith('udpout:') ? 'udp://x:1' : a)));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("connection URL 'udp://x:1': unknown scheme 'udp'");
    expect(r.stderr).not.toContain('trying again');
    expectOneCleanLine(r.stderr);
  });

  it('--resume of a plan this store never flew', async () => {
    const r = await runCli(patrolArgs('never.db', '--resume'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--resume: square.plan was never flown from this store; nothing to resume');
    expectOneCleanLine(r.stderr);
    expect(sim.state().armed).toBe(false);
  });
});
