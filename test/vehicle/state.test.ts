import { ardupilotmega, common, minimal } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../src/mavlink/index.js';
import { applyMessage, initialState } from '../../src/vehicle/state.js';

function rx<T extends ReceivedMessage['message']>(message: T, timeUs = 1_000_000): ReceivedMessage {
  const clazz = message.constructor as unknown as { MSG_ID: number };
  return { message, msgid: clazz.MSG_ID, sysid: 1, compid: 1, seq: 0, timeUs, bytes: Buffer.alloc(0) };
}

describe('vehicle state from telemetry', () => {
  it('ignores the 0,0 position ArduPilot reports before its EKF origin is set', () => {
    const state = initialState(1, 1, 3);
    const zero = new common.GlobalPositionInt();
    expect(applyMessage(state, rx(zero))).toBe(false);
    expect(state.position).toBeNull();

    const fix = new common.GlobalPositionInt();
    fix.lat = 347245000;
    fix.lon = 1136302000;
    fix.alt = 140_500;
    fix.relativeAlt = 30_500;
    fix.vx = 300;
    fix.vy = 400;
    fix.hdg = 9000;
    applyMessage(state, rx(fix));
    expect(state.position).toMatchObject({
      latDeg: 34.7245,
      lonDeg: 113.6302,
      altAmslM: 140.5,
      altRelM: 30.5,
    });
    expect(state.groundSpeedMs).toBeCloseTo(5);
    expect(state.headingDeg).toBe(90);
  });

  it('reads armed state and mode from the heartbeat', () => {
    const state = initialState(1, 1, 3);
    const hb = new minimal.Heartbeat();
    hb.baseMode = (128 | 1) as minimal.MavModeFlag;
    hb.customMode = 3;
    applyMessage(state, rx(hb));
    expect(state).toMatchObject({ armed: true, modeName: 'AUTO' });
  });

  it('knows when the EKF has an absolute position and what the battery holds', () => {
    const state = initialState(1, 1, 3);
    const ekf = new ardupilotmega.EkfStatusReport();
    ekf.flags = (1 | 2 | 16) as ardupilotmega.EkfStatusFlags;
    applyMessage(state, rx(ekf));
    expect(state.ekfPositionOk).toBe(true);

    const sys = new common.SysStatus();
    sys.voltageBattery = 12_600;
    sys.batteryRemaining = 87;
    sys.currentBattery = -1;
    applyMessage(state, rx(sys));
    expect(state.battery).toEqual({ voltageV: 12.6, remainingPct: 87, currentA: null });
  });
});
