import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlertStore } from '../../src/alerts/index.js';
import { runCli } from '../helpers/cli.js';
import { writeHoverTlog } from '../helpers/hover-tlog.js';
import { makeClip } from '../video/ffmpeg-helpers.js';

const SITES = 'fixtures/sites/small-sites.geojson';
const START_ISO = '2026-05-03T09:30:00.000000Z';
const START_US = Date.UTC(2026, 4, 3, 9, 30) * 1000;

let dir: string;
let tlog: string;
let video: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dustpatrol-replay-'));
  tlog = path.join(dir, 'hover.tlog');
  writeHoverTlog(tlog, {
    startUs: START_US,
    seconds: 6,
    latDeg: 34.7245,
    lonDeg: 113.6302,
    groundAmslM: 110,
    altRelM: 60,
  });
  video = path.join(dir, 'hover.mkv');
  await makeClip(video, 4, '320x180', 10, [`creation_time=${START_ISO}`]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const replay = (...args: string[]) =>
  runCli(['replay', '--sites', SITES, '--db', path.join(dir, 'alerts.db'), ...args]);

function oneLineError(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0];
}

describe('dustpatrol replay refuses what it cannot analyse, in one line', () => {
  it('replays a log and a video that overlap (the hover clip has no plume)', async () => {
    const r = await replay('--tlog', tlog, '--video', video);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^flight sys1-20260503T093000Z: 4 s of video, 8 frames/m);
  });

  it('a video recorded at another time than the log', async () => {
    const r = await replay('--tlog', tlog, '--video', video, '--video-start', '2026-05-03T12:00:00Z');
    expect(r.code).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(/do not overlap in time.*--video-start.*--offset/);
    // The same clock error, corrected with --offset, replays.
    const fixed = await replay(
      '--tlog',
      tlog,
      '--video',
      video,
      '--video-start',
      '2026-05-03T12:00:00Z',
      '--offset',
      '-9000',
    );
    expect(fixed.code).toBe(0);
  });

  it('a video that does not say when it was recorded, without --video-start', async () => {
    const bare = path.join(dir, 'bare.mp4');
    await makeClip(bare, 1, '160x90');
    const r = await replay('--tlog', tlog, '--video', bare);
    expect(r.code).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(/bare\.mp4.*creation_time.*--video-start/);
  });

  it('a truncated tlog', async () => {
    const cut = path.join(dir, 'cut.tlog');
    const bytes = fs.readFileSync(tlog);
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 7));
    const r = await replay('--tlog', cut, '--video', video);
    expect(r.code).toBe(1);
    expect(oneLineError(r.stderr)).toMatch(/cut\.tlog: tlog truncated at byte \d+/);
  });

  it('a video with no frames, a missing tlog, a file that is not a video', async () => {
    const empty = path.join(dir, 'empty.mkv');
    fs.writeFileSync(empty, '');
    const noFrames = await replay('--tlog', tlog, '--video', empty);
    expect(noFrames.code).toBe(1);
    expect(oneLineError(noFrames.stderr)).toMatch(/empty\.mkv/);

    const notVideo = await replay('--tlog', tlog, '--video', tlog);
    expect(notVideo.code).toBe(1);
    expect(oneLineError(notVideo.stderr)).toMatch(/hover\.tlog/);

    const missing = await replay('--tlog', path.join(dir, 'nope.tlog'), '--video', video);
    expect(missing.code).toBe(1);
    expect(oneLineError(missing.stderr)).toMatch(/nope\.tlog/);
  });
});

describe('dustpatrol replay leaves no trace of a failure', () => {
  const storeFiles = (db: string) => fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(db)));

  it('a failed replay removes the store it created, and leaves one that was there', async () => {
    const fresh = path.join(dir, 'fresh.db');
    const missingTlog = path.join(dir, 'nope.tlog');
    for (const [t, v] of [
      [missingTlog, video],
      [tlog, tlog],
    ]) {
      const r = await runCli(['replay', '--sites', SITES, '--db', fresh, '--tlog', t, '--video', v]);
      expect(r.code).toBe(1);
      oneLineError(r.stderr);
      expect(storeFiles(fresh)).toEqual([]);
    }

    const kept = path.join(dir, 'kept.db');
    openAlertStore(kept).close();
    const r = await runCli([
      'replay',
      '--sites',
      SITES,
      '--db',
      kept,
      '--tlog',
      missingTlog,
      '--video',
      video,
    ]);
    expect(r.code).toBe(1);
    expect(fs.existsSync(kept)).toBe(true);
  });

  it('a video cut mid-file: what was read is analysed and stored, with a warning and status 1', async () => {
    const cut = path.join(dir, 'cut.mkv');
    const halfBytes = Math.floor(fs.statSync(video).size / 2);
    fs.writeFileSync(cut, execFileSync('head', ['-c', String(halfBytes), video]));
    const db = path.join(dir, 'cut.db');
    const r = await runCli(['replay', '--sites', SITES, '--db', db, '--tlog', tlog, '--video', cut]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^flight sys1-20260503T093000Z: .*; video damaged or cut short, analysed up to \d/m,
    );
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('dustpatrol:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /cut\.mkv: damaged or cut short \(ffmpeg: .+\); analysed up to [\d.]+ s of 4\.0 s$/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // The flight is stored, as far as it was analysed.
    const store = openAlertStore(db, { readOnly: true });
    expect(store.listFlights().map((f) => f.id)).toEqual(['sys1-20260503T093000Z']);
    store.close();

    const json = await runCli([
      'replay',
      '--sites',
      SITES,
      '--db',
      db,
      '--tlog',
      tlog,
      '--video',
      cut,
      '--json',
    ]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).videoDamage).toEqual(expect.any(String));
  });
});
