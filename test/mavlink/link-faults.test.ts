// The link under two faults of the ground station's own: a subscriber that throws (a bug in one part of
// the daemon), and this machine's wall clock jumping an hour (NTP, an operator) mid-flight. In simulated
// time: the simulator and the link on one FakeClock over an in-memory link; the link's packet stamps come
// from a wall clock the test jumps, as Date.now() does.
import { minimal } from 'node-mavlink';
import { afterEach, expect, it } from 'vitest';
import { MavLinkConnection, type Peer } from '../../src/mavlink/index.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { openSimulatedTransportPair } from '../helpers/link-pair.js';
import { HOME } from '../helpers/sim-gcs.js';

const HOUR_US = 3_600_000_000;
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

/** The simulator and a ground-station link on one fake clock; `wall.offsetUs` jumps the link's stamps. */
async function simAndLink() {
  const clock = new FakeClock();
  const wall = { offsetUs: 0 };
  const startUs = Date.UTC(2026, 4, 3, 9, 30) * 1000;
  const ends = openSimulatedTransportPair(clock, 5);
  const sim: Simulator = await startSimulator({ transport: ends.vehicle, home: HOME, clock });
  const gcs = new MavLinkConnection(ends.gcs, {
    clock,
    clockUs: () => startUs + clock.nowMs() * 1000 + wall.offsetUs,
  });
  open.push(sim, gcs);
  const peerEvents: string[] = [];
  gcs.on('peer-lost', (p: Peer) => peerEvents.push(`lost ${p.sysid}`));
  gcs.on('peer-regained', (p: Peer) => peerEvents.push(`regained ${p.sysid}`));
  await clock.advance(3000);
  return { clock, wall, sim, gcs, peerEvents };
}

it('a subscriber that throws keeps no message from the others; the link counts it, says it, and goes on', async () => {
  const { clock, gcs } = await simAndLink();
  const errors: unknown[] = [];
  gcs.on('handler-error', (err) => errors.push(err));
  let beats = 0;
  let thrown = 0;
  gcs.onMessage((rx) => {
    if (rx.message instanceof minimal.Heartbeat && thrown < 3) {
      thrown++;
      throw new Error('a bug in a subscriber');
    }
  });
  gcs.onMessage((rx) => {
    if (rx.message instanceof minimal.Heartbeat) beats++;
  });
  await clock.advance(10_000);

  // Ten heartbeats at 1 Hz: all reached the second subscriber, the first's three throws notwithstanding.
  expect(beats).toBeGreaterThanOrEqual(10);
  expect(errors.map((e) => (e as Error).message)).toEqual(Array(3).fill('a bug in a subscriber'));
  expect(gcs.stats.handlerErrors).toBe(3);
  // The link still follows the vehicle and waits on its messages.
  expect([...gcs.peers.values()].map((p) => p.lost)).toEqual([false]);
  const hb = await clock.run(gcs.waitFor(minimal.Heartbeat, () => true, { timeoutMs: 2000 }));
  expect(hb.sysid).toBe(1);
});

it('the wall clock set an hour forward loses no vehicle; set an hour back, it hides no real loss', async () => {
  const { clock, wall, sim, gcs, peerEvents } = await simAndLink();

  wall.offsetUs += HOUR_US;
  await clock.advance(10_000);
  expect(peerEvents).toEqual([]);
  expect(gcs.silentMs(1, 1)).toBeLessThan(1500);

  wall.offsetUs -= 2 * HOUR_US;
  await clock.advance(10_000);
  expect(peerEvents).toEqual([]);

  // A real 10 s outage an hour "before" the last heartbeat's stamp: lost after 3.5 s all the same.
  sim.startOutage(10);
  await clock.advance(4000);
  expect(peerEvents).toEqual(['lost 1']);
  expect(gcs.silentMs(1, 1)).toBeGreaterThanOrEqual(3500);
  await clock.advance(8000);
  expect(peerEvents).toEqual(['lost 1', 'regained 1']);
});
