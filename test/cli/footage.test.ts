import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService, openAlertStore } from '../../src/alerts/index.js';
import { loadFlightTelemetry } from '../../src/analytics/index.js';
import { frameAround, geometryToPlane, pointInPolygon } from '../../src/geo/index.js';
import { loadSiteFiles, type Site } from '../../src/sites/index.js';
import { resolveFfmpeg } from '../../src/video/index.js';
import { tempDir } from '../alerts/sightings.js';
import { expectOneCleanLine, runCli } from '../helpers/cli.js';
import { DEMO_SITES, flySimFlight, type SimFlight } from '../helpers/sim-flight.js';

// The footage index end to end, with real parts: the simulator flies over site D-01 and back with its
// camera down (H.264 video and a tlog), `dustpatrol replay` analyses it and fills the index, and
// `dustpatrol footage` finds the flight and the time the drone saw D-01, cuts a clip of it with ffmpeg,
// and finds nothing for D-05, 600 m off its route.

const CAMERA = { widthPx: 320, heightPx: 180, hfovDeg: 82, fps: 2 };
/** Over D-01 (its plume), then back with the camera up. */
const OVER_D01 = [{ latDeg: 34.7262, lonDeg: 113.63173 }];

let dir: string;
let db: string;
let flight: SimFlight;
let replayed: { flightId: string; videoStartUs: number; footageViews: number };
let d01: Site;

beforeAll(async () => {
  dir = tempDir('footage-cli');
  db = path.join(dir, 'patrol.db');
  flight = await flySimFlight({ dir, route: OVER_D01, altRelM: 60, camera: CAMERA, speedup: 20 });
  const r = await runCli(
    ['replay', '--tlog', flight.tlog, '--video', flight.video, '--sites', DEMO_SITES, '--db', db, '--json'],
    120_000,
  );
  if (r.code !== 0) throw new Error(`replay failed: ${r.stderr}`);
  replayed = JSON.parse(r.stdout);
  d01 = (await loadSiteFiles([DEMO_SITES])).sites.find((s) => s.id === 'D-01') as Site;
}, 180_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface RangeJson {
  flightId: string;
  recordingId: number;
  videoPath: string;
  missing: boolean;
  startUs: number;
  endUs: number;
  startOffsetS: number;
  endOffsetS: number;
  viewShare: number;
  clip: { file: string; startS: number; durationS: number } | null;
}

async function footage(
  ...args: string[]
): Promise<{ code: number | null; ranges: RangeJson[]; stderr: string }> {
  const r = await runCli(['footage', '--db', db, '--json', ...args]);
  return { code: r.code, ranges: r.stdout ? JSON.parse(r.stdout) : [], stderr: r.stderr };
}

/**
 * The times (µs, vehicle clock) the drone's logged position was over D-01 with its camera down, every
 * half second (over the site the mission turns the camera up to the horizon for the way home).
 */
async function timesOverD01(): Promise<number[]> {
  const { track, startUs, endUs } = await loadFlightTelemetry(flight.tlog);
  const frame = frameAround(d01.geometry);
  const [polygon] = geometryToPlane(d01.geometry, frame);
  const times: number[] = [];
  for (let t = startUs; t <= endUs; t += 500_000) {
    const at = track.poseAt(t, 500_000);
    if (!at.ok || !((at.pose.gimbal?.pitchRad ?? 0) < -1)) continue;
    const p = frame.toLocal(at.pose.latDeg, at.pose.lonDeg, 0);
    if (pointInPolygon({ x: p.eastM, y: p.northM }, polygon)) times.push(t);
  }
  return times;
}

/** The video's packets without decoding (ffmpeg's framecrc): pts (s), whether a keyframe, and a checksum. */
async function packets(file: string): Promise<{ ptsS: number; key: boolean; crc: string }[]> {
  const { stdout } = await promisify(execFile)(resolveFfmpeg(), [
    ...[
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      file,
      '-map',
      '0:v:0',
      '-c',
      'copy',
      '-f',
      'framecrc',
      '-',
    ],
  ]);
  const [, num, den] = /^#tb 0: (\d+)\/(\d+)$/m.exec(stdout) ?? [];
  return stdout
    .split('\n')
    .filter((l) => /^0,/.test(l))
    .map((l) => {
      const f = l.split(',').map((x) => x.trim());
      return { ptsS: (Number(f[2]) * Number(num)) / Number(den), key: !l.includes('F=0x'), crc: f[5] };
    });
}

describe('dustpatrol footage after a replay', () => {
  it('the replay indexed the video', () => {
    expect(replayed.footageViews).toBeGreaterThan(60);
  });

  it('finds the flight over D-01, when the drone was over it, with the offsets into its video', async () => {
    const { code, ranges } = await footage('--site', 'D-01');
    expect(code).toBe(0);
    // One stretch; more only where the simulator, sped up 20 times on a loaded machine, left its
    // telemetry silent for over 2 s of its time (no pose, no view).
    expect(ranges.length).toBeGreaterThanOrEqual(1);
    for (const range of ranges) {
      expect(range).toMatchObject({ flightId: replayed.flightId, videoPath: flight.video, missing: false });
      // Offsets are the same instants in the video, which started at replayed.videoStartUs.
      expect(range.startOffsetS).toBeCloseTo((range.startUs - replayed.videoStartUs) / 1e6, 3);
      expect(range.endOffsetS).toBeCloseTo((range.endUs - replayed.videoStartUs) / 1e6, 3);
    }
    const over = await timesOverD01();
    expect(over.length).toBeGreaterThan(0);
    for (const t of over)
      expect(
        ranges.some((r) => r.startUs <= t && t <= r.endUs),
        `${t}`,
      ).toBe(true);
    // Seen from before the drone reached it (the picture reaches ahead) to after it left, not the whole flight.
    const first = ranges[0];
    const last = ranges[ranges.length - 1];
    expect(first.startUs).toBeLessThan(over[0]);
    expect(last.endOffsetS - first.startOffsetS).toBeLessThan(60);
    expect(Math.max(...ranges.map((r) => r.viewShare))).toBeGreaterThan(0.5);

    // The same place as a drawn area or as a point in it.
    const area = path.join(dir, 'd01.geojson');
    fs.writeFileSync(
      area,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', properties: {}, geometry: d01.geometry }],
      }),
    );
    expect((await footage('--area', area)).ranges).toEqual(ranges);
    const at = await footage('--at', '34.7262,113.63173');
    expect(at.ranges.length).toBeGreaterThanOrEqual(1);
    for (const r of at.ranges) {
      expect(ranges.some((s) => s.startUs <= r.startUs && r.endUs <= s.endUs)).toBe(true);
    }
  });

  it('finds nothing for D-05, which the flight never had in view, and says so in a line', async () => {
    const r = await runCli(['footage', '--site', 'D-05', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`no footage of D-05 in ${db}\n`);
  });

  it('--since and --until cut the range', async () => {
    const all = (await footage('--site', 'D-01')).ranges;
    const [range] = all;
    const midUs = Math.round((range.startUs + range.endUs) / 2);
    const since = new Date(Math.ceil(midUs / 1e6) * 1000).toISOString();
    const { ranges } = await footage('--site', 'D-01', '--since', since);
    expect(ranges).toHaveLength(all.length);
    expect(ranges[0].startUs).toBe(Date.parse(since) * 1000);
    expect(ranges[0].endUs).toBe(range.endUs);
    expect(ranges.slice(1)).toEqual(all.slice(1));
    const before = new Date(Math.floor(range.startUs / 1e6) * 1000 - 1000).toISOString();
    expect((await footage('--site', 'D-01', '--until', before)).ranges).toEqual([]);
  });

  it('--clip writes a playable MP4 of the range from the keyframe at or before it, without re-encoding', async () => {
    const clips = path.join(dir, 'clips');
    const { code, ranges, stderr } = await footage('--site', 'D-01', '--clip', clips);
    expect(code, stderr).toBe(0);
    const source = await packets(flight.video);
    for (const range of ranges) {
      const clip = range.clip;
      if (!clip) throw new Error('no clip');
      const keyUs = range.startUs - (range.startOffsetS - clip.startS) * 1e6;
      const stamp = new Date(Math.floor(keyUs / 1000)).toISOString().replace(/[-:]|\.\d+/g, '');
      expect(path.basename(clip.file)).toMatch(
        new RegExp(`^D-01_${replayed.flightId}_${stamp}(_\\d)?\\.mp4$`),
      );

      const keyframe = source.filter((p) => p.key && p.ptsS <= range.startOffsetS + 1e-6).at(-1);
      expect(clip.startS).toBeCloseTo(keyframe?.ptsS ?? Number.NaN, 6);
      const cut = await packets(clip.file);
      // Its first packet is that keyframe, copied as it was; it runs to the range's end.
      expect(cut[0].key).toBe(true);
      expect(cut[0].crc).toBe(keyframe?.crc);
      const frameS = 1 / CAMERA.fps;
      const lengthS = cut.length * frameS;
      expect(lengthS).toBeGreaterThanOrEqual(range.endOffsetS - clip.startS - frameS);
      expect(lengthS).toBeLessThanOrEqual(range.endOffsetS - clip.startS + 2 * frameS);
    }
    expect(fs.readdirSync(clips).sort()).toEqual(ranges.map((r) => path.basename(r.clip?.file ?? '')).sort());
  });

  it('skips the clip of a recording gone missing with a warning, writes the others, and exits 1', async () => {
    // A copy of the store that also indexes a recording since moved away.
    const copy = path.join(dir, 'gone.db');
    fs.copyFileSync(db, copy);
    const store = openAlertStore(copy);
    const [recording] = store.footage.recordings();
    const gone = path.join(dir, 'moved-away.mkv');
    new AlertService({ store }).replaceFootage(
      { flightId: recording.flightId, path: gone },
      store.footage.views(recording.id),
    );
    store.close();

    const clips = path.join(dir, 'clips-2');
    const present = (await footage('--site', 'D-01')).ranges.length;
    const r = await runCli(['footage', '--site', 'D-01', '--db', copy, '--clip', clips]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^dustpatrol: warning: clip of .* skipped: ${gone}: the recording is missing$`, 'm'),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(clips)).toHaveLength(present);
    expect(r.stdout).toMatch(/moved-away\.mkv \(missing\)/);
  });

  it('names two clips that start at the same keyframe apart', async () => {
    const copy = path.join(dir, 'same-keyframe.db');
    fs.copyFileSync(db, copy);
    const store = openAlertStore(copy);
    const [recording] = store.footage.recordings();
    const [first] = store.footage.views(recording.id);
    // Two short views of D-01 0.2 s apart within one second of video (its keyframes are a second apart).
    const at = (fromS: number, toS: number) => ({
      ...first,
      startOffsetS: fromS,
      endOffsetS: toS,
      startUs: first.startUs + (fromS - first.startOffsetS) * 1e6,
      endUs: first.startUs + (toS - first.startOffsetS) * 1e6,
      footprint: [...(d01.geometry.coordinates[0] as number[][])]
        .slice(0, -1)
        .map(([lonDeg, latDeg]) => ({ latDeg, lonDeg })),
    });
    const base = Math.ceil(first.startOffsetS);
    new AlertService({ store }).replaceFootage(recording, [
      at(base + 0.2, base + 0.4),
      at(base + 0.6, base + 0.8),
    ]);
    store.close();

    const clips = path.join(dir, 'clips-3');
    const r = await runCli(['footage', '--site', 'D-01', '--db', copy, '--clip', clips, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ranges = JSON.parse(r.stdout) as RangeJson[];
    expect(ranges).toHaveLength(2);
    const [a, b] = ranges.map((x) => path.basename(x.clip?.file ?? ''));
    expect(b).toBe(a.replace(/\.mp4$/, '_2.mp4'));
    expect(fs.readdirSync(clips).sort()).toEqual([a, b].sort());
  });

  it('refuses bad input in one line', async () => {
    const unknown = await runCli(['footage', '--site', 'D-99', '--db', db]);
    expect(unknown.code).toBe(1);
    expectOneCleanLine(unknown.stderr, { alone: true });
    expect(unknown.stderr).toMatch(/--site D-99: no such site in .*patrol\.db/);

    const noArea = await runCli(['footage', '--area', path.join(dir, 'nowhere.geojson'), '--db', db]);
    expect(noArea.code).toBe(1);
    expectOneCleanLine(noArea.stderr, { alone: true });
    expect(noArea.stderr).toMatch(/nowhere\.geojson: no such area file/);

    const bad = path.join(dir, 'bad.geojson');
    fs.writeFileSync(bad, '{"type": "FeatureCollection", "features": [\n  {"type": "Feature", }\n]}');
    const badArea = await runCli(['footage', '--area', bad, '--db', db]);
    expect(badArea.code).toBe(1);
    expectOneCleanLine(badArea.stderr, { alone: true });
    expect(badArea.stderr).toMatch(/bad\.geojson.*line 2/);

    const point = path.join(dir, 'point.geojson');
    fs.writeFileSync(
      point,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [113.63, 34.72] } }],
      }),
    );
    const pointArea = await runCli(['footage', '--area', point, '--db', db]);
    expect(pointArea.code).toBe(1);
    expect(pointArea.stderr).toMatch(
      /point\.geojson: feature 0: expected a GeoJSON Polygon or MultiPolygon, got "Point"/,
    );

    const nowhere = await runCli(['footage', '--db', db]);
    expect(nowhere.code).toBe(2);
    expectOneCleanLine(nowhere.stderr);
  });
});
