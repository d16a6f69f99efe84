// The store's disk fills during a live patrol. Before, live alerts stopped at the first failed write and,
// about a minute later, the daemon died on an uncaught SqliteError from the patrol record while the drone
// was mid-mission. Now the daemon follows and commands the vehicle on, holds what it cannot store, says
// so on every channel (a fleet event, the log, the WebSocket and /api/health) and writes it all when
// there is room again; nothing stored before is lost.
//
// The full disk is SQLite's own full condition (SQLITE_FULL) on the daemon's connection to the real
// store, made with PRAGMA max_page_count and a filler table that takes the free pages (a real full disk
// needs a mount: root, or a user namespace CI may not have; test/mavlink/tlog-full-disk.test.ts and
// test/cli/full-disk.test.ts use one where they can). The alerts come straight into the service as live
// analytics hands them over (raiseOrHold); the patrol record is the fleet's own, written as it flies.
import { afterEach, expect, it } from 'vitest';
import type { ServerMessage } from '../../src/server/index.js';
import { STORE_TIMING } from '../../src/timing.js';
import { sighting } from '../alerts/sightings.js';
import { fillStore, freeStore } from '../helpers/full-store.js';
import { TestClient, VIEWER_TOKEN } from '../server/harness.js';
import { type FleetRig, startFleetRig, VEHICLE } from './fleet-rig.js';

/** Points inside demo sites D-01 and D-02. */
const D01 = { latDeg: 34.7262023, lonDeg: 113.6317302 };
const D02 = { latDeg: 34.7238, lonDeg: 113.6262 };

let rig: FleetRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

const storeMessages = (messages: ServerMessage[]) =>
  messages.filter((m): m is Extract<ServerMessage, { type: 'store' }> => m.type === 'store');

it('a full store mid-patrol: the vehicle is followed and commanded, alerts held and told everywhere, all written when there is room', async () => {
  const r = await startFleetRig({ speedup: 10, evidenceImages: 1 });
  rig = r;
  expect((await r.command('start')).status).toBe(200);
  await r.until(() => r.vehicle().patrolStatus === 'flying', 'the patrol to fly');
  const flightId = r.store.unfinishedPatrol(VEHICLE)?.flightId as string;
  const stored = await r.alerts.raiseOrHold(sighting({ flightId, ...D01, firstSeenUs: Date.now() * 1000 }));
  expect(stored.change).toBe('created');

  fillStore(r.store);
  const held = [
    await r.alerts.raiseOrHold(sighting({ flightId, ...D02, firstSeenUs: Date.now() * 1000 })),
    await r.alerts.raiseOrHold(
      sighting({ flightId, latDeg: 34.7283, lonDeg: 113.6349, firstSeenUs: Date.now() * 1000 + 1e6 }),
    ),
  ];
  expect(held.map((h) => h.change)).toEqual(['held', 'held']);

  // Every channel says it: the fleet's events, the log, the WebSocket, /api/health.
  const told = r.events.flatMap((e) => (e.type === 'store' && e.text ? [e.text] : []));
  expect(told[0]).toMatch(
    /^store unavailable: .*alerts\.db: cannot write the alert database: no space left on the device/,
  );
  expect(told.filter((t) => t.startsWith('alert held'))).toHaveLength(2);
  expect(told).toContainEqual(
    expect.stringMatching(/^more than 1 alerts held: the evidence image of the alert held for D-02 /),
  );
  expect(r.logs).toContainEqual({ level: 'error', text: told[0] });
  await r.viewer.next((m) => m.type === 'store' && m.status.heldAlerts === 2);
  expect(storeMessages(r.viewer.messages)[0]).toMatchObject({ level: 'error', status: { available: false } });
  expect((await r.health()).body).toMatchObject({
    ok: true,
    store: { available: false, heldAlerts: 2, evidenceDropped: 1 },
  });

  // The patrol flies on: its progress is held (not thrown into the link), the pilot's commands work.
  await r.until(() => (r.vehicle().waypoint?.current ?? 0) >= 4, 'the next waypoints');
  expect(r.alerts.storeStatus.heldRecords).toBeGreaterThanOrEqual(1);
  expect((await r.command('pause')).status).toBe(200);
  await r.until(() => r.vehicle().patrolStatus === 'paused', 'paused');
  expect((await r.command('resume')).status).toBe(200);
  await r.until(() => r.vehicle().patrolStatus === 'flying', 'flying again');
  // A client that connects now sees the state in its hello.
  const late = await TestClient.open(r.server.url, { token: VIEWER_TOKEN });
  expect(late.messages[0]).toMatchObject({ type: 'hello', store: { available: false, heldAlerts: 2 } });
  await late.close();

  // Room again: the next retry (on the store's clock) writes everything, in order.
  freeStore(r.store);
  await r.storeClock.advance(STORE_TIMING.retryDelayMs);
  expect(r.alerts.storeStatus).toMatchObject({ available: true, heldAlerts: 0, heldRecords: 0 });
  await r.viewer.next((m) => m.type === 'store' && m.status.available);
  expect(r.events.filter((e) => e.type === 'store').at(-1)).toMatchObject({
    level: 'info',
    text: expect.stringMatching(/^store available again: 2 held alerts and \d+ records? written$/),
  });
  // The held alerts reached the supervisor as alerts once stored, after the one stored before.
  const alerts = r.store.listAlerts({ flightId });
  expect(alerts.map((a) => a.siteId)).toEqual(['D-01', 'D-02', 'D-04']);
  await r.viewer.next((m) => m.type === 'alert' && m.alert.siteId === 'D-04');
  expect((await r.health()).body).toMatchObject({ store: { available: true, heldAlerts: 0 } });

  // To the landing, recorded as such.
  await r.until(() => r.vehicle().patrolStatus === 'landed', 'the landing', 300_000);
  expect(r.store.unfinishedPatrol(VEHICLE)).toBeNull();
  expect(r.store.lastPatrolOfPlan(r.plan.digest)).toMatchObject({ flightId, status: 'landed' });
}, 400_000);
