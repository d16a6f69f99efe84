import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FootageRangeView, RecordingView } from '../../src/server/index.js';
import { T0_US, tempDir } from '../alerts/sightings.js';
import { footageView, squareAround } from '../helpers/footage-views.js';
import { makeClip } from '../video/ffmpeg-helpers.js';
import { FakeHub } from './fake-hub.js';
import {
  auth,
  json,
  PILOT_TOKEN,
  rawGet,
  startTestServer,
  type TestServer,
  VIEWER_TOKEN,
} from './harness.js';

// The footage index over HTTP: the ranges of recordings that saw a place, and a recording's video served
// with byte ranges so that a player can seek. The server on a real socket over a real store; the video a
// real H.264 clip made by ffmpeg, indexed as having seen site D-01.

/** Inside D-01. */
const D01 = { latDeg: 34.7262023, lonDeg: 113.6317302 };

let dir: string;
let hub: FakeHub;
let t: TestServer;
let video: string;
let bytes: Buffer;

/** A view over D-01, from second `fromS` to `toS` of the recording. */
const view = (fromS: number, toS: number) => footageView(fromS, toS, squareAround(D01, 80), D01);

beforeAll(async () => {
  dir = tempDir('footage-api');
  hub = await FakeHub.create(dir);
  video = path.join(dir, 'F-1-video-1.mkv');
  await makeClip(video, 4, '320x240');
  bytes = fs.readFileSync(video);
  hub.alerts.replaceFootage({ flightId: 'F-1', path: video }, [view(1, 2), view(2, 3)]);
  t = await startTestServer(hub);
});

afterAll(async () => {
  await t?.close();
  expect(t?.tokensLogged() ?? []).toEqual([]);
  hub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (p: string, headers: Record<string, string> = {}, token: string | null = VIEWER_TOKEN) =>
  fetch(`${t.url}${p}`, { headers: { ...(token ? auth(token) : {}), ...headers } });

describe('GET /api/footage', () => {
  it('gives the ranges that saw a site, a point or a drawn area, each with its video URL', async () => {
    const res = await get('/api/footage?site=D-01');
    expect(res.status).toBe(200);
    const ranges = (await json(res)) as FootageRangeView[];
    expect(ranges).toEqual([
      {
        flightId: 'F-1',
        recordingId: 1,
        videoUrl: '/api/recordings/1/video',
        startUs: T0_US + 1e6,
        endUs: T0_US + 3e6,
        startOffsetS: 1,
        endOffsetS: 3,
        viewShare: expect.any(Number),
      },
    ]);
    expect(ranges[0].viewShare).toBeGreaterThan(0.5);

    const at = (await json(await get(`/api/footage?at=${D01.latDeg},${D01.lonDeg}`))) as FootageRangeView[];
    expect(at.map((r) => r.recordingId)).toEqual([1]);
    const ring = squareAround(D01, 10).map((p) => [p.lonDeg, p.latDeg]);
    const area = JSON.stringify({ type: 'Polygon', coordinates: [[...ring, ring[0]]] });
    const drawn = await get(
      `/api/footage?area=${encodeURIComponent(area)}&until=${new Date(T0_US / 1000 + 1500).toISOString()}`,
    );
    expect(drawn.status, JSON.stringify(await drawn.clone().json())).toBe(200);
    expect(((await json(drawn)) as FootageRangeView[]).map((r) => [r.startOffsetS, r.endOffsetS])).toEqual([
      [1, 1.5],
    ]);
    expect(await json(await get('/api/footage?site=D-05'))).toEqual([]);
  });

  it('refuses a query without exactly one place, a bad place, and an unknown site', async () => {
    const cases: [string, number, RegExp][] = [
      ['/api/footage', 400, /exactly one of site, area or at \(got none\)/],
      ['/api/footage?site=D-01&at=34.7,113.6', 400, /exactly one .* \(got site, at\)/],
      ['/api/footage?at=north', 400, /at: expected LAT,LON/],
      ['/api/footage?area=%7B', 400, /area: not JSON/],
      [
        `/api/footage?area=${encodeURIComponent('{"type":"Point","coordinates":[1,2]}')}`,
        400,
        /area: expected a GeoJSON Polygon/,
      ],
      ['/api/footage?site=D-99', 404, /no site "D-99"/],
      ['/api/footage?site=D-01&since=2024-05-04&until=2024-05-03', 400, /since: after until/],
      ['/api/footage?site=D-01&vehicle=V1', 400, /unknown query parameter "vehicle"/],
    ];
    for (const [p, status, message] of cases) {
      const res = await get(p);
      expect(res.status, p).toBe(status);
      expect((await json(res)).error, p).toMatch(message);
    }
  });

  it('lists a recording with its views of the ground', async () => {
    const rec = (await json(await get('/api/recordings/1'))) as RecordingView;
    expect(rec).toMatchObject({ id: 1, flightId: 'F-1', videoUrl: '/api/recordings/1/video' });
    expect(rec.views.map((v) => [v.startOffsetS, v.endOffsetS])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(rec.views[0].footprint[0]).toEqual([expect.closeTo(D01.lonDeg, 2), expect.closeTo(D01.latDeg, 2)]);
    // The file's place on the server's disk is not told.
    expect(JSON.stringify(rec)).not.toContain(dir);
  });
});

describe('GET /api/recordings/:id/video', () => {
  it('serves the whole file, saying it takes byte ranges', async () => {
    const res = await get('/api/recordings/1/video');
    expect(res.status).toBe(200);
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-type')).toBe('video/x-matroska');
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers a range with 206 Partial Content and exactly those bytes', async () => {
    const size = bytes.length;
    const cases: [string, number, number][] = [
      ['bytes=100-1099', 100, 1099],
      ['bytes=0-0', 0, 0],
      [`bytes=${size - 10}-`, size - 10, size - 1],
      ['bytes=-500', size - 500, size - 1],
      [`bytes=1000-${size + 5000}`, 1000, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await get('/api/recordings/1/video', { Range: range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${size}`);
      expect(res.headers.get('content-length'), range).toBe(String(end - start + 1));
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('answers a range past the end with 416 and the size, and ignores ranges it does not serve', async () => {
    const size = bytes.length;
    const past = await get('/api/recordings/1/video', { Range: `bytes=${size}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
    // Several ranges, another unit, a malformed one: the whole file (RFC 9110 lets a server ignore them).
    for (const range of ['bytes=0-10,20-30', 'items=0-1', 'bytes=9-3']) {
      const res = await get('/api/recordings/1/video', { Range: range });
      expect(res.status, range).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).length, range).toBe(size);
    }
  });

  it('serves a range only of the version If-Range names', async () => {
    const whole = await get('/api/recordings/1/video', { Range: 'bytes=0-99' });
    const etag = whole.headers.get('etag') as string;
    await whole.arrayBuffer();
    const same = await get('/api/recordings/1/video', { Range: 'bytes=0-99', 'If-Range': etag });
    expect(same.status).toBe(206);
    await same.arrayBuffer();
    const other = await get('/api/recordings/1/video', {
      Range: 'bytes=0-99',
      'If-Range': '"another-version"',
    });
    expect(other.status).toBe(200);
    expect(Buffer.from(await other.arrayBuffer()).length).toBe(bytes.length);
  });

  it('answers HEAD with the headers alone', async () => {
    const res = await fetch(`${t.url}/api/recordings/1/video`, {
      method: 'HEAD',
      headers: { ...auth(VIEWER_TOKEN), Range: 'bytes=10-19' },
    });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-length')).toBe('10');
    expect((await res.arrayBuffer()).byteLength).toBe(0);
  });

  it('needs a token: a header, or ?token= for a <video> element; a pilot may watch too', async () => {
    expect((await get('/api/recordings/1/video', {}, null)).status).toBe(401);
    expect((await get('/api/footage?site=D-01', {}, null)).status).toBe(401);
    const viaQuery = await get(`/api/recordings/1/video?token=${VIEWER_TOKEN}`, { Range: 'bytes=0-9' }, null);
    expect(viaQuery.status).toBe(206);
    await viaQuery.arrayBuffer();
    expect((await get(`/api/footage?site=D-01&token=${VIEWER_TOKEN}`, {}, null)).status).toBe(401);
    const pilot = await get('/api/recordings/1/video', { Range: 'bytes=0-9' }, PILOT_TOKEN);
    expect(pilot.status).toBe(206);
    await pilot.arrayBuffer();
  });

  it('serves only the files the store knows, by their id: no path reaches the disk', async () => {
    const h = auth(VIEWER_TOKEN);
    for (const p of [
      '/api/recordings/..%2F..%2F..%2Fetc%2Fpasswd/video',
      '/api/recordings/%2Fetc%2Fpasswd/video',
      '/api/recordings/1%00/video',
      '/api/recordings/-1/video',
    ]) {
      const res = await rawGet(t.url, p, h);
      expect(res.status, p).toBe(400);
      expect(res.body).not.toContain('root:');
    }
    const dots = await rawGet(t.url, '/api/recordings/1/../../../../etc/passwd', h);
    expect(dots.status).toBe(404);
    expect(dots.body).not.toContain('root:');
    expect((await rawGet(t.url, '/api/recordings/99/video', h)).status).toBe(404);
  });

  it('says a recording gone from its folder is missing (404)', async () => {
    const moved = path.join(dir, 'moved.mkv');
    hub.alerts.replaceFootage({ flightId: 'F-1', path: moved }, [view(0, 1)]);
    const [{ id }] = hub.store.footage.recordings('F-1').filter((r) => r.path === moved);
    const res = await get(`/api/recordings/${id}/video`);
    expect(res.status).toBe(404);
    expect((await json(res)).error).toMatch(/missing/);
  });
});
