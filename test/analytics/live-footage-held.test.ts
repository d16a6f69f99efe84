import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { AlertService, type AlertStore, openAlertStore } from '../../src/alerts/index.js';
import { LiveFootage } from '../../src/analytics/live-footage.js';
import { cameraFromFov } from '../../src/geotag/index.js';
import { STORE_TIMING } from '../../src/timing.js';
import type { Frame } from '../../src/video/index.js';
import { tempDir } from '../alerts/sightings.js';
import { poseOver } from '../geotag/poses.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { fillStore, freeStore } from '../helpers/full-store.js';

// A live flight's footage views while the store's disk is full (SQLite's real SQLITE_FULL): kept in
// memory, written in order once the store takes writes again, the oldest dropped past two hours' worth.
// The store's retry timer runs on a fake clock; the frames are made here (the stream is not the subject).

const T0_US = 1_700_000_000_000_000;
const RECORDING = '/data/F-1-video-1.mkv';

let dir: string;
let store: AlertStore;
let clock: FakeClock;
let service: AlertService;
let footage: LiveFootage;
let events: string[];

/** Analysed frames a second apart, recorded at the same offsets, from second `fromS` to before `toS`. */
function feed(fromS: number, toS: number): void {
  for (let s = fromS; s < toS; s++) {
    const frame: Frame = {
      data: Buffer.alloc(0),
      width: 640,
      height: 360,
      ptsS: s,
      index: s,
      receivedAtMs: 0,
      recorded: { file: RECORDING, ptsS: s },
    };
    footage.frame(frame, T0_US + s * 1e6);
  }
}

const indexed = () => store.footage.recordings().flatMap((r) => store.footage.views(r.id));

beforeEach(() => {
  dir = tempDir('footage-held');
  store = openAlertStore(path.join(dir, 'alerts.db'));
  clock = new FakeClock();
  service = new AlertService({ store, hold: { clock } });
  service.registerFlight({ id: 'F-1' });
  events = [];
  footage = new LiveFootage({
    flightId: 'F-1',
    alerts: service,
    camera: cameraFromFov({ widthPx: 640, heightPx: 360, horizontalFovDeg: 82 }),
    poseAt: () => ({ ok: true, pose: poseOver({ altRelM: 60 }) }),
    frameIntervalS: 1,
    onEvent: (_level, text) => events.push(text),
    onFault: (what, err) => events.push(`fault: ${what}: ${err}`),
  });
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('keeps the views while the disk is full and writes them all, in order, once it has room', async () => {
  feed(0, 15);
  expect(indexed()).toHaveLength(10);
  fillStore(store);
  feed(15, 45);
  expect(indexed()).toHaveLength(10);
  expect(service.storeStatus.available).toBe(false);

  freeStore(store);
  await clock.advance(STORE_TIMING.retryDelayMs);
  expect(service.storeStatus.available).toBe(true);
  feed(45, 60);
  footage.end();
  const views = indexed();
  expect(views.map((v) => v.startOffsetS)).toEqual(Array.from({ length: 60 }, (_, s) => s));
  expect(views.at(-1)?.endOffsetS).toBe(60);
  expect(events).toEqual([]);
});

it('past two hours of views held, drops the oldest, says so once, and writes the rest', async () => {
  fillStore(store);
  feed(0, 7300);
  freeStore(store);
  await clock.advance(STORE_TIMING.retryDelayMs);
  footage.end();
  // The 7200 newest views ended while the store was full (of 7299), and the one open at the end.
  const views = indexed();
  expect(views.map((v) => v.startOffsetS)).toEqual(Array.from({ length: 7201 }, (_, k) => 99 + k));
  expect(events).toHaveLength(1);
  expect(events[0]).toMatch(
    /more than 7200 views held while the store is unavailable; the oldest are dropped/,
  );
});
