import { afterEach, describe, expect, it } from 'vitest';
import { missionsDiffer, uploadAndVerifyMission, uploadMission } from '../../src/mavlink/index.js';
import type { LinkFaults } from '../../src/sim/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { type SimAndGcs, startSimulatedSimAndGcs, waitForBoot } from '../helpers/sim-gcs.js';
import { patrolItems } from './mission-items.js';

// The built-in simulator with its link faults: the vehicle side is the same mission endpoint every
// simulated flight uses. In simulated time (startSimulatedSimAndGcs): the transfers' resends and
// timeouts, the jitter and the in-memory link's latency all count one fake clock, and the transfers use
// the link's clock.
describe('mission transfer against the simulator', () => {
  let s: SimAndGcs | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it.each<[string, Partial<LinkFaults>, number]>([
    ['10 % loss each way', { lossIn: 0.1, lossOut: 0.1 }, 7],
    ['20 % duplicates and 30 ms jitter (reordering)', { duplicate: 0.2, jitterMs: 30 }, 11],
  ])('uploads 300 items and reads them back identical with %s', async (_, faults, seed) => {
    s = await startSimulatedSimAndGcs(new FakeClock(), { faults, seed });
    await s.run(waitForBoot(s));
    const items = patrolItems(300);

    const back = await s.run(uploadAndVerifyMission(s.gcs, s.target, items));

    expect(back).toHaveLength(300);
    // Seq 0 is home, which the vehicle replaces with its own, as ArduPilot does.
    expect(missionsDiffer(items, back, { skipHome: true })).toBeUndefined();
  });

  it('says clearly that a vehicle without room refuses the mission', async () => {
    s = await startSimulatedSimAndGcs(new FakeClock(), { missionCapacity: 100 });
    await s.run(waitForBoot(s));
    await expect(s.run(uploadMission(s.gcs, s.target, patrolItems(300)))).rejects.toThrow(
      'vehicle has no space for 300 items (MAV_MISSION_NO_SPACE)',
    );
  });
});
