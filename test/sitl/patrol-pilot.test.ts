import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { downloadMission, MavLinkConnection, MissionType, missionsDiffer } from '../../src/mavlink/index.js';
import { fromMissionItems, resumeMission, writeQgcPlan } from '../../src/plan/index.js';
import { Vehicle } from '../../src/vehicle/index.js';
import { startCli } from '../helpers/cli.js';
import { distanceM } from '../helpers/plume-alerts.js';
import { DEMO_HOME, DEMO_ROUTE, DEMO_SITES, missionOver } from '../helpers/sim-flight.js';
import { type Sitl, sitlMissing, startSitl } from '../helpers/sitl.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

// A pilot's afternoon with the real autopilot, ArduPilot Copter SITL, in one story: a patrol over the
// demo route is paused and resumed, loses its link for a while, is aborted home; the battery is swapped
// (SITL power-cycled, keeping its parameters and mission as a vehicle does) and `patrol --resume` flies
// the rest. The patrol talks to SITL through a TCP relay the test can silence; a second link on SITL's
// serial 1 watches the vehicle independently of the patrol.

const SPEEDUP = 5;
/** Enough battery for the whole route twice over: the story ends the sortie, not the reserve. */
const PARAMS = { BATT_CAPACITY: 11_000 };
/** Mission: 0 home, 1 camera down, 2 take-off, 3–7 the route, 8 its last point again, 9 camera up, 10 RTL. */
const ITEMS = 10;
/** The link is silent this long (wall time; ×5 on the vehicle): past dustpatrol's loss and warning times. */
const OUTAGE_MS = 8000;
/** A vehicle holding position drifts less than this (m) in a few seconds. */
const HOLD_M = 5;
const STEP_TIMEOUT_MS = 120_000;
const TEST_TIMEOUT_MS = 600_000;
/** The observer's ids: not the ground station's 255, whose heartbeats would feed the GCS failsafe. */
const OBSERVER = { systemId: 253, componentId: 191, gcsHeartbeat: false };

const missing = sitlMissing();
if (missing) console.log(`test/sitl skipped: ${missing}`);

interface Run {
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = startCli(args);
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => out, exit };
}

async function until(what: string, ok: () => boolean, context: () => string, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs / 1000} s\n${context()}`);
    await sleep(100);
  }
}

describe.skipIf(missing !== null)(
  'pausing, resuming, aborting and resuming a patrol on ArduPilot SITL',
  () => {
    let sitl: Sitl | undefined;
    let proxy: TcpProxy | undefined;
    let observer: MavLinkConnection | undefined;
    const runs: Run[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sitl-patrol-pilot-'));
    afterAll(async () => {
      for (const r of runs) if (r.child.exitCode === null) r.child.kill('SIGKILL');
      await observer?.close();
      await proxy?.close();
      await sitl?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** A link on SITL's serial 1 (it listens once the patrol is connected), and the vehicle on it. */
    async function watch(): Promise<Vehicle> {
      await observer?.close();
      observer = await MavLinkConnection.open(sitl?.secondUrl as string, OBSERVER);
      const vehicle = await Vehicle.connect(observer);
      await vehicle.waitUntil((s) => s.position !== null, { timeoutMs: STEP_TIMEOUT_MS, what: 'a position' });
      return vehicle;
    }

    it(
      'holds in LOITER, flies on through a silent link (FS_GCS_ENABLE 0), returns on abort, and after a battery swap flies the rest',
      async () => {
        sitl = await startSitl({ home: DEMO_HOME, speedup: SPEEDUP, secondPort: true, params: PARAMS });
        proxy = await startTcpProxy({ host: '127.0.0.1', port: sitl.port });
        const planFile = path.join(dir, 'route.plan');
        const planItems = missionOver(DEMO_ROUTE, 60, 0);
        fs.writeFileSync(planFile, writeQgcPlan(fromMissionItems(planItems, 'ardupilot', planFile)));
        const patrolArgs = [
          ...['patrol', planFile, '--sites', DEMO_SITES, '--connect', proxy.url],
          ...['--db', path.join(dir, 'alerts.db'), '--data-dir', path.join(dir, 'patrols')],
        ];

        const first = run(patrolArgs);
        runs.push(first);
        const context = () =>
          `patrol:\n${runs.map((r) => r.output().slice(-3000)).join('\n--- resumed:\n')}\nSITL:\n${sitl?.log().slice(-1500)}`;
        const said = (pattern: RegExp) => () => pattern.test(first.output());
        await until('connection', said(/connected on/), context);
        const vehicle = await watch();
        const mode = () => vehicle.state.modeName;

        // Pause on the first leg's end (SIGUSR1, the `p` key): LOITER, and it stays where it is.
        await until('waypoint 3', said(/reached waypoint 3\/10/), context);
        first.child.kill('SIGUSR1');
        await until('pause', said(/paused at item \d+\/10: holding position in LOITER/), context);
        await until('LOITER on the vehicle', () => mode() === 'LOITER', context);
        await sleep(1000); // it brakes to a stop
        const where = () => {
          const p = vehicle.state.position;
          if (!p) throw new Error('the observer lost the position');
          return p;
        };
        const held = where();
        const heldSeq = vehicle.state.missionCurrentSeq;
        await sleep(3000);
        expect(distanceM(held, where())).toBeLessThan(HOLD_M);
        expect(vehicle.state.missionCurrentSeq).toBe(heldSeq);
        expect(first.output()).not.toMatch(/reached waypoint 4\/10/);

        // Resume (SIGUSR2, `r`): AUTO, on to the next waypoint.
        first.child.kill('SIGUSR2');
        await until('resume', said(/resumed: continuing the mission at item \d+\/10/), context);
        await until('AUTO on the vehicle', () => mode() === 'AUTO', context);
        await until('waypoint 4', said(/reached waypoint 4\/10/), context);

        // The link goes quiet. The patrol says so and what the vehicle will do (ArduPilot's default
        // FS_GCS_ENABLE 0: nothing); the vehicle flies on in AUTO, and the patrol follows it again after.
        const before = where();
        const modesMeanwhile = new Set<string>();
        proxy.cut();
        const cutAt = Date.now();
        while (Date.now() - cutAt < OUTAGE_MS) {
          modesMeanwhile.add(mode());
          await sleep(100);
        }
        proxy.restore();
        const flown = distanceM(before, where());
        console.info(`link silent ${OUTAGE_MS / 1000} s: the vehicle flew ${flown.toFixed(0)} m on in AUTO`);
        expect([...modesMeanwhile]).toEqual(['AUTO']);
        expect(flown, 'metres flown while the link was silent').toBeGreaterThan(100);
        expect(first.output()).toMatch(/link lost: no heartbeat for [\d.]+ s/);
        expect(first.output()).toMatch(
          /no link for \d+ s: its GCS failsafe is off \(FS_GCS_ENABLE 0, FS_GCS_TIMEOUT 5 s\): it carries on in its present mode/,
        );
        await until('the link back', said(/link back after \d+ s without heartbeats/), context);

        // Abort (SIGINT, Ctrl-C): RTL, landed and disarmed; the patrol ends unfinished (exit 3).
        await sleep(1000);
        first.child.kill('SIGINT');
        await until(
          'abort',
          said(/aborted by the pilot at item \d+\/10: returning to launch \(RTL\)/),
          context,
        );
        await until('RTL on the vehicle', () => mode() === 'RTL', context);
        const code = await first.exit;
        expect(code, context()).toBe(3);
        const resumeFrom = Number(/add --resume to continue from waypoint (\d+)/.exec(first.output())?.[1]);
        expect(resumeFrom, context()).toBeGreaterThanOrEqual(4);
        expect(resumeFrom).toBeLessThan(ITEMS);
        await until('landed and disarmed', () => !vehicle.state.armed, context);
        expect(distanceM(where(), DEMO_HOME)).toBeLessThan(10);

        // The battery swap: power off and on; the vehicle keeps its parameters and mission.
        await observer?.close();
        observer = undefined;
        await sitl.restart();

        const second = run([...patrolArgs, '--resume']);
        runs.push(second);
        const saidAgain = (pattern: RegExp) => () => pattern.test(second.output());
        await until('resuming', saidAgain(new RegExp(`resuming .* from waypoint ${resumeFrom}`)), context);
        const rebooted = await watch();
        expect(rebooted.state.battery?.remainingPct ?? 0).toBeGreaterThanOrEqual(99);
        // What the patrol uploaded, read back on the second link and compared as ArduPilot stores it.
        await until('the checks', saidAgain(/pre-flight checks passed/), context, 240_000);
        const onBoard = await downloadMission(rebooted.link, rebooted.target, {
          missionType: MissionType.Mission,
        });
        const resumed = resumeMission(planItems, resumeFrom);
        expect(missionsDiffer(resumed, onBoard, { skipHome: true }), context()).toBeUndefined();
        expect(onBoard.length).toBeLessThan(planItems.length);

        expect(await second.exit, context()).toBe(0);
        expect(second.output()).toMatch(/ended\s+landed: the mission ran to its end/);
        // Counted in the plan's own numbers: the resumed flight finished the plan.
        expect(second.output()).toMatch(new RegExp(`waypoints\\s+${ITEMS}/${ITEMS} reached`));
      },
      TEST_TIMEOUT_MS,
    );
  },
);
