import { common } from 'node-mavlink';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/errors.js';
import {
  CommandRejectedError,
  LINK_TIMING,
  type MavLinkConnection,
  sendCommand,
  setCurrentMissionItem,
} from '../../src/mavlink/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { type LinkPair, openSimulatedLinkPair } from '../helpers/link-pair.js';

const Cmd = common.MavCmd;
const R = common.MavResult;

type Command = common.CommandLong | common.CommandInt;
interface Answer {
  result: common.MavResult;
  progress?: number;
}

/**
 * Stands in for a vehicle's command handling: `script` answers each COMMAND_LONG / COMMAND_INT with a
 * list of COMMAND_ACKs (sent 20 ms apart on `clock`), or with none to ignore it. Returns what the
 * vehicle received.
 */
function commandResponder(
  vehicle: MavLinkConnection,
  clock: FakeClock,
  script: (command: Command) => Answer[],
): Command[] {
  const received: Command[] = [];
  vehicle.onMessage((rx) => {
    const m = rx.message;
    if (!(m instanceof common.CommandLong || m instanceof common.CommandInt)) return;
    received.push(m);
    script(m).forEach(({ result, progress = 0 }, i) => {
      clock.setTimeout(() => {
        const ack = new common.CommandAck();
        ack.command = m.command;
        ack.result = result;
        ack.progress = progress;
        ack.resultParam2 = 0;
        ack.targetSystem = rx.sysid;
        ack.targetComponent = rx.compid;
        vehicle.send(ack);
      }, i * 20);
    });
  });
  return received;
}

// Over an in-memory link on a FakeClock: resends and give-ups run in simulated time.
describe('command client', () => {
  let clock: FakeClock;
  let pair: LinkPair;
  beforeEach(() => {
    clock = new FakeClock();
    pair = openSimulatedLinkPair(clock);
  });
  afterEach(async () => {
    await pair.close();
  });

  it('resends with the confirmation counted up until the vehicle acks', async () => {
    const received = commandResponder(pair.vehicle, clock, (m) =>
      m instanceof common.CommandLong && m.confirmation === 0 ? [] : [{ result: R.ACCEPTED }],
    );

    await clock.run(sendCommand(pair.gcs, pair.target, Cmd.COMPONENT_ARM_DISARM, [1], { clock }));

    expect(received.map((m) => (m as common.CommandLong).confirmation)).toEqual([0, 1]);
    expect(received[1]._param1).toBe(1);
  });

  it('rejects with the command and what the result means', async () => {
    commandResponder(pair.vehicle, clock, (m) => [
      { result: m.command === Cmd.NAV_TAKEOFF ? R.FAILED : R.DENIED },
    ]);

    const takeoff = clock.run(
      sendCommand(pair.gcs, pair.target, Cmd.NAV_TAKEOFF, [0, 0, 0, Number.NaN, 0, 0, 30], { clock }),
    );
    await expect(takeoff).rejects.toBeInstanceOf(CommandRejectedError);
    await expect(takeoff).rejects.toThrow(/^MAV_CMD_NAV_TAKEOFF failed: .*\(MAV_RESULT_FAILED\)$/);
    const arm = clock.run(sendCommand(pair.gcs, pair.target, Cmd.COMPONENT_ARM_DISARM, [1], { clock }));
    await expect(arm).rejects.toMatchObject({
      resultName: 'DENIED',
      message: expect.stringMatching(/^MAV_CMD_COMPONENT_ARM_DISARM was denied/),
    });
  });

  it('waits through IN_PROGRESS and reports its progress', async () => {
    commandResponder(pair.vehicle, clock, (m) =>
      m.command === Cmd.PREFLIGHT_CALIBRATION
        ? [
            { result: R.IN_PROGRESS, progress: 20 },
            { result: R.IN_PROGRESS, progress: 70 },
            { result: R.ACCEPTED },
          ]
        : [{ result: R.IN_PROGRESS, progress: 255 }, { result: R.TEMPORARILY_REJECTED }],
    );
    const progress: number[] = [];

    await clock.run(
      sendCommand(pair.gcs, pair.target, Cmd.PREFLIGHT_CALIBRATION, [0, 0, 0, 0, 1], {
        clock,
        onProgress: (pct) => progress.push(pct),
      }),
    );

    expect(progress).toEqual([20, 70]);
    await expect(
      clock.run(sendCommand(pair.gcs, pair.target, Cmd.DO_MOTOR_TEST, [1], { clock })),
    ).rejects.toThrow(/MAV_CMD_DO_MOTOR_TEST was temporarily rejected/);
  });

  it('sends COMMAND_INT with latitude and longitude as degrees × 1e7', async () => {
    const received = commandResponder(pair.vehicle, clock, () => [{ result: R.ACCEPTED }]);

    await clock.run(
      sendCommand(
        pair.gcs,
        pair.target,
        Cmd.DO_REPOSITION,
        [-1, 0, 0, Number.NaN, 47.3977418, 8.5455939, 40],
        {
          useInt: true,
          clock,
        },
      ),
    );

    const m = received[0] as common.CommandInt;
    expect(m).toBeInstanceOf(common.CommandInt);
    expect([m.frame, m._param5, m._param6, m._param7]).toEqual([3, 473977418, 85455939, 40]);
  });

  it('gives up with a TimeoutError when the vehicle never acks', async () => {
    const received = commandResponder(pair.vehicle, clock, () => []);

    const command = clock.run(sendCommand(pair.gcs, pair.target, Cmd.NAV_RETURN_TO_LAUNCH, [], { clock }));

    await expect(command).rejects.toBeInstanceOf(TimeoutError);
    await expect(command).rejects.toThrow(
      /MAV_CMD_NAV_RETURN_TO_LAUNCH: no COMMAND_ACK from 1\/1 after 4 tries/,
    );
    expect(received).toHaveLength(4);
    expect(clock.nowMs()).toBe((LINK_TIMING.commandRetries + 1) * LINK_TIMING.commandAckTimeoutMs);
  });

  it('sets the current mission item, falling back to MISSION_SET_CURRENT', async () => {
    let current = 0;
    commandResponder(pair.vehicle, clock, () => [{ result: R.UNSUPPORTED }]);
    // An older autopilot: it knows only the MISSION_SET_CURRENT message and reports MISSION_CURRENT.
    pair.vehicle.onMessage((rx) => {
      if (!(rx.message instanceof common.MissionSetCurrent)) return;
      current = rx.message.seq;
      const report = new common.MissionCurrent();
      Object.assign(report, { seq: current, total: 10, missionState: 0, missionMode: 0 });
      Object.assign(report, { missionId: 0, fenceId: 0, rallyPointsId: 0 });
      pair.vehicle.send(report);
    });

    await clock.run(setCurrentMissionItem(pair.gcs, pair.target, 5, { clock }));

    expect(current).toBe(5);
  });
});
