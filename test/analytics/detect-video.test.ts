import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analysePlumes, type ConfirmedPlume } from '../../src/analytics/index.js';
import { type Detector, loadDetector } from '../../src/detect/index.js';
import { openVideo } from '../../src/video/index.js';
import { CLIP_SEGMENT_S, makePlumeClip } from '../helpers/plume-clip.js';

const SAMPLE_FPS = 2;
let dir: string;
let detector: Detector;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-clip-'));
  detector = await loadDetector({ threads: 2 });
});
afterAll(async () => {
  await detector.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('confirms plumes in a real clip (no poses: detect on a video) only in the span that shows one, each with its evidence frame', async () => {
  const video = await openVideo(await makePlumeClip(dir), { fps: SAMPLE_FPS });
  const plumes: ConfirmedPlume[] = [];
  const confirmedAtS: number[] = [];
  let frames = 0;
  // `detect` on a video: the plume pipeline without poses confirms plumes but places none.
  const analysedFrames = analysePlumes(video, {
    detector,
    frameSize: video.info,
    onPlumeEnded: async (p) => {
      plumes.push(p);
    },
  });
  for await (const analysed of analysedFrames) {
    frames++;
    for (const _ of analysed.confirmed) confirmedAtS.push(analysed.frame.ptsS);
  }
  await video.close();

  // A sampled frame at a cut may show either side of it: half a sample period of slack.
  const slackS = 0.5 / SAMPLE_FPS;
  const [startS, endS] = [CLIP_SEGMENT_S - slackS, 2 * CLIP_SEGMENT_S + slackS];
  expect(frames).toBe(3 * CLIP_SEGMENT_S * SAMPLE_FPS);
  expect(plumes.length).toBeGreaterThan(0);
  for (const { track, evidence } of plumes) {
    expect(track.firstSeenS).toBeGreaterThanOrEqual(startS);
    expect(track.lastSeenS).toBeLessThanOrEqual(endS);
    // The evidence is the frame where the plume scored highest, wherever in the track it came.
    expect(evidence.ptsS).toBe(track.best.ptsS);
    expect(evidence.data.length).toBe(evidence.width * evidence.height * 3);
  }
  // Confirmation needs 3 sightings, so it comes at the third plume frame at the earliest.
  for (const atS of confirmedAtS) {
    expect(atS).toBeGreaterThanOrEqual(CLIP_SEGMENT_S + 2 / SAMPLE_FPS - slackS);
    expect(atS).toBeLessThanOrEqual(endS);
  }
});
