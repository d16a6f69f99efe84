import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/index.js';
import type { ServerMessage } from '../../src/server/index.js';
import { sighting, T0_US, tempDir } from '../alerts/sightings.js';
import { FakeHub, snapshot } from './fake-hub.js';
import {
  PILOT_TOKEN,
  startTestServer,
  TestClient,
  type TestServer,
  UNKNOWN_TOKEN,
  VIEWER_TOKEN,
  waitUntil,
} from './harness.js';

const D01 = { latDeg: 34.7262023, lonDeg: 113.6317302 };

let dir: string;
let hub: FakeHub;
let t: TestServer;
const clients: TestClient[] = [];

async function open(opts: Parameters<typeof TestClient.open>[1]): Promise<TestClient> {
  const client = await TestClient.open(t.url, opts);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  dir = tempDir('server-ws');
  hub = await FakeHub.create(dir);
  t = await startTestServer(hub);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await t?.close();
  expect(t?.tokensLogged() ?? []).toEqual([]);
  hub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

describe('the WebSocket upgrade', () => {
  it.each([
    ['no token', {}, 'no token'],
    ['an unknown token', { token: UNKNOWN_TOKEN }, 'unknown token'],
    ['an unknown bearer subprotocol', { protocols: [`bearer.${UNKNOWN_TOKEN}`] }, 'unknown token'],
  ])('is refused with 401 for %s, logged', async (_what, opts, reason) => {
    const mark = t.logs.length;
    const refusal = await TestClient.refusal(t.url, opts);
    expect(refusal.status).toBe(401);
    expect(JSON.parse(refusal.body)).toEqual({ error: reason });
    const line = t.logsSince(mark, 'warn').at(-1)?.message;
    expect(line).toBe(`refused upgrade GET /ws from 127.0.0.1: 401 ${reason}`);
  });

  it('is refused with 404 off /ws', async () => {
    const refusal = await TestClient.refusal(t.url, { token: PILOT_TOKEN, path: '/socket' });
    expect(refusal.status).toBe(404);
  });

  it('accepts ?token= and says hello with the role and the vehicles', async () => {
    const c = await open({ token: VIEWER_TOKEN });
    const hello = c.messages[0] as Of<'hello'>;
    expect(hello).toMatchObject({ type: 'hello', protocol: 1, role: 'viewer', name: 'Vic Viewer' });
    expect(hello.vehicles.map((v) => v.id)).toEqual(['V1', 'V2']);
    expect(hello.store).toEqual({
      available: true,
      reason: null,
      heldAlerts: 0,
      heldRecords: 0,
      evidenceDropped: 0,
    });
  });

  it('accepts the token as a bearer subprotocol and selects dustpatrol.v1', async () => {
    const c = await open({ protocols: ['dustpatrol.v1', `bearer.${PILOT_TOKEN}`] });
    expect(c.ws.protocol).toBe('dustpatrol.v1');
    expect(c.messages[0]).toMatchObject({ type: 'hello', role: 'pilot' });
    // Offered alone, the bearer value is what the server selects (a browser needs one selected).
    const d = await open({ protocols: [`bearer.${VIEWER_TOKEN}`] });
    expect(d.ws.protocol).toBe(`bearer.${VIEWER_TOKEN}`);
  });
});

describe('hub events', () => {
  it('reach every client: alerts (no evidence bytes), events and plans', async () => {
    const a = await open({ token: VIEWER_TOKEN });
    const b = await open({ token: PILOT_TOKEN });
    const { alert } = await hub.alerts.raise(sighting({ ...D01, firstSeenUs: T0_US }));
    hub.emit({ type: 'event', vehicleId: 'V1', level: 'warning', text: 'battery low', timeUs: 5 });
    hub.emit({ type: 'plan', plan: hub.plans()[0] as Of<'plan'>['plan'] });
    for (const c of [a, b]) {
      const m = await c.next<Of<'alert'>>((x) => x.type === 'alert');
      expect(m.change).toBe('created');
      expect(m.alert).toMatchObject({ id: alert.id, code: alert.code, siteId: 'D-01' });
      expect(m.alert.snapshotUrl).toBe(`/api/alerts/${alert.id}/snapshot.jpg?v=${alert.updatedUs}`);
      expect(m.alert).not.toHaveProperty('evidenceJpeg');
      expect(await c.next((x) => x.type === 'event')).toEqual({
        type: 'event',
        vehicleId: 'V1',
        level: 'warning',
        text: 'battery low',
        timeUs: 5,
      });
      expect(await c.next((x) => x.type === 'plan')).toMatchObject({ plan: { vehicleId: 'V1' } });
    }
  });

  it("tell every client the store's state: unavailable with alerts held, then back", async () => {
    const a = await open({ token: VIEWER_TOKEN });
    const from = a.messages.length;
    const held = {
      available: false,
      reason: '/data/alerts.db: cannot write (SQLITE_FULL)',
      heldAlerts: 2,
      heldRecords: 1,
      evidenceDropped: 0,
    };
    hub.emit({
      type: 'store',
      level: 'warning',
      text: 'alert held, not stored yet: D-01',
      status: held,
      timeUs: 7,
    });
    hub.emit({
      type: 'store',
      level: 'info',
      text: 'store available again: 2 held alerts and 1 record written',
      status: { ...held, available: true, reason: null, heldAlerts: 0, heldRecords: 0 },
      timeUs: 8,
    });
    expect(await a.next((x) => x.type === 'store', { from })).toEqual({
      type: 'store',
      level: 'warning',
      text: 'alert held, not stored yet: D-01',
      status: held,
      timeUs: 7,
    });
    expect(await a.next((x) => x.type === 'store' && x.status.available, { from })).toMatchObject({
      level: 'info',
      status: { heldAlerts: 0 },
    });
  });

  it('never sends evidence bytes even if the hub hands an alert with them', async () => {
    const c = await open({ token: VIEWER_TOKEN });
    const stored = { ...hub.store.getAlert(1), evidenceJpeg: hub.store.evidenceJpeg(1) };
    expect(stored.evidenceJpeg?.length).toBeGreaterThan(0);
    hub.emit({ type: 'alert', change: 'updated', alert: stored as Alert });
    const m = await c.next<Of<'alert'>>((x) => x.type === 'alert' && x.change === 'updated');
    expect(m.alert).not.toHaveProperty('evidenceJpeg');
  });

  it('throttles telemetry per vehicle but always delivers the latest', async () => {
    const c = await open({ token: VIEWER_TOKEN });
    const from = c.messages.length;
    for (let i = 1; i <= 50; i++) hub.emit({ type: 'telemetry', vehicle: snapshot('V1', { altRelM: i }) });
    hub.emit({ type: 'telemetry', vehicle: snapshot('V2', { altRelM: 7 }) });
    await c.next((m) => m.type === 'telemetry' && m.vehicle.id === 'V1' && m.vehicle.altRelM === 50, {
      from,
    });
    const v1 = c.messages
      .slice(from)
      .filter((m): m is Of<'telemetry'> => m.type === 'telemetry' && m.vehicle.id === 'V1');
    expect(v1.length).toBeLessThan(50);
    expect(v1.at(-1)?.vehicle.altRelM).toBe(50);
    // Another vehicle's telemetry has its own allowance.
    await c.next((m) => m.type === 'telemetry' && m.vehicle.id === 'V2', { from });
  });
});

describe('client messages', () => {
  it('answer a ping with a pong carrying its id', async () => {
    const c = await open({ token: VIEWER_TOKEN });
    c.send({ type: 'ping', id: 'p-1' });
    expect(await c.next((m) => m.type === 'pong')).toMatchObject({ type: 'pong', id: 'p-1' });
    c.send({ type: 'ping' });
    expect(await c.next((m) => m.type === 'pong' && m.id === null)).toBeTruthy();
  });

  it('run a pilot command on the hub and report its result', async () => {
    const c = await open({ token: PILOT_TOKEN });
    c.send({ type: 'command', id: 7, vehicleId: 'V1', command: 'pause' });
    expect(await c.next((m) => m.type === 'result')).toEqual({
      type: 'result',
      id: 7,
      ok: true,
      text: 'pause sent to V1',
    });
    expect(hub.commands.at(-1)).toEqual({ vehicleId: 'V1', command: 'pause' });

    hub.refuseNext = 'V1 is already paused';
    c.send({ type: 'command', id: 'c-2', vehicleId: 'V1', command: 'pause' });
    expect(await c.next((m) => m.type === 'result' && m.id === 'c-2')).toEqual({
      type: 'result',
      id: 'c-2',
      ok: false,
      error: 'V1 is already paused',
    });

    c.send({ type: 'command', id: 'c-3', vehicleId: 'V9', command: 'abort' });
    expect(await c.next((m) => m.type === 'result' && m.id === 'c-3')).toMatchObject({
      ok: false,
      error: 'no vehicle "V9"',
    });
  });

  it("refuse a viewer's command, logged, and the hub never sees it", async () => {
    const c = await open({ token: VIEWER_TOKEN });
    const before = hub.commands.length;
    const mark = t.logs.length;
    c.send({ type: 'command', id: 1, vehicleId: 'V1', command: 'abort' });
    const result = await c.next<Of<'result'>>((m) => m.type === 'result');
    expect(result).toMatchObject({ id: 1, ok: false });
    expect(result.ok === false && result.error).toMatch(/pilot token/);
    expect(hub.commands.length).toBe(before);
    expect(t.logsSince(mark, 'warn').map((l) => l.message)).toContainEqual(
      'ws viewer "Vic Viewer" from 127.0.0.1: command abort on "V1" refused: pilot role needed',
    );
  });

  it.each([
    ['not JSON', 'hello there', /^not JSON/],
    ['a JSON array', '[1,2,3]', /^expected a JSON object with a "type" field$/],
    ['no type', '{"id":1}', /^"type" must be a string, one of ping, command$/],
    [
      'an unknown type',
      '{"type":"launch-missiles"}',
      /^unknown message type "launch-missiles" \(known: ping, command\)$/,
    ],
    [
      'a wrong field type',
      '{"type":"command","id":1,"vehicleId":42,"command":"pause"}',
      /^bad command message: vehicleId: /,
    ],
    [
      'a missing field',
      '{"type":"command","vehicleId":"V1","command":"pause"}',
      /^bad command message: id: /,
    ],
    [
      'an unknown command',
      '{"type":"command","id":1,"vehicleId":"V1","command":"land"}',
      /^bad command message: command: /,
    ],
    ['an extra field', '{"type":"ping","extra":true}', /^bad ping message: .*extra/],
    [
      'an oversize message',
      JSON.stringify({ type: 'ping', id: 'x'.repeat(20_000) }),
      /^message too big: 20\d+ bytes \(at most 16384\)$/,
    ],
  ])('refuse %s with an error reply, logged', async (_what, text, message) => {
    const c = await open({ token: PILOT_TOKEN });
    const mark = t.logs.length;
    const before = hub.commands.length;
    c.send(text);
    const reply = await c.next<Of<'error'>>((m) => m.type === 'error');
    expect(reply.error).toMatch(message);
    const logged = t.logsSince(mark, 'warn').map((l) => l.message);
    expect(logged).toContainEqual(
      expect.stringMatching(/^ws pilot "Pat Pilot" from 127\.0\.0\.1: message refused: /),
    );
    expect(hub.commands.length).toBe(before);
    // The connection stays usable.
    c.send({ type: 'ping', id: 'still-there' });
    await c.next((m) => m.type === 'pong' && m.id === 'still-there');
  });

  it('refuse binary frames, and close a frame past the hard limit with 1009, logged', async () => {
    const c = await open({ token: PILOT_TOKEN });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.next((m) => m.type === 'error')).toMatchObject({ error: /binary frames/ });

    const mark = t.logs.length;
    c.send('x'.repeat(100 * 1024));
    expect(await c.waitClosed()).toBe(1009);
    await waitUntil(
      () => t.logsSince(mark, 'warn').some((l) => /Max payload size exceeded/.test(l.message)),
      'the oversize frame logged',
    );
  });
});

describe('a flood', () => {
  it('closes the flooding client with 1008 and keeps serving everyone else', async () => {
    const flooder = await open({ token: PILOT_TOKEN });
    const bystander = await open({ token: VIEWER_TOKEN });
    const mark = t.logs.length;
    for (let i = 0; i < 5000; i++) flooder.send(i % 2 === 0 ? `garbage ${i}` : { type: 'nonsense', n: i });
    expect(await flooder.waitClosed(20_000)).toBe(1008);
    const closeLine = t.logsSince(mark, 'warn').find((l) => l.message.includes('closed with 1008'));
    expect(closeLine?.message).toBe(
      'ws pilot "Pat Pilot" from 127.0.0.1: closed with 1008: too many malformed messages',
    );
    // It got an error reply for each message up to the limit, then nothing more (and the log stays short).
    expect(flooder.messages.filter((m) => m.type === 'error').length).toBe(20);
    expect(t.logsSince(mark, 'warn').length).toBeLessThanOrEqual(25);

    // The bystander still gets events, and the HTTP API still answers.
    const from = bystander.messages.length;
    hub.emit({ type: 'event', vehicleId: 'V2', level: 'info', text: 'after the flood', timeUs: 9 });
    await bystander.next((m) => m.type === 'event' && m.text === 'after the flood', { from });
    bystander.send({ type: 'ping', id: 'ok?' });
    await bystander.next((m) => m.type === 'pong' && m.id === 'ok?');
    const health = await fetch(`${t.url}/api/health`);
    expect(health.status).toBe(200);
    // And a new client can connect.
    await open({ token: VIEWER_TOKEN });
  });

  it('of well-formed messages is limited too (1008)', async () => {
    const c = await open({ token: VIEWER_TOKEN });
    for (let i = 0; i < 1000; i++) c.send({ type: 'ping', id: i });
    expect(await c.waitClosed(20_000)).toBe(1008);
    expect(c.messages.filter((m) => m.type === 'pong').length).toBe(200);
  });
});

describe('closing the server', () => {
  it('closes its WebSocket clients with 1001 and leaves the hub', async () => {
    const other = await startTestServer(hub);
    const subscribers = hub.subscribers;
    const c = await TestClient.open(other.url, { token: VIEWER_TOKEN });
    await other.close();
    expect(await c.waitClosed()).toBe(1001);
    expect(hub.subscribers).toBe(subscribers - 1);
  });
});
