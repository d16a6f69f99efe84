import { common } from 'node-mavlink';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError, TimeoutError } from '../../src/errors.js';
import {
  clearMission,
  downloadMission,
  LINK_TIMING,
  MissionServer,
  type MissionTransferState,
  MissionType,
  uploadAndVerifyMission,
  uploadMission,
} from '../../src/mavlink/index.js';
import { IllegalTransitionError, missionTransferTransition } from '../../src/mavlink/mission-transfer.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { type LinkPair, openSimulatedLinkPair } from '../helpers/link-pair.js';
import { patrolItems } from './mission-items.js';

const Result = common.MavMissionResult;
/** A step fails after this long without progress. */
const GIVE_UP_MS = (LINK_TIMING.missionRetries + 1) * LINK_TIMING.missionItemTimeoutMs;

/** Resolves to whether `promise` has settled by now (after pending I/O callbacks ran). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

// The mission protocol over an in-memory link with 5 ms latency each way, all on a FakeClock: resends,
// give-ups and loss run in simulated time.
describe('mission transfer state machine (simulated time)', () => {
  let clock: FakeClock;
  let pair: LinkPair;
  let states: MissionTransferState[];
  beforeEach(() => {
    clock = new FakeClock();
    pair = openSimulatedLinkPair(clock);
    states = [];
  });
  afterEach(async () => {
    await pair.close();
  });
  const opts = () => ({ clock, onStateChange: (state: MissionTransferState) => states.push(state) });

  it('goes sendingCount → sendingItems → awaitingAck → done on a clean upload', async () => {
    const server = new MissionServer(pair.vehicle, { clock });
    const items = patrolItems(10);

    await clock.run(uploadMission(pair.gcs, pair.target, items, opts()));

    expect(states).toEqual(['sendingCount', 'sendingItems', 'awaitingAck', 'done']);
    expect(server.items(MissionType.Mission)).toEqual(items);
    expect(pair.gcs.missionTransfers.state).toBe('idle');
  });

  it('goes requestingList → requestingItem → done on a clean download, and clearing → done on a clear', async () => {
    const server = new MissionServer(pair.vehicle, { clock });
    const items = patrolItems(6);
    server.setItems(MissionType.Mission, items);

    expect(await clock.run(downloadMission(pair.gcs, pair.target, opts()))).toEqual(items);
    expect(states).toEqual(['requestingList', 'requestingItem', 'done']);

    states = [];
    await clock.run(clearMission(pair.gcs, pair.target, opts()));
    expect(states).toEqual(['clearing', 'done']);
    expect(server.items(MissionType.Mission)).toEqual([]);
  });

  it('ends an empty upload and an empty download without items', async () => {
    new MissionServer(pair.vehicle, { clock });

    await clock.run(uploadMission(pair.gcs, pair.target, [], opts()));
    expect(states).toEqual(['sendingCount', 'done']);

    states = [];
    expect(await clock.run(downloadMission(pair.gcs, pair.target, opts()))).toEqual([]);
    expect(states).toEqual(['requestingList', 'done']);
  });

  it('refuses a transition its table does not allow', () => {
    expect(missionTransferTransition('sendingItems', 'awaitingAck')).toBe('awaitingAck');
    expect(() => missionTransferTransition('done', 'sendingItems')).toThrow(IllegalTransitionError);
    expect(() => missionTransferTransition('idle', 'awaitingAck')).toThrow(
      'mission transfer: illegal transition idle → awaitingAck',
    );
    expect(() => missionTransferTransition('requestingItem', 'sendingItems')).toThrow(IllegalTransitionError);
  });

  it('gives up after (retries + 1) × timeout without an answer, resending MISSION_COUNT meanwhile', async () => {
    const received: (common.MissionCount | common.MissionAck)[] = [];
    pair.vehicle.onMessage(({ message }) => {
      if (message instanceof common.MissionCount || message instanceof common.MissionAck)
        received.push(message);
    });

    const upload = uploadMission(pair.gcs, pair.target, patrolItems(5), opts());
    await clock.advance(GIVE_UP_MS - 1);

    expect(await settled(upload)).toBe(false);
    expect(pair.gcs.missionTransfers.state).toBe('sendingCount');
    expect(received).toHaveLength(LINK_TIMING.missionRetries + 1);
    await clock.advance(1);
    await expect(upload).rejects.toBeInstanceOf(TimeoutError);
    await expect(upload).rejects.toThrow(
      `mission upload: the vehicle did not answer MISSION_COUNT within ${GIVE_UP_MS / 1000} s`,
    );
    expect(states).toEqual(['sendingCount', 'failed']);
    // The vehicle is told that the ground station gave up.
    await clock.advance(10);
    expect(received.at(-1)).toMatchObject({ type: Result.OPERATION_CANCELLED });
  });

  it('gives up on a stalled upload (retries + 1) × timeout after its last progress', async () => {
    const server = new MissionServer(pair.vehicle, { clock });
    const old = patrolItems(5, 1);
    server.setItems(MissionType.Mission, old);
    let lastProgressAtMs = 0;

    const upload = uploadMission(pair.gcs, pair.target, patrolItems(20), {
      ...opts(),
      onProgress: (done) => {
        lastProgressAtMs = clock.nowMs();
        // The link goes dead both ways once item 8 was requested.
        if (done === 8) pair.faults.setFaults({ lossIn: 1, lossOut: 1 });
      },
    });

    await expect(clock.run(upload)).rejects.toThrow(
      `mission upload stalled: the vehicle did not request item 9 of 20 within ${GIVE_UP_MS / 1000} s`,
    );
    expect(clock.nowMs() - lastProgressAtMs).toBe(GIVE_UP_MS);
    expect(states.at(-1)).toBe('failed');
    expect(server.items(MissionType.Mission)).toEqual(old);
  });

  it('gives up on a download with no MISSION_COUNT, and a cancelled transfer ends cancelled', async () => {
    const download = downloadMission(pair.gcs, pair.target, opts());
    await expect(clock.run(download)).rejects.toThrow(
      `mission download: no MISSION_COUNT within ${GIVE_UP_MS / 1000} s`,
    );
    expect(clock.nowMs()).toBe(GIVE_UP_MS);
    expect(states).toEqual(['requestingList', 'failed']);

    states = [];
    new MissionServer(pair.vehicle, { clock });
    const controller = new AbortController();
    const upload = uploadMission(pair.gcs, pair.target, patrolItems(50), {
      ...opts(),
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 10) controller.abort();
      },
    });
    await expect(clock.run(upload)).rejects.toBeInstanceOf(CancelledError);
    expect(states).toEqual(['sendingCount', 'sendingItems', 'cancelled']);
  });

  it('recovers when the final ack is lost', async () => {
    const server = new MissionServer(pair.vehicle, { clock });
    const send = pair.vehicle.send.bind(pair.vehicle);
    let acksDropped = 0;
    pair.vehicle.send = (message) => {
      if (message instanceof common.MissionAck && message.type === Result.ACCEPTED && acksDropped === 0) {
        acksDropped++;
        return;
      }
      send(message);
    };
    const items = patrolItems(20);

    await clock.run(uploadMission(pair.gcs, pair.target, items, opts()));

    expect(acksDropped).toBe(1);
    expect(states).toEqual(['sendingCount', 'sendingItems', 'awaitingAck', 'done']);
    expect(server.items(MissionType.Mission)).toEqual(items);
  });

  it.each([
    ['10 % loss each way', { lossIn: 0.1, lossOut: 0.1 }, 7],
    ['30 % loss each way and 20 % duplicates', { lossIn: 0.3, lossOut: 0.3, duplicate: 0.2 }, 11],
  ])('uploads 300 items and reads them back identical with %s', async (_, faults, seed) => {
    await pair.close();
    pair = openSimulatedLinkPair(clock, faults, seed);
    const server = new MissionServer(pair.vehicle, { clock });
    const items = patrolItems(300);

    const back = await clock.run(uploadAndVerifyMission(pair.gcs, pair.target, items, { clock }));

    expect(back).toEqual(items);
    expect(server.items(MissionType.Mission)).toEqual(items);
    // Packets were lost on the way: the transfer survived by resending.
    expect(pair.vehicle.stats.packetsIn).toBeLessThan(pair.gcs.stats.packetsOut);
  });
});
