import fs from 'node:fs';
import net from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertView, type ServerMessage, VEHICLE_COMMANDS } from '../../src/server/index.js';
import { sighting, T0_US, tempDir } from '../alerts/sightings.js';
import { FakeHub } from './fake-hub.js';
import {
  auth,
  json,
  PILOT_TOKEN,
  REVIEWER_TOKEN,
  rawGet,
  startTestServer,
  TestClient,
  type TestServer,
  UNKNOWN_TOKEN,
  VIEWER_TOKEN,
} from './harness.js';

/** Points inside D-01 "Jianshe Road residential block 3" (Songshan Construction Group) and D-02. */
const D01 = { latDeg: 34.7262023, lonDeg: 113.6317302 };
const D02 = { latDeg: 34.7238, lonDeg: 113.6262 };

/** The commands the hub takes, as error messages list them. */
const COMMANDS = VEHICLE_COMMANDS.join(', ');

let dir: string;
let hub: FakeHub;
let t: TestServer;

beforeAll(async () => {
  dir = tempDir('server-api');
  hub = await FakeHub.create(dir);
  await hub.alerts.raise(sighting({ ...D01, firstSeenUs: T0_US }));
  await hub.alerts.raise(sighting({ ...D02, firstSeenUs: T0_US + 3_600e6 }));
  t = await startTestServer(hub);
});

afterAll(async () => {
  await t?.close();
  // Whatever was refused or served, no token ever reached the log.
  expect(t?.tokensLogged() ?? []).toEqual([]);
  hub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, token?: string) => fetch(`${t.url}${path}`, { headers: token ? auth(token) : {} });

function post(path: string, body: string, token?: string, type = 'application/json') {
  return fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': type, ...(token ? auth(token) : {}) },
    body,
  });
}

/** The warn line logged for the last refused request (method, path, remote address and reason). */
function lastRefusal(mark: number): string {
  const lines = t.logsSince(mark, 'warn');
  expect(lines.length).toBeGreaterThan(0);
  return (lines.at(-1) as { message: string }).message;
}

describe('the HTTP API without a token', () => {
  it('answers /api/health with nothing sensitive', async () => {
    const res = await get('/api/health');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(Object.keys(body).sort()).toEqual(['ok', 'store', 'uptimeS', 'vehicles']);
    // The store's counts, not its failure's text (which names files).
    expect(body).toMatchObject({
      ok: true,
      vehicles: 2,
      store: { available: true, heldAlerts: 0, heldRecords: 0, evidenceDropped: 0 },
    });
    expect(Object.keys(body.store)).not.toContain('reason');
  });

  it.each([
    '/api/config',
    '/api/vehicles',
    '/api/plans',
    '/api/sites',
    '/api/alerts',
    '/api/alerts/1',
    '/api/alerts/1/snapshot.jpg',
    '/api/alerts/1/reviews',
    '/api/flights',
    '/api/ledger',
  ])('refuses GET %s with 401, logged', async (path) => {
    const mark = t.logs.length;
    const res = await get(path);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await json(res)).toEqual({ error: 'no token' });
    const line = lastRefusal(mark);
    expect(line).toContain(`GET ${path}`);
    expect(line).toContain('127.0.0.1');
    expect(line).toContain('401 no token');
  });

  it('refuses an unknown token and a malformed Authorization header', async () => {
    let mark = t.logs.length;
    let res = await get('/api/vehicles', UNKNOWN_TOKEN);
    expect(res.status).toBe(401);
    expect((await json(res)).error).toBe('unknown token');
    expect(lastRefusal(mark)).toContain('401 unknown token');

    mark = t.logs.length;
    res = await fetch(`${t.url}/api/vehicles`, { headers: { Authorization: `Basic ${PILOT_TOKEN}` } });
    expect(res.status).toBe(401);
    expect((await json(res)).error).toMatch(/malformed Authorization header/);
    expect(lastRefusal(mark)).toMatch(/malformed Authorization/);
  });

  it('takes ?token= only where a header cannot be sent (the snapshot image)', async () => {
    const mark = t.logs.length;
    const res = await get(`/api/vehicles?token=${VIEWER_TOKEN}`);
    expect(res.status).toBe(401);
    expect((await json(res)).error).toMatch(/query string is accepted only for snapshots/);
    // The log names the path, never the query string that carried the token.
    expect(lastRefusal(mark)).toContain('GET /api/vehicles from');

    const img = await get(`/api/alerts/1/snapshot.jpg?token=${VIEWER_TOKEN}`);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
  });
});

describe('the HTTP API with a viewer token', () => {
  it('reports the role, the tile URL (none here) and the blacklist rule (the default)', async () => {
    const res = await get('/api/config', VIEWER_TOKEN);
    expect(await json(res)).toEqual({
      role: 'viewer',
      name: 'Vic Viewer',
      tileUrl: null,
      protocol: 1,
      commands: [...VEHICLE_COMMANDS],
      mayReview: false,
      dismissReasons: ['cloud', 'haze', 'soil', 'vehicle', 'other'],
      blacklist: { confirmedAlerts: 3, windowDays: 30 },
    });
  });

  it('lists vehicles, plans, sites and flights from the hub', async () => {
    const vehicles = await json(await get('/api/vehicles', VIEWER_TOKEN));
    expect(vehicles.map((v: { id: string }) => v.id)).toEqual(['V1', 'V2']);
    const plans = await json(await get('/api/plans', VIEWER_TOKEN));
    expect(plans[0]).toMatchObject({ vehicleId: 'V1', name: 'sortie 1' });
    const sites = await json(await get('/api/sites', VIEWER_TOKEN));
    expect(sites.type).toBe('FeatureCollection');
    expect(
      sites.features.filter((f: { properties: { kind: string } }) => f.properties.kind === 'site'),
    ).toHaveLength(5);
    const flights = await json(await get('/api/flights', VIEWER_TOKEN));
    expect(flights).toEqual([expect.objectContaining({ id: 'F-1', name: 'morning patrol' })]);
  });

  it('lists alerts newest first, without evidence bytes, each with its snapshot URL', async () => {
    const res = await get('/api/alerts', VIEWER_TOKEN);
    expect(res.status).toBe(200);
    const alerts = (await json(res)) as AlertView[];
    expect(alerts.map((a) => a.siteId)).toEqual(['D-02', 'D-01']);
    for (const a of alerts) {
      expect(a).not.toHaveProperty('evidenceJpeg');
      expect(a.snapshotUrl).toMatch(new RegExp(`^/api/alerts/${a.id}/snapshot\\.jpg\\?v=\\d+$`));
    }
    expect(alerts[1]).toMatchObject({ code: 'A-000001', contractor: 'Songshan Construction Group' });
  });

  it('filters alerts by site, contractor, time and limit', async () => {
    const ids = async (query: string) =>
      ((await json(await get(`/api/alerts?${query}`, VIEWER_TOKEN))) as AlertView[]).map((a) => a.siteId);
    expect(await ids('site=D-01')).toEqual(['D-01']);
    expect(await ids('contractor=songshan%20construction%20group')).toEqual(['D-01']);
    expect(await ids('since=2024-05-03T08:30:00Z')).toEqual(['D-02']);
    expect(await ids('since=2024-05-03T16:30:00%2B08:00')).toEqual(['D-02']);
    expect(await ids('until=2024-05-03T08:30:00Z')).toEqual(['D-01']);
    expect(await ids('since=2024-05-04')).toEqual([]);
    expect(await ids('limit=1')).toEqual(['D-02']);
  });

  it.each([
    ['since=yesterday', /^since: expected an ISO 8601 date or time with its zone/],
    ['since=2024-05-03T08:00:00', /^since: expected an ISO 8601/],
    ['limit=0', /^limit: expected a whole number from 1 to 10000, got "0"/],
    ['limit=abc', /^limit: expected a whole number/],
    ['sitee=D-01', /^unknown query parameter "sitee" \(known: site, contractor/],
    ['site=D-01&site=D-02', /^site: given more than once/],
  ])('refuses a bad alert query (%s) with 400 naming the parameter', async (query, message) => {
    const mark = t.logs.length;
    const res = await get(`/api/alerts?${query}`, VIEWER_TOKEN);
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatch(message);
    expect(lastRefusal(mark)).toContain('400');
  });

  it('gets one alert by id or by code, and its evidence JPEG', async () => {
    const byId = await json(await get('/api/alerts/1', VIEWER_TOKEN));
    const byCode = await json(await get('/api/alerts/A-000001', VIEWER_TOKEN));
    expect(byCode).toEqual(byId);
    expect(byId).toMatchObject({ id: 1, code: 'A-000001', siteId: 'D-01' });
    expect(byId).not.toHaveProperty('evidenceJpeg');

    const res = await get(byId.snapshotUrl, VIEWER_TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = Buffer.from(await res.arrayBuffer());
    expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(jpeg).toEqual(hub.store.evidenceJpeg(1));

    expect((await get('/api/alerts/999', VIEWER_TOKEN)).status).toBe(404);
    expect((await get('/api/alerts/999/snapshot.jpg', VIEWER_TOKEN)).status).toBe(404);
    const bad = await get('/api/alerts/drop%20table', VIEWER_TOKEN);
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatch(/not an alert id/);
  });

  it('gives the per-site ledger with its window and threshold: unreviewed alerts flag nothing yet', async () => {
    const ledger = await json(
      await get('/api/ledger?threshold=1&windowDays=2&until=2024-05-03', VIEWER_TOKEN),
    );
    expect(ledger).toMatchObject({ threshold: 1, windowDays: 2 });
    expect(ledger.untilUs).toBe(Date.UTC(2024, 4, 4) * 1000 - 1);
    type Row = { siteId: string; flagged: boolean; reviewNeeded: boolean; pending: number };
    expect(ledger.sites.map((s: Row) => [s.siteId, s.pending, s.flagged, s.reviewNeeded]).sort()).toEqual([
      ['D-01', 1, false, true],
      ['D-02', 1, false, true],
    ]);
    const defaults = await json(await get('/api/ledger', VIEWER_TOKEN));
    expect(defaults).toMatchObject({ threshold: 3, windowDays: 30 });
    expect((await get('/api/ledger?threshold=-1', VIEWER_TOKEN)).status).toBe(400);
  });

  it('refuses a command with 403, logged, and the hub never sees it', async () => {
    const before = hub.commands.length;
    const mark = t.logs.length;
    const res = await post('/api/vehicles/V1/commands', '{"command":"pause"}', VIEWER_TOKEN);
    expect(res.status).toBe(403);
    expect((await json(res)).error).toMatch(/pilot role needed/);
    const line = lastRefusal(mark);
    expect(line).toContain('POST /api/vehicles/V1/commands from 127.0.0.1 (viewer "Vic Viewer"): 403');
    expect(hub.commands.length).toBe(before);
  });
});

describe('pilot commands', () => {
  it('reach the hub and answer with its text, logged', async () => {
    const mark = t.logs.length;
    const res = await post('/api/vehicles/V2/commands', '{"command":"abort"}', PILOT_TOKEN);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      ok: true,
      vehicleId: 'V2',
      command: 'abort',
      text: 'abort sent to V2',
    });
    expect(hub.commands.at(-1)).toEqual({ vehicleId: 'V2', command: 'abort' });
    expect(t.logsSince(mark, 'info').map((l) => l.message)).toContainEqual(
      expect.stringContaining('pilot "Pat Pilot" POST /api/vehicles/V2/commands from 127.0.0.1: 200'),
    );
  });

  it('need a token (401)', async () => {
    const res = await post('/api/vehicles/V1/commands', '{"command":"pause"}');
    expect(res.status).toBe(401);
  });

  it.each([
    ['{"command": "pause"', 400, /^the body is not valid JSON/],
    ['', 400, /^the body is empty/],
    ['[1, 2]', 400, /^body: expected a JSON object/],
    ['{}', 400, new RegExp(`^body\\.command: missing \\(one of ${COMMANDS}\\)$`)],
    [
      '{"command": "fly"}',
      400,
      new RegExp(`^body\\.command: "fly" is not a command \\(one of ${COMMANDS}\\)$`),
    ],
    ['{"command": 7}', 400, /^body\.command: number is not a command/],
    ['{"command": "pause", "force": true}', 400, /^body: unknown field "force"$/],
  ])('refuse the malformed body %j with %i and one clear message', async (body, status, message) => {
    const before = hub.commands.length;
    const mark = t.logs.length;
    const res = await post('/api/vehicles/V1/commands', body, PILOT_TOKEN);
    expect(res.status).toBe(status);
    expect((await json(res)).error).toMatch(message);
    expect(lastRefusal(mark)).toContain(
      `POST /api/vehicles/V1/commands from 127.0.0.1 (pilot "Pat Pilot"): ${status}`,
    );
    expect(hub.commands.length).toBe(before);
  });

  it('refuse a body that is not JSON (415) or too large (413)', async () => {
    let res = await post(
      '/api/vehicles/V1/commands',
      'command=pause',
      PILOT_TOKEN,
      'application/x-www-form-urlencoded',
    );
    expect(res.status).toBe(415);
    res = await post(
      '/api/vehicles/V1/commands',
      JSON.stringify({ command: 'x'.repeat(20_000) }),
      PILOT_TOKEN,
    );
    expect(res.status).toBe(413);
    expect((await json(res)).error).toBe('the body is larger than 16384 bytes');
  });

  it('with Expect: 100-continue, refuse a body declared too large (413, no 100 Continue) and take one that is not', async () => {
    const path = '/api/vehicles/V1/commands';
    const head = (length: number) =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${PILOT_TOKEN}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n\r\n`;

    const mark = t.logs.length;
    const refused = await exchange(head(20_000), null);
    expect(refused).toMatch(/^HTTP\/1\.1 413 /);
    expect(refused).not.toContain('100 Continue');
    expect(refused).toContain('{"error":"the body is larger than 16384 bytes"}');
    expect(lastRefusal(mark)).toContain(`POST ${path} from 127.0.0.1 before its body: 413`);

    const body = '{"command":"pause"}';
    const taken = await exchange(head(body.length), body);
    expect(taken).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(hub.commands.at(-1)).toEqual({ vehicleId: 'V1', command: 'pause' });
  });

  it('answer 404 for an unknown vehicle and 409 when the hub refuses', async () => {
    let res = await post('/api/vehicles/V9/commands', '{"command":"pause"}', PILOT_TOKEN);
    expect(res.status).toBe(404);
    expect((await json(res)).error).toBe('no vehicle "V9"');

    hub.refuseNext = 'V1 is not flying a patrol';
    res = await post('/api/vehicles/V1/commands', '{"command":"resume"}', PILOT_TOKEN);
    expect(res.status).toBe(409);
    expect((await json(res)).error).toBe('V1 is not flying a patrol');
  });

  it('are POST only (405 with Allow)', async () => {
    const res = await get('/api/vehicles/V1/commands', PILOT_TOKEN);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('reviews', () => {
  const reviewsOf = async (id: number) =>
    (await json(await get(`/api/alerts/${id}/reviews`, VIEWER_TOKEN))).reviews;
  const ledgerRow = async (siteId: string) =>
    (await json(await get('/api/ledger', VIEWER_TOKEN))).sites.find(
      (s: { siteId: string }) => s.siteId === siteId,
    );

  it('a reviewer confirms an alert: kept with who and when, on the feed, in the ledger', async () => {
    const feed = await TestClient.open(t.url, { token: VIEWER_TOKEN });
    const mark = t.logs.length;
    expect(await ledgerRow('D-01')).toMatchObject({ confirmed: 0, pending: 1, dismissed: 0 });
    const res = await post(
      '/api/alerts/A-000001/reviews',
      JSON.stringify({ verdict: 'confirmed', note: 'brown plume at the gate' }),
      REVIEWER_TOKEN,
    );
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.review).toMatchObject({
      alertId: 1,
      verdict: 'confirmed',
      reason: 'dust',
      note: 'brown plume at the gate',
      reviewer: 'Rita Reviewer',
      role: 'reviewer',
      via: 'api',
    });
    expect(body.superseded).toBeNull();
    expect(body.alert).toMatchObject({ code: 'A-000001', reviewState: 'confirmed', review: body.review });
    expect(body.alert).not.toHaveProperty('evidenceJpeg');
    const event = await feed.next<Extract<ServerMessage, { type: 'review' }>>((m) => m.type === 'review');
    expect(event.review).toEqual(body.review);
    expect(event.alert.reviewState).toBe('confirmed');
    expect(t.logsSince(mark, 'info').map((l) => l.message)).toContainEqual(
      expect.stringMatching(
        /^reviewer "Rita Reviewer" POST \/api\/alerts\/A-000001\/reviews from 127\.0\.0\.1: 201$/,
      ),
    );
    expect(await ledgerRow('D-01')).toMatchObject({ confirmed: 1, pending: 0, dismissed: 0 });
    await feed.close();
  });

  it('a pilot may review too; a later review supersedes, the history keeps both', async () => {
    const res = await post(
      '/api/alerts/1/reviews',
      JSON.stringify({ verdict: 'dismissed', reason: 'vehicle' }),
      PILOT_TOKEN,
    );
    expect(res.status).toBe(201);
    const body = await json(res);
    expect(body.superseded).toMatchObject({ verdict: 'confirmed', reviewer: 'Rita Reviewer' });
    const history = await reviewsOf(1);
    expect(
      history.map((r: { verdict: string; reviewer: string; role: string }) => [
        r.verdict,
        r.reviewer,
        r.role,
      ]),
    ).toEqual([
      ['confirmed', 'Rita Reviewer', 'reviewer'],
      ['dismissed', 'Pat Pilot', 'pilot'],
    ]);
    expect(await ledgerRow('D-01')).toMatchObject({ confirmed: 0, dismissed: 1 });
    const dismissed = (await json(await get('/api/alerts?state=dismissed', VIEWER_TOKEN))) as AlertView[];
    expect(dismissed.map((a) => a.code)).toEqual(['A-000001']);
    expect((await get('/api/alerts?state=maybe', VIEWER_TOKEN)).status).toBe(400);
  });

  it('a viewer may read the history but not review (403, logged, nothing kept); a reviewer may not command', async () => {
    const mark = t.logs.length;
    const res = await post('/api/alerts/2/reviews', '{"verdict":"confirmed"}', VIEWER_TOKEN);
    expect(res.status).toBe(403);
    expect((await json(res)).error).toBe(
      'viewer "Vic Viewer" may not do this (reviewer or pilot role needed)',
    );
    expect(lastRefusal(mark)).toContain('403');
    expect(await reviewsOf(2)).toEqual([]);
    const command = await post('/api/vehicles/V1/commands', '{"command":"pause"}', REVIEWER_TOKEN);
    expect(command.status).toBe(403);
    expect((await json(command)).error).toBe('reviewer "Rita Reviewer" may not do this (pilot role needed)');
    const config = async (token: string) => (await json(await get('/api/config', token))).mayReview;
    expect([await config(VIEWER_TOKEN), await config(REVIEWER_TOKEN), await config(PILOT_TOKEN)]).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('refuses a bad review with 400 naming the field, an unknown alert with 404, and any edit of the log with 405', async () => {
    const cases: [string, number, string][] = [
      [
        '{"verdict":"dismissed"}',
        400,
        'body.reason: missing: why is it not dust (cloud, haze, soil, vehicle, other)?',
      ],
      [
        '{"verdict":"dismissed","reason":"dust"}',
        400,
        'body.reason: "dust" is not a reason to dismiss (cloud, haze, soil, vehicle, other)',
      ],
      ['{"verdict":"confirmed","reviewer":"someone else"}', 400, 'body: unknown field "reviewer"'],
      ['[]', 400, 'body: expected a JSON object {"verdict": "confirmed" | "dismissed", "reason", "note"}'],
    ];
    for (const [body, status, error] of cases) {
      const res = await post('/api/alerts/2/reviews', body, REVIEWER_TOKEN);
      expect(res.status, body).toBe(status);
      expect((await json(res)).error).toBe(error);
    }
    const unknown = await post('/api/alerts/A-000099/reviews', '{"verdict":"confirmed"}', REVIEWER_TOKEN);
    expect(unknown.status).toBe(404);
    expect((await get('/api/alerts/99/reviews', VIEWER_TOKEN)).status).toBe(404);
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const res = await fetch(`${t.url}/api/alerts/1/reviews`, { method, headers: auth(PILOT_TOKEN) });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST');
    }
    expect(await reviewsOf(2)).toEqual([]);
    expect(await reviewsOf(1)).toHaveLength(2);
  });

  it('answers 503 when the store cannot keep the review now (another process holds its lock), keeping nothing', async () => {
    const other = new Database(hub.store.file);
    try {
      other.exec('BEGIN IMMEDIATE');
      const res = await post('/api/alerts/2/reviews', '{"verdict":"confirmed"}', REVIEWER_TOKEN);
      expect(res.status).toBe(503);
      expect((await json(res)).error).toMatch(
        /^review of A-000002 not kept: .*locked by another process \(SQLITE_BUSY\)$/,
      );
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await reviewsOf(2)).toEqual([]);
  }, 30_000);
});

describe('errors', () => {
  it('are JSON, 404 for unknown paths, and never carry a stack trace', async () => {
    let res = await get('/api/nothing-here', PILOT_TOKEN);
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: 'no such endpoint' });
    res = await get('/nothing-here');
    expect(res.status).toBe(404);

    const mark = t.logs.length;
    hub.failNext = new Error('plans exploded in the fleet');
    res = await get('/api/plans', VIEWER_TOKEN);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal error (see the server log)' });
    expect(text).not.toMatch(/exploded|\.ts|at /);
    // The server's own log has the whole story.
    const errors = t.logsSince(mark, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('plans exploded in the fleet');
  });
});

describe('the dashboard files', () => {
  it('serve the page, its script and Leaflet without a token', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const app = await get('/app.js');
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('/style.css')).status).toBe(200);
    const leaflet = await get('/vendor/leaflet/leaflet-src.esm.js');
    expect(leaflet.status).toBe(200);
    expect(await leaflet.text()).toContain('export {');
    expect((await get('/vendor/leaflet/leaflet.css')).status).toBe(200);
  });

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/..%2fpackage.json',
    '/..%2f..%2f..%2fpackage.json',
    '/vendor/leaflet/..%2f..%2f..%2f..%2fpackage.json',
    '/vendor/leaflet/%2e%2e/%2e%2e/%2e%2e/package.json',
    '/vendor/leaflet/../../../../package.json',
    '/..%5c..%5c..%5cpackage.json',
    '/index.html%00.js',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/../../../../../../etc/passwd',
    '/hub.ts',
    '/vendor/leaflet/../package.json',
  ])('refuse the traversal %s', async (path) => {
    const res = await rawGet(t.url, path);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain('"dependencies"');
    expect(res.body).not.toContain('root:');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('refuse other methods', async () => {
    const res = await fetch(`${t.url}/index.html`, { method: 'DELETE' });
    expect(res.status).toBe(405);
  });
});

describe('configuration', () => {
  it('passes a tile URL to the page and allows its images', async () => {
    const other = await startTestServer(hub, 'https://{s}.tile.example.org/{z}/{x}/{y}.png');
    try {
      const res = await fetch(`${other.url}/api/config`, { headers: auth(PILOT_TOKEN) });
      expect(await json(res)).toMatchObject({
        role: 'pilot',
        tileUrl: 'https://{s}.tile.example.org/{z}/{x}/{y}.png',
      });
      const page = await fetch(`${other.url}/`);
      expect(page.headers.get('content-security-policy')).toContain("img-src 'self' data: blob: https:");
    } finally {
      await other.close();
    }
  });

  it('refuses weak or duplicate tokens and bad tile URLs, and listens on loopback by default', async () => {
    const { startServer } = await import('../../src/server/index.js');
    const log = () => {};
    await expect(startServer({ hub, tokens: [{ token: 'short', role: 'pilot' }], log })).rejects.toThrow(
      /tokens\[0\]: a token must be 16 to 256 characters/,
    );
    await expect(
      startServer({
        hub,
        tokens: [
          { token: PILOT_TOKEN, role: 'pilot' },
          { token: PILOT_TOKEN, role: 'viewer' },
        ],
        log,
      }),
    ).rejects.toThrow(/tokens\[1\]: the same token is given twice/);
    await expect(
      startServer({ hub, tokens: [{ token: PILOT_TOKEN, role: 'admin' as 'pilot' }], log }),
    ).rejects.toThrow(/role must be viewer, reviewer, pilot/);
    await expect(startServer({ hub, tokens: [], log })).rejects.toThrow(/no tokens/);
    await expect(
      startServer({ hub, tokens: [{ token: PILOT_TOKEN, role: 'pilot' }], tileUrl: 'ftp://x/{z}', log }),
    ).rejects.toThrow(/tile URL must be an http\(s\) template/);
    expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("applies the config's blacklist rule to the ledger unless a request says otherwise", async () => {
    const other = await startTestServer(hub, undefined, { confirmedAlerts: 1, windowDays: 36_500 });
    try {
      const config = await json(await fetch(`${other.url}/api/config`, { headers: auth(VIEWER_TOKEN) }));
      expect(config.blacklist).toEqual({ confirmedAlerts: 1, windowDays: 36_500 });
      expect(config.dismissReasons).toEqual(['cloud', 'haze', 'soil', 'vehicle', 'other']);
      const ledger = await json(
        await fetch(`${other.url}/api/ledger?sites=all`, { headers: auth(VIEWER_TOKEN) }),
      );
      expect(ledger).toMatchObject({ threshold: 1, windowDays: 36_500 });
      // Every site the store knows, those without alerts too.
      expect(ledger.sites.map((s: { siteId: string }) => s.siteId).sort()).toEqual([
        'D-01',
        'D-02',
        'D-03',
        'D-04',
        'D-05',
      ]);
      expect(ledger.contractors.length).toBeGreaterThan(1);
    } finally {
      await other.close();
    }
  });

  it('close() stops listening', async () => {
    const other = await startTestServer(hub);
    await other.close();
    await expect(fetch(`${other.url}/api/health`)).rejects.toThrow();
    // Closing twice is harmless.
    await other.close();
  });
});

/**
 * Sends `head` on a raw socket and, once the server answers 100 Continue, `body` (when given), as a
 * client honouring Expect: 100-continue does; everything the server sent until it closes or 2 s pass.
 */
function exchange(head: string, body: string | null): Promise<string> {
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(head));
    let received = '';
    let bodySent = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, 2_000);
    socket.on('data', (chunk) => {
      received += chunk;
      if (body !== null && !bodySent && received.includes('100 Continue\r\n\r\n')) {
        bodySent = true;
        socket.write(body);
      }
      // A final (non-1xx) response with its JSON body: enough to judge.
      if (/HTTP\/1\.1 [2-5]\d\d [\s\S]*\r\n\r\n\{.*\}$/.test(received)) done();
    });
    socket.on('end', done);
    socket.on('error', reject);
  });
}
