import { afterEach, describe, expect, it } from 'vitest';
import {
  downloadMission,
  isNavCommand,
  type MissionItem,
  MissionType,
  missionsDiffer,
  uploadMission,
} from '../../src/mavlink/index.js';
import { loadMissionFile, toFenceItems, toMissionItems, toRallyItems } from '../../src/plan/index.js';
import { flyMission, runPreflightChecks, telemetryChecks, Vehicle } from '../../src/vehicle/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { type SimAndGcs, startSimulatedSimAndGcs } from '../helpers/sim-gcs.js';

// In simulated time: the simulator, the ground station's link and the Vehicle on one fake clock, over an
// in-memory link (startSimulatedSimAndGcs); `s.run` advances it until what the test awaits settles.
// The simulator runs at ×1, so these waits are those of a real flight: the EKF needs 35–40 s after boot.
const READY_TIMEOUT_MS = 60_000;

let s: SimAndGcs | null = null;
let vehicle: Vehicle | null = null;
afterEach(async () => {
  vehicle?.close();
  await s?.close();
  s = null;
  vehicle = null;
});

async function demoItems(): Promise<MissionItem[]> {
  return toMissionItems(await loadMissionFile(`${REPO_ROOT}/missions/demo.plan`));
}

async function connected(): Promise<{ v: Vehicle; s: SimAndGcs }> {
  const sim = await startSimulatedSimAndGcs(new FakeClock());
  s = sim;
  vehicle = await sim.run(Vehicle.connect(sim.gcs));
  return { v: vehicle, s: sim };
}

describe('one vehicle against the simulator', () => {
  it('waits for GPS and EKF, then passes the checks; a different mission on board fails with the seq', async () => {
    const { v, s } = await connected();
    expect(telemetryChecks(v.state, 50).find((c) => c.name === 'EKF position')?.ok).toBe(false);
    await s.run(
      v.waitUntil((st) => telemetryChecks(st, 0).every((c) => c.ok), {
        timeoutMs: READY_TIMEOUT_MS,
        what: 'ready',
      }),
    );

    const planned = await demoItems();
    await s.run(uploadMission(v.link, v.target, planned));
    const good = await s.run(runPreflightChecks(v, { minBatteryPct: 50, plannedItems: planned }));
    expect(good.filter((c) => !c.ok)).toEqual([]);

    const edited = planned.map((item, seq) => (seq === 3 ? { ...item, z: item.z + 15 } : item));
    const bad = await s.run(runPreflightChecks(v, { minBatteryPct: 101, plannedItems: edited }));
    const failed = Object.fromEntries(bad.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
    expect(Object.keys(failed).sort()).toEqual(['battery', 'mission on board']);
    expect(failed['mission on board']).toBe(
      'differs from the plan: seq 3, field z: expected 45, vehicle has 30',
    );
    expect(failed.battery).toBe('100 % (floor 101 %)');
  });

  it('takes off in GUIDED, holds in LOITER, and comes home on RTL to land and disarm', async () => {
    const { v, s } = await connected();
    await s.run(
      v.waitUntil((st) => telemetryChecks(st, 0).every((c) => c.ok), {
        timeoutMs: READY_TIMEOUT_MS,
        what: 'ready',
      }),
    );
    await s.run(v.setMode('GUIDED'));
    await s.run(v.arm());
    await s.run(v.takeoff(20));
    await s.run(
      v.waitUntil((st) => (st.position?.altRelM ?? 0) > 18, { timeoutMs: 20_000, what: 'at 20 m' }),
    );
    await s.run(v.pause());
    expect(v.state.modeName).toBe('LOITER');
    await s.run(v.returnToLaunch());
    await s.run(v.waitUntil((st) => st.modeName === 'RTL', { timeoutMs: 5000, what: 'in RTL' }));
    // RTL from overhead: RTL_LOIT_TIME (5 s), then 20 m down at 1.5 and, below 10 m, 0.5 m/s.
    const landed = await s.run(
      v.waitUntil((st) => !st.armed, { timeoutMs: 60_000, what: 'landed and disarmed' }),
    );
    expect(landed.position?.altRelM).toBeLessThan(1);
  });

  it('flies a mission through a 40 s link outage: loss reported, telemetry resumes, flight ends landed', async () => {
    const { v, s } = await connected();
    // The QGroundControl-written survey carries a geofence and rally points: they go up before the mission.
    const survey = await loadMissionFile(`${REPO_ROOT}/fixtures/plans/site-survey.plan`);
    const fenceItems = toFenceItems(survey.fence);
    const rallyItems = toRallyItems(survey.rally);
    expect(fenceItems.length).toBeGreaterThan(3);
    expect(rallyItems.length).toBeGreaterThan(0);
    const events: string[] = [];
    let outageStarted = false;
    const items = await demoItems();
    const summary = await s.run(
      flyMission(v, items, {
        minBatteryPct: 50,
        fenceItems,
        rallyItems,
        listener: {
          reached: (seq) => {
            events.push(`reached ${seq}`);
            if (seq === 2 && !outageStarted) {
              outageStarted = true;
              // Long enough to hide a waypoint reached (the legs take 14–16 s), shorter than
              // LINK_TIMING.flightLinkLossGiveUpMs (60 s). (Sped up ×10 on the wall clock it was 4 s.)
              s.sim.startOutage(40);
            }
          },
          linkLost: () => events.push('lost'),
          linkRegained: () => events.push('regained'),
        },
      }),
    );
    expect(events.indexOf('lost')).toBeGreaterThan(events.indexOf('reached 2'));
    expect(events.indexOf('regained')).toBeGreaterThan(events.indexOf('lost'));
    expect(summary.linkLosses).toBe(1);
    // MISSION_ITEM_REACHED sent during the outage is lost; the summary still holds every navigation
    // item, in order up to the RTL: those the outage hid are inferred from the items passed.
    const navigationSeqs = items.flatMap((item, seq) => (seq > 0 && isNavCommand(item.command) ? [seq] : []));
    expect(summary.reachedSeqs).toEqual(navigationSeqs);
    expect(navigationSeqs.filter((seq) => !s.reached.includes(seq))).not.toEqual([]);
    expect(summary.reachedSeqs.at(-1)).toBe(6);
    expect(v.state.armed).toBe(false);
    expect(v.state.position?.altRelM).toBeLessThan(1);
    expect(v.state.modeName).toBe('AUTO');
    // Equal as the vehicle stores them (degrees to 1e-7).
    const fenceOnBoard = await s.run(downloadMission(v.link, v.target, { missionType: MissionType.Fence }));
    const rallyOnBoard = await s.run(downloadMission(v.link, v.target, { missionType: MissionType.Rally }));
    expect(missionsDiffer(fenceItems, fenceOnBoard)).toBeUndefined();
    expect(missionsDiffer(rallyItems, rallyOnBoard)).toBeUndefined();
  });
});
