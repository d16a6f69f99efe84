import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { flightModeName, setModeParams } from '../../src/vehicle/index.js';

describe('flight mode names', () => {
  it('names ArduPilot Copter modes by their custom_mode number', () => {
    expect(flightModeName('ardupilot', 3)).toBe('AUTO');
    expect(flightModeName('ardupilot', 4)).toBe('GUIDED');
    expect(flightModeName('ardupilot', 6)).toBe('RTL');
    expect(flightModeName('ardupilot', 99)).toBe('MODE(99)');
  });

  it('decodes PX4 main and sub modes from custom_mode', () => {
    expect(flightModeName('px4', (4 << 24) | (4 << 16))).toBe('AUTO.MISSION');
    expect(flightModeName('px4', (5 << 24) | (4 << 16))).toBe('AUTO.RTL');
    expect(flightModeName('px4', 3 << 16)).toBe('POSCTL');
  });

  it('turns a mode name into DO_SET_MODE parameters for each firmware', () => {
    expect(setModeParams('ardupilot', 'guided')).toEqual([4, 0]);
    expect(setModeParams('px4', 'AUTO')).toEqual([4, 4]);
    expect(setModeParams('px4', 'RTL')).toEqual([4, 5]);
  });

  it('refuses a mode it does not know, listing the ones it does', () => {
    expect(() => setModeParams('ardupilot', 'HOVER')).toThrow(UserError);
    expect(() => setModeParams('ardupilot', 'HOVER')).toThrow(/unknown flight mode 'HOVER'.*LOITER/);
  });
});
