import { ardupilotmega, common, type MavLinkData } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { decodeFrame, FrameEncoder } from '../../src/mavlink/codec.js';
import {
  decodeCommandIntParams,
  decodeGimbalDeviceAttitude,
  decodeGlobalPosition,
  decodeGlobalTarget,
  decodeGpsQuality,
  decodeHomePosition,
  decodeMountStatus,
  decodeSysStatusBattery,
  decodeSystemTime,
  encodeBatteryStatus,
  encodeGlobalPosition,
  encodeGpsRaw,
  encodeHomePosition,
  encodeSysStatusBattery,
  type GlobalPosition,
} from '../../src/mavlink/index.js';

const encoder = new FrameEncoder(1, 1);

/** The message as the other end reads it: serialised to a MAVLink 2 frame and parsed back. */
function overTheWire<T extends MavLinkData>(message: T): T {
  const rx = decodeFrame(encoder.encode(message), 0);
  if (!rx) throw new Error('frame not decoded');
  return rx.message as T;
}

function globalPositionInt(fields: Partial<common.GlobalPositionInt>): common.GlobalPositionInt {
  return overTheWire(Object.assign(new common.GlobalPositionInt(), fields));
}

describe('GLOBAL_POSITION_INT', () => {
  it('becomes degrees, metres and m/s (NED), with the heading in degrees', () => {
    const p = decodeGlobalPosition(
      globalPositionInt({
        timeBootMs: 123_456,
        lat: 347_245_000,
        lon: 1_136_302_000,
        alt: 140_500,
        relativeAlt: 30_500,
        vx: 300,
        vy: -400,
        vz: -150,
        hdg: 9_000,
      }),
    );
    expect(p).not.toBeNull();
    expect(p?.timeBootMs).toBe(123_456);
    expect(p?.latDeg).toBeCloseTo(34.7245, 10);
    expect(p?.lonDeg).toBeCloseTo(113.6302, 10);
    expect(p?.altAmslM).toBeCloseTo(140.5, 10);
    expect(p?.altRelM).toBeCloseTo(30.5, 10);
    expect(p?.velNorthMs).toBeCloseTo(3, 10);
    expect(p?.velEastMs).toBeCloseTo(-4, 10);
    // vz is positive down: −1.5 m/s is a climb.
    expect(p?.velDownMs).toBeCloseTo(-1.5, 10);
    expect(p?.headingDeg).toBeCloseTo(90, 10);
  });

  it('reads no position from lat 0, lon 0 (ArduPilot before its EKF origin is set)', () => {
    expect(decodeGlobalPosition(globalPositionInt({ relativeAlt: 1_000, vx: 100, hdg: 4_500 }))).toBeNull();
  });

  it('keeps a fix on the equator or on the prime meridian: only both at 0 means none', () => {
    const equator = decodeGlobalPosition(globalPositionInt({ lat: 0, lon: -785_000_000 }));
    expect(equator?.latDeg).toBe(0);
    expect(equator?.lonDeg).toBeCloseTo(-78.5, 10);
    const greenwich = decodeGlobalPosition(globalPositionInt({ lat: 514_779_000, lon: 0 }));
    expect(greenwich?.latDeg).toBeCloseTo(51.4779, 10);
    expect(greenwich?.lonDeg).toBe(0);
  });

  it('reads heading 65535 as unknown, and 0 and 359.99° as headings', () => {
    const at = (hdg: number) => decodeGlobalPosition(globalPositionInt({ lat: 1, lon: 1, hdg }))?.headingDeg;
    expect(at(0xffff)).toBeNull();
    expect(at(0)).toBe(0);
    expect(at(35_999)).toBeCloseTo(359.99, 10);
  });

  it('reaches the ends of the ranges: ±90°, ±180°, the int16 velocities, below sea level', () => {
    const p = decodeGlobalPosition(
      globalPositionInt({
        lat: -900_000_000,
        lon: 1_800_000_000,
        alt: -430_000,
        relativeAlt: -2_500,
        vx: -32_768,
        vy: 32_767,
        vz: 0,
      }),
    );
    expect(p?.latDeg).toBe(-90);
    expect(p?.lonDeg).toBe(180);
    expect(p?.altAmslM).toBe(-430);
    expect(p?.altRelM).toBe(-2.5);
    expect(p?.velNorthMs).toBeCloseTo(-327.68, 10);
    expect(p?.velEastMs).toBeCloseTo(327.67, 10);
    expect(p?.velDownMs).toBe(0);
  });
});

describe('GPS_RAW_INT', () => {
  it('reads the fix type, satellites and HDOP', () => {
    const m = Object.assign(new common.GpsRawInt(), {
      fixType: common.GpsFixType.GPS_FIX_TYPE_3D_FIX,
      satellitesVisible: 14,
      eph: 121,
    });
    expect(decodeGpsQuality(overTheWire(m))).toEqual({ fixType: 3, satellites: 14, hdop: 1.21 });
  });

  it('reads satellites 255 and eph 65535 as unknown, 0 as zero', () => {
    const unknown = Object.assign(new common.GpsRawInt(), { satellitesVisible: 255, eph: 0xffff });
    expect(decodeGpsQuality(overTheWire(unknown))).toEqual({ fixType: 0, satellites: null, hdop: null });
    const zero = Object.assign(new common.GpsRawInt(), { satellitesVisible: 0, eph: 0 });
    expect(decodeGpsQuality(overTheWire(zero))).toEqual({ fixType: 0, satellites: 0, hdop: 0 });
  });
});

describe('SYS_STATUS battery', () => {
  it('reads volts, percent and amps', () => {
    const m = Object.assign(new common.SysStatus(), {
      voltageBattery: 12_600,
      batteryRemaining: 87,
      currentBattery: 1_234,
    });
    const b = decodeSysStatusBattery(overTheWire(m));
    expect(b.voltageV).toBeCloseTo(12.6, 10);
    expect(b.remainingPct).toBe(87);
    expect(b.currentA).toBeCloseTo(12.34, 10);
  });

  it('reads voltage 65535 and remaining or current −1 as unknown; an empty battery is 0 %, not unknown', () => {
    const unknown = Object.assign(new common.SysStatus(), {
      voltageBattery: 0xffff,
      batteryRemaining: -1,
      currentBattery: -1,
    });
    expect(decodeSysStatusBattery(overTheWire(unknown))).toEqual({
      voltageV: null,
      remainingPct: null,
      currentA: null,
    });
    const empty = Object.assign(new common.SysStatus(), { voltageBattery: 0, batteryRemaining: 0 });
    expect(decodeSysStatusBattery(overTheWire(empty))).toEqual({ voltageV: 0, remainingPct: 0, currentA: 0 });
  });
});

describe('HOME_POSITION', () => {
  it('becomes degrees and metres above mean sea level', () => {
    const m = Object.assign(new common.HomePosition(), {
      latitude: -337_000_000,
      longitude: 1_512_000_000,
      altitude: 58_250,
      q: [1, 0, 0, 0],
    });
    const home = decodeHomePosition(overTheWire(m));
    expect(home.latDeg).toBeCloseTo(-33.7, 10);
    expect(home.lonDeg).toBeCloseTo(151.2, 10);
    expect(home.altAmslM).toBeCloseTo(58.25, 10);
  });
});

describe('MOUNT_STATUS', () => {
  it('becomes radians: pitch, roll, yaw from pointing a, b, c in centidegrees', () => {
    const m = Object.assign(new ardupilotmega.MountStatus(), {
      pointingA: -9_000,
      pointingB: 150,
      pointingC: 18_000,
    });
    const angles = decodeMountStatus(overTheWire(m));
    expect(angles.pitchRad).toBeCloseTo(-Math.PI / 2, 12);
    expect(angles.rollRad).toBeCloseTo((1.5 * Math.PI) / 180, 12);
    expect(angles.yawRad).toBeCloseTo(Math.PI, 12);
  });
});

describe('GIMBAL_DEVICE_ATTITUDE_STATUS', () => {
  const F = common.GimbalDeviceFlags;
  const status = (q: number[], flags: number) =>
    overTheWire(Object.assign(new common.GimbalDeviceAttitudeStatus(), { q, flags, timeBootMs: 1234 }));
  /** [w, x, y, z] of ZYX Euler angles in degrees. */
  const quaternion = (yawDeg: number, pitchDeg: number, rollDeg: number) => {
    const [y, p, r] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 360);
    return [
      Math.cos(r) * Math.cos(p) * Math.cos(y) + Math.sin(r) * Math.sin(p) * Math.sin(y),
      Math.sin(r) * Math.cos(p) * Math.cos(y) - Math.cos(r) * Math.sin(p) * Math.sin(y),
      Math.cos(r) * Math.sin(p) * Math.cos(y) + Math.sin(r) * Math.cos(p) * Math.sin(y),
      Math.cos(r) * Math.cos(p) * Math.sin(y) - Math.sin(r) * Math.sin(p) * Math.cos(y),
    ];
  };
  const DEG = Math.PI / 180;

  it('becomes ZYX Euler angles, its yaw in the frame the flags say (yaw lock alone: earth)', () => {
    const q = quaternion(30, -45, 5);
    const inVehicle = decodeGimbalDeviceAttitude(
      status(q, F.ROLL_LOCK | F.PITCH_LOCK | F.YAW_IN_VEHICLE_FRAME),
    );
    expect(inVehicle?.yawRad).toBeCloseTo(30 * DEG, 6);
    expect(inVehicle?.pitchRad).toBeCloseTo(-45 * DEG, 6);
    expect(inVehicle?.rollRad).toBeCloseTo(5 * DEG, 6);
    expect(inVehicle?.yawFrame).toBe('vehicle');
    expect(decodeGimbalDeviceAttitude(status(q, F.YAW_IN_EARTH_FRAME))?.yawFrame).toBe('earth');
    expect(decodeGimbalDeviceAttitude(status(q, F.YAW_LOCK))?.yawFrame).toBe('earth');
    expect(decodeGimbalDeviceAttitude(status(q, 0))?.yawFrame).toBe('vehicle');
  });

  it('is null without a usable quaternion: NaN (attitude unknown) or far from unit length', () => {
    expect(decodeGimbalDeviceAttitude(status([Number.NaN, 0, 0, 0], 0))).toBeNull();
    expect(decodeGimbalDeviceAttitude(status([0, 0, 0, 0], 0))).toBeNull();
  });
});

describe('SYSTEM_TIME', () => {
  it('pairs the Unix time with the boot time, and is null while the vehicle does not know the time', () => {
    const m = (unixUs: bigint) =>
      overTheWire(Object.assign(new common.SystemTime(), { timeUnixUsec: unixUs, timeBootMs: 52_000 }));
    expect(decodeSystemTime(m(1_796_688_986_502_123n))).toEqual({
      unixUs: 1_796_688_986_502_123,
      timeBootMs: 52_000,
    });
    expect(decodeSystemTime(m(0n))).toBeNull();
  });
});

describe('SET_POSITION_TARGET_GLOBAL_INT', () => {
  it('gives the target in degrees with its altitude and frame as sent', () => {
    const m = Object.assign(new common.SetPositionTargetGlobalInt(), {
      latInt: 347_245_000,
      lonInt: -1_136_302_000,
      alt: 42.5,
      coordinateFrame: common.MavFrame.GLOBAL_RELATIVE_ALT_INT,
    });
    const t = decodeGlobalTarget(overTheWire(m));
    expect(t.latDeg).toBeCloseTo(34.7245, 10);
    expect(t.lonDeg).toBeCloseTo(-113.6302, 10);
    expect(t.altM).toBe(42.5);
    expect(t.frame).toBe(common.MavFrame.GLOBAL_RELATIVE_ALT_INT);
  });
});

describe('COMMAND_INT', () => {
  const command = (frame: common.MavFrame, x: number, y: number) =>
    overTheWire(
      Object.assign(new common.CommandInt(), {
        command: common.MavCmd.DO_REPOSITION,
        frame,
        _param1: 5,
        _param2: 1,
        _param3: 0,
        _param4: Number.NaN,
        _param5: x,
        _param6: y,
        _param7: 30,
      }),
    );

  it('gives params 5 and 6 in degrees in a global frame, the others as sent', () => {
    const p = decodeCommandIntParams(
      command(common.MavFrame.GLOBAL_RELATIVE_ALT, 347_245_000, -1_136_302_000),
    );
    expect(p).toHaveLength(7);
    expect(p.slice(0, 3)).toEqual([5, 1, 0]);
    expect(p[3]).toBeNaN();
    expect(p[4]).toBeCloseTo(34.7245, 10);
    expect(p[5]).toBeCloseTo(-113.6302, 10);
    expect(p[6]).toBe(30);
  });

  it('leaves params 5 and 6 as they are in a frame without a position', () => {
    const p = decodeCommandIntParams(command(common.MavFrame.MISSION, 7, -3));
    expect([p[4], p[5]]).toEqual([7, -3]);
  });
});

describe('encoding what a vehicle sends (the simulator)', () => {
  const position: GlobalPosition = {
    timeBootMs: 5_000,
    latDeg: -33.712_345_6,
    lonDeg: 151.123_456_7,
    altAmslM: 58.25,
    altRelM: 30.004,
    velNorthMs: 3.21,
    velEastMs: -4.5,
    velDownMs: 0.75,
    headingDeg: 271.234,
  };

  it('GLOBAL_POSITION_INT reads back within its resolution (1e-7°, 1 mm, 1 cm/s, 0.01°)', () => {
    const p = decodeGlobalPosition(overTheWire(encodeGlobalPosition(position)));
    expect(p?.timeBootMs).toBe(5_000);
    expect(p?.latDeg).toBeCloseTo(position.latDeg, 7);
    expect(p?.lonDeg).toBeCloseTo(position.lonDeg, 7);
    expect(p?.altAmslM).toBeCloseTo(58.25, 3);
    expect(p?.altRelM).toBeCloseTo(30.004, 3);
    expect(p?.velNorthMs).toBeCloseTo(3.21, 2);
    expect(p?.velEastMs).toBeCloseTo(-4.5, 2);
    expect(p?.velDownMs).toBeCloseTo(0.75, 2);
    expect(p?.headingDeg).toBeCloseTo(271.23, 2);
  });

  it('GLOBAL_POSITION_INT without a fix goes as lat, lon, alt 0 and reads back as no position', () => {
    const { latDeg, lonDeg, altAmslM, ...noFix } = position;
    const m = encodeGlobalPosition(noFix);
    expect([m.lat, m.lon, m.alt, m.relativeAlt]).toEqual([0, 0, 0, 30_004]);
    expect(decodeGlobalPosition(overTheWire(m))).toBeNull();
  });

  it('sends headings in 0–359.99°, and an unknown heading as 65535', () => {
    const hdg = (headingDeg: number | null) => encodeGlobalPosition({ ...position, headingDeg }).hdg;
    expect(hdg(-90)).toBe(27_000);
    expect(hdg(360)).toBe(0);
    expect(hdg(359.996)).toBe(0);
    expect(hdg(720.5)).toBe(50);
    expect(hdg(null)).toBe(0xffff);
  });

  it('GPS_RAW_INT: a fix and its quality, unknowns as 65535 and 255, the course as 0–359.99°', () => {
    const fix = overTheWire(
      encodeGpsRaw({
        timeUnixUs: 1_700_000_000_000_000n,
        fixType: 3,
        satellites: 12,
        hdop: 1.21,
        vdop: 2,
        latDeg: 34.7245,
        lonDeg: 113.6302,
        altAmslM: 140.5,
        groundSpeedMs: 7.25,
        courseDeg: -45,
      }),
    );
    expect(decodeGpsQuality(fix)).toEqual({ fixType: 3, satellites: 12, hdop: 1.21 });
    expect([fix.lat, fix.lon, fix.alt, fix.epv, fix.vel, fix.cog]).toEqual([
      347_245_000, 1_136_302_000, 140_500, 200, 725, 31_500,
    ]);
    expect(fix.timeUsec).toBe(1_700_000_000_000_000n);
    const none = overTheWire(
      encodeGpsRaw({
        timeUnixUs: 0n,
        fixType: 1,
        satellites: null,
        hdop: null,
        vdop: null,
        latDeg: 0,
        lonDeg: 0,
        altAmslM: 0,
        groundSpeedMs: 0,
        courseDeg: 0,
      }),
    );
    expect(decodeGpsQuality(none)).toEqual({ fixType: 1, satellites: null, hdop: null });
    expect(none.epv).toBe(0xffff);
  });

  it('SYS_STATUS battery reads back, unknowns included', () => {
    const known = decodeSysStatusBattery(
      overTheWire(encodeSysStatusBattery({ voltageV: 15.204, remainingPct: 86.6, currentA: 21.555 })),
    );
    expect(known.voltageV).toBeCloseTo(15.204, 3);
    // ArduPilot truncates battery_remaining (SITL: 66.6 % left reads 66), so 86.6 % reads 86.
    expect(known.remainingPct).toBe(86);
    expect(known.currentA).toBeCloseTo(21.56, 2);
    const unknown = { voltageV: null, remainingPct: null, currentA: null };
    expect(decodeSysStatusBattery(overTheWire(encodeSysStatusBattery(unknown)))).toEqual(unknown);
  });

  it('HOME_POSITION reads back within 1e-7° and 1 mm', () => {
    const home = { latDeg: 51.477_928_1, lonDeg: -0.001_545_3, altAmslM: -12.345 };
    const m = encodeHomePosition(home);
    m.q = [1, 0, 0, 0];
    const back = decodeHomePosition(overTheWire(m));
    expect(back.latDeg).toBeCloseTo(home.latDeg, 7);
    expect(back.lonDeg).toBeCloseTo(home.lonDeg, 7);
    expect(back.altAmslM).toBeCloseTo(home.altAmslM, 3);
  });

  it('BATTERY_STATUS: the pack in the first cell (mV), current in cA, energy in hJ, whole percent truncated', () => {
    const m = overTheWire(
      encodeBatteryStatus({
        voltageV: 15.2,
        currentA: 20.5,
        consumedMah: 1_234.4,
        consumedJ: 67_890,
        remainingPct: 74.6,
        timeRemainingS: 612.4,
      }),
    );
    expect(m.voltages).toEqual([15_200, ...Array<number>(9).fill(0xffff)]);
    expect([
      m.currentBattery,
      m.currentConsumed,
      m.energyConsumed,
      m.batteryRemaining,
      m.timeRemaining,
    ]).toEqual([2_050, 1_234, 679, 74, 612]);
  });
});
