import { EventEmitter } from 'node:events';
import { common, minimal } from 'node-mavlink';
import { expect, it } from 'vitest';
import { LINK_TIMING } from '../../src/timing.js';
import { Sortie, type SortieState, type Vehicle } from '../../src/vehicle/index.js';
import { initialState } from '../../src/vehicle/state.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { missionItem } from '../helpers/mission-item.js';

/** Just what a sortie in the air reads of a vehicle: its state, its events, the link's clock. */
class FakeVehicle extends EventEmitter {
  state = { ...initialState(1, 1, minimal.MavAutopilot.ARDUPILOTMEGA), armed: true, modeName: 'AUTO' };
  link = { nowUs: () => 0 };
  clock = new FakeClock();

  async waitUntil(): Promise<void> {}

  set(change: Partial<FakeVehicle['state']>): void {
    Object.assign(this.state, change);
    this.emit('change', this.state);
  }
}

const ITEMS = [
  common.MavCmd.NAV_WAYPOINT,
  common.MavCmd.NAV_WAYPOINT,
  common.MavCmd.NAV_RETURN_TO_LAUNCH,
].map((command) => missionItem(command, { z: 20 }));

async function adopted(): Promise<{
  vehicle: FakeVehicle;
  sortie: Sortie;
  clock: FakeClock;
  states: SortieState[];
}> {
  const vehicle = new FakeVehicle();
  const { clock } = vehicle;
  const sortie = new Sortie(vehicle as unknown as Vehicle, ITEMS, { minBatteryPct: 50, clock });
  const states: SortieState[] = [];
  sortie.on('state', (state) => states.push(state));
  await sortie.adopt(0);
  sortie.enterAir();
  return { vehicle, sortie, clock, states };
}

it('in the air the state follows the mode, the mission’s own RTL item included, to landing', async () => {
  const { vehicle, sortie, states } = await adopted();
  const landed = sortie.follow();
  vehicle.set({ modeName: 'LOITER' });
  vehicle.set({ modeName: 'AUTO', missionCurrentSeq: 1 });
  vehicle.set({ missionCurrentSeq: 2 });
  vehicle.set({ armed: false });
  await landed;
  sortie.end('landed');
  expect(states).toEqual(['adopting', 'flying', 'paused', 'flying', 'returning', 'landed']);
  expect(sortie.launched).toBe(true);
  expect(() => sortie.enterAir()).toThrow("sortie: no transition from 'landed' to 'returning'");
});

it('a link silent for flightLinkLossGiveUpMs fails the sortie, on the injected clock', async () => {
  const { vehicle, sortie, clock } = await adopted();
  const landed = sortie.follow();
  vehicle.emit('lost');
  await clock.advance(LINK_TIMING.flightLinkLossGiveUpMs - 1);
  expect(sortie.state).toBe('flying');
  vehicle.emit('regained');
  vehicle.emit('lost');
  // The rejection comes while the clock advances: its handler must be there first.
  const failed = expect(landed).rejects.toThrow(/^link to the vehicle lost for 60 s in mode AUTO/);
  await clock.advance(LINK_TIMING.flightLinkLossGiveUpMs);
  await failed;
  expect(sortie.state).toBe('failed');
});

it('a flight that never lands stops being waited for after flightMaxDurationMs', async () => {
  const { sortie, clock } = await adopted();
  const landed = sortie.follow();
  const failed = expect(landed).rejects.toThrow(/still armed after 60 minutes/);
  await clock.advance(LINK_TIMING.flightMaxDurationMs);
  await failed;
  expect(sortie.state).toBe('failed');
});
