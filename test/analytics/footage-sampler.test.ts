import { describe, expect, it } from 'vitest';
import type { FootageView } from '../../src/alerts/index.js';
import { FootageSampler } from '../../src/analytics/footage-sampler.js';
import { cameraFromFov, type PoseResult } from '../../src/geotag/index.js';
import { poseOver } from '../geotag/poses.js';

// What the footage index keeps of a flight's frames: a view of the ground a second, sooner when the
// camera turns, none where the camera sees no ground, each ending where the next begins or a frame
// after its last; a short loss of telemetry does not break a view.

const camera = cameraFromFov({ widthPx: 640, heightPx: 360, horizontalFovDeg: 82 });
const T0_US = 1_700_000_000_000_000;
const FRAME_S = 0.5;

function sampled(poseAt: (tS: number) => PoseResult, frames: { path: string; offsetS: number }[]) {
  const views: { path: string; view: FootageView }[] = [];
  const sampler = new FootageSampler({
    camera,
    poseAt: (timeUs) => poseAt((timeUs - T0_US) / 1e6),
    frameIntervalS: FRAME_S,
    onView: (path, view) => views.push({ path, view }),
  });
  for (const f of frames) sampler.frame(f.path, f.offsetS, T0_US + f.offsetS * 1e6);
  sampler.end();
  return views.map(({ path, view }) => [path, view.startOffsetS, view.endOffsetS]);
}

const hovering = (): PoseResult => ({ ok: true, pose: poseOver({ altRelM: 60 }) });
const everyHalfSecond = (path: string, fromS: number, toS: number) =>
  Array.from({ length: Math.round((toS - fromS) / FRAME_S) + 1 }, (_, k) => ({
    path,
    offsetS: fromS + k * FRAME_S,
  }));

describe('the footage sampler', () => {
  it('takes a view a second while the picture stays put, the last ending a frame after its last frame', () => {
    expect(sampled(hovering, everyHalfSecond('a.mkv', 0, 3))).toEqual([
      ['a.mkv', 0, 1],
      ['a.mkv', 1, 2],
      ['a.mkv', 2, 3],
      ['a.mkv', 3, 3.5],
    ]);
  });

  it('takes one sooner when the camera turns and the ground in view moves', () => {
    const turning = (tS: number): PoseResult => ({
      ok: true,
      pose: poseOver({ altRelM: 60, yawDeg: tS >= 1.5 ? 90 : 0 }),
    });
    expect(sampled(turning, everyHalfSecond('a.mkv', 0, 2.5))).toEqual([
      ['a.mkv', 0, 1],
      ['a.mkv', 1, 1.5],
      ['a.mkv', 1.5, 2.5],
      ['a.mkv', 2.5, 3],
    ]);
  });

  it('holds a view across a second without a pose, ends it when the camera sees no ground, and starts again', () => {
    const gaps = (tS: number): PoseResult => {
      if (tS >= 1.5 && tS < 2.5) return { ok: false, reason: 'no telemetry within 500 ms' };
      return {
        ok: true,
        pose: poseOver({ altRelM: 60, gimbal: { pitchDeg: tS >= 3.5 && tS < 5 ? 20 : -90 } }),
      };
    };
    expect(sampled(gaps, everyHalfSecond('a.mkv', 0, 5.5))).toEqual([
      ['a.mkv', 0, 1],
      ['a.mkv', 1, 2.5],
      ['a.mkv', 2.5, 3.5],
      ['a.mkv', 5, 6],
    ]);
  });

  it('ends a view a frame after its last pose when the pose is lost longer than 2 s', () => {
    const lost = (tS: number): PoseResult =>
      tS >= 1.5 && tS < 4 ? { ok: false, reason: 'no telemetry within 500 ms' } : hovering();
    expect(sampled(lost, everyHalfSecond('a.mkv', 0, 4.5))).toEqual([
      ['a.mkv', 0, 1],
      ['a.mkv', 1, 1.5],
      ['a.mkv', 4, 5],
    ]);
  });

  it("fills frames the analysis skipped from the poses between, at the frames' pace", () => {
    // Live analytics that falls behind drops frames; the recording has them.
    const frames = [...everyHalfSecond('a.mkv', 0, 0.5), ...everyHalfSecond('a.mkv', 4, 4.5)];
    expect(sampled(hovering, frames)).toEqual([
      ['a.mkv', 0, 1],
      ['a.mkv', 1, 2],
      ['a.mkv', 2, 3],
      ['a.mkv', 3, 4],
      ['a.mkv', 4, 5],
    ]);
  });

  it('does not carry a view across recordings, a jump of the clock or a gap of over a minute', () => {
    const views: string[][] = [];
    const sampler = new FootageSampler({
      camera,
      poseAt: () => hovering(),
      frameIntervalS: FRAME_S,
      onView: (path, view) => views.push([path, String(view.startOffsetS), String(view.endOffsetS)]),
    });
    const frame = (path: string, offsetS: number, timeS: number) =>
      sampler.frame(path, offsetS, T0_US + timeS * 1e6);
    frame('a.mkv', 0, 0);
    frame('b.mkv', 0, 0.5); // another recording
    frame('b.mkv', 5, 30); // 5 s on in the video, 29.5 s on the clock: a restarted clock, not skipped frames
    frame('b.mkv', 100, 125); // over a minute on
    sampler.end();
    expect(views).toEqual([
      ['a.mkv', '0', '0.5'],
      ['b.mkv', '0', '0.5'],
      ['b.mkv', '5', '5.5'],
      ['b.mkv', '100', '100.5'],
    ]);
  });
});
