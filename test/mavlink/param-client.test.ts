import { common } from 'node-mavlink';
import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutError, UserError } from '../../src/errors.js';
import { LINK_TIMING, type MavLinkConnection, readParam, setParam } from '../../src/mavlink/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { type LinkPair, openLinkPair, openSimulatedLinkPair } from '../helpers/link-pair.js';

const T = common.MavParamType;

/**
 * Stands in for a vehicle's parameter table. Like ArduPilot it casts a value set on an integer
 * parameter, and stays silent about names it does not have.
 */
function paramResponder(
  vehicle: MavLinkConnection,
  table: Map<string, { value: number; type: number }>,
): void {
  const names = [...table.keys()];
  const report = (name: string) => {
    const param = table.get(name);
    if (!param) return;
    const m = new common.ParamValue();
    m.paramId = name;
    m.paramValue = param.value;
    m.paramType = param.type as common.MavParamType;
    m.paramCount = names.length;
    m.paramIndex = names.indexOf(name);
    vehicle.send(m);
  };
  vehicle.onMessage((rx) => {
    const m = rx.message;
    if (m instanceof common.ParamRequestRead) report(m.paramId);
    if (m instanceof common.ParamSet) {
      const param = table.get(m.paramId);
      if (!param) return;
      param.value = param.type === T.REAL32 ? m.paramValue : Math.trunc(m.paramValue);
      report(m.paramId);
    }
  });
}

function vehicleParams() {
  return new Map([
    ['WPNAV_SPEED', { value: 500, type: T.REAL32 }],
    ['RTL_ALT', { value: 1500, type: T.INT32 }],
    ['FENCE_ENABLE', { value: 0, type: T.INT8 }],
  ]);
}

describe('parameter client', () => {
  let pair: LinkPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  // Over real UDP on the wall clock; the tests after it run on an in-memory link in simulated time.
  it('reads and sets parameters, learning the type first', async () => {
    pair = await openLinkPair();
    const table = vehicleParams();
    paramResponder(pair.vehicle, table);

    expect(await readParam(pair.gcs, pair.target, 'RTL_ALT')).toEqual({
      name: 'RTL_ALT',
      value: 1500,
      type: T.INT32,
    });
    expect(await setParam(pair.gcs, pair.target, 'WPNAV_SPEED', 750.5)).toEqual({
      name: 'WPNAV_SPEED',
      value: 750.5,
      type: T.REAL32,
    });
    expect(table.get('WPNAV_SPEED')?.value).toBe(750.5);
  });

  it('survives a lossy link', async () => {
    const clock = new FakeClock();
    pair = openSimulatedLinkPair(clock, { lossIn: 0.25, lossOut: 0.25 }, 3);
    const table = vehicleParams();
    paramResponder(pair.vehicle, table);

    for (const value of [1, 0, 1]) {
      const set = await clock.run(setParam(pair.gcs, pair.target, 'FENCE_ENABLE', value, { clock }));
      expect(set.value).toBe(value);
    }
    expect(pair.vehicle.stats.packetsIn).toBeLessThan(pair.gcs.stats.packetsOut);
    expect(table.get('FENCE_ENABLE')?.value).toBe(1);
  });

  it('rejects when the vehicle keeps another value', async () => {
    const clock = new FakeClock();
    pair = openSimulatedLinkPair(clock);
    paramResponder(pair.vehicle, vehicleParams());

    const set = clock.run(setParam(pair.gcs, pair.target, 'RTL_ALT', 1500.5, { type: T.INT32, clock }));

    await expect(set).rejects.toBeInstanceOf(UserError);
    await expect(set).rejects.toThrow('setting parameter RTL_ALT to 1500.5: the vehicle keeps 1500');
    // Only an echo of the other value after a second send is believed.
    expect(clock.nowMs()).toBe(2 * LINK_TIMING.paramTimeoutMs);
  });

  it('reports a parameter the vehicle does not have, and a name MAVLink cannot carry', async () => {
    const clock = new FakeClock();
    pair = openSimulatedLinkPair(clock);
    paramResponder(pair.vehicle, vehicleParams());

    const read = clock.run(readParam(pair.gcs, pair.target, 'NO_SUCH_PARAM', { clock }));
    await expect(read).rejects.toBeInstanceOf(TimeoutError);
    await expect(read).rejects.toThrow(/NO_SUCH_PARAM: no PARAM_VALUE after 4 requests/);
    expect(clock.nowMs()).toBe((LINK_TIMING.paramRetries + 1) * LINK_TIMING.paramTimeoutMs);
    await expect(setParam(pair.gcs, pair.target, 'A_NAME_LONGER_THAN_16', 1)).rejects.toThrow(
      "parameter name 'A_NAME_LONGER_THAN_16' must be 1-16 characters (has 21)",
    );
  });
});
