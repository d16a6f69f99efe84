import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Frame, openVideo, type VideoSource } from '../../src/video/index.js';
import { ffmpegChildPids, isAlive, makeClip } from './ffmpeg-helpers.js';

let dir: string;
let clip: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dustpatrol-video-'));
  clip = path.join(dir, 'clip.mp4');
  await makeClip(clip, 3);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(source: VideoSource): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of source) frames.push(frame);
  return frames;
}

describe('video file', () => {
  it('samples 3 s at 2 fps into 6 frames with pts 0, 0.5, … 2.5', async () => {
    const source = await openVideo(clip, { fps: 2 });
    expect(source.info).toMatchObject({ width: 320, height: 240, sourceFps: 10, durationS: 3, live: false });
    const frames = await readAll(source);
    expect(frames.map((f) => f.ptsS)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const f of frames) {
      expect(f.data.length).toBe(320 * 240 * 3);
      expect(f.receivedAtMs).toBeGreaterThan(Date.now() - 60_000);
    }
    // testsrc2 is colourful, not a blank buffer.
    expect(new Set(frames[0].data.subarray(0, 3000)).size).toBeGreaterThan(10);
  });

  it('says a file cut mid-way is damaged, after its readable frames; a whole file is not', async () => {
    const whole = await openVideo(clip, { fps: 2 });
    await readAll(whole);
    expect(whole.damage).toBeUndefined();

    // Matroska: ffmpeg reads the first half, says "Read error" and exits 0, as for a whole file.
    const mkv = path.join(dir, 'whole.mkv');
    await makeClip(mkv, 4, '160x120');
    const bytes = await readFile(mkv);
    const cut = path.join(dir, 'cut.mkv');
    await writeFile(cut, bytes.subarray(0, bytes.length / 2));
    const source = await openVideo(cut, { fps: 2 });
    const frames = await readAll(source);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThan(8);
    expect(source.damage).toMatch(/Read error/);
  });

  it("reads when the recording started from the container's creation_time, to the microsecond", async () => {
    const recorded = path.join(dir, 'recorded.mkv');
    await makeClip(recorded, 1, '160x120', 10, ['creation_time=2026-11-25T10:00:00.123456Z']);
    const source = await openVideo(recorded);
    expect(source.info.creationTimeUs).toBe(Date.UTC(2026, 10, 25, 10, 0, 0) * 1000 + 123_456);
    await source.close();
    // A clip that does not say when it was recorded says nothing rather than a made-up time.
    const plain = await openVideo(clip);
    expect(plain.info.creationTimeUs).toBeUndefined();
    await plain.close();
  });

  it("keeps each sampled frame's own pts when the rate does not divide the source rate", async () => {
    const frames = await readAll(await openVideo(clip, { fps: 3 }));
    expect(frames.map((f) => f.ptsS)).toEqual([0, 0.4, 0.7, 1, 1.4, 1.7, 2, 2.4, 2.7]);
  });

  it('never duplicates frames when the rate is above the source rate', async () => {
    const frames = await readAll(await openVideo(clip, { fps: 30 }));
    expect(frames).toHaveLength(30);
  });

  it('reads every frame when no rate is given', async () => {
    const frames = await readAll(await openVideo(clip));
    expect(frames).toHaveLength(30);
    expect(frames[29].ptsS).toBeCloseTo(2.9, 6);
  });

  it('scales to a given size, and keeps the aspect ratio when given one side', async () => {
    const both = await readAll(await openVideo(clip, { fps: 1, width: 100, height: 50 }));
    expect(both.map((f) => [f.width, f.height, f.data.length])).toEqual(Array(3).fill([100, 50, 15000]));
    const source = await openVideo(clip, { fps: 1, width: 160 });
    expect(source.info).toMatchObject({ width: 160, height: 120 });
    const frames = await readAll(source);
    expect(frames[0].data.length).toBe(160 * 120 * 3);
  });

  it('close() in the middle of a file stops ffmpeg', async () => {
    const long = path.join(dir, 'long.mp4');
    await makeClip(long, 20);
    const source = await openVideo(long);
    const iterator = source[Symbol.asyncIterator]();
    await iterator.next();
    const pids = ffmpegChildPids();
    expect(pids).toHaveLength(1);
    await source.close();
    expect(ffmpegChildPids()).toEqual([]);
    expect(isAlive(pids[0])).toBe(false);
    expect((await iterator.next()).done).toBe(true);
  });

  it('breaking out of a for-await loop stops ffmpeg', async () => {
    const source = await openVideo(clip);
    for await (const frame of source) if (frame.index === 2) break;
    expect(ffmpegChildPids()).toEqual([]);
  });
});

describe('images', () => {
  const colours = { 'img1.png': [255, 0, 0], 'img2.jpg': [0, 255, 0], 'img10.png': [0, 0, 255] } as const;

  beforeAll(async () => {
    await mkdir(path.join(dir, 'images'));
    for (const [name, [r, g, b]] of Object.entries(colours)) {
      await sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } }).toFile(
        path.join(dir, 'images', name),
      );
    }
    await writeFile(path.join(dir, 'images', 'notes.txt'), 'not an image');
  });

  it('reads a folder of JPEG and PNG images in natural order, pts by index / fps', async () => {
    const source = await openVideo(path.join(dir, 'images'), { fps: 2 });
    expect(source.info).toMatchObject({ width: 64, height: 48, durationS: 1.5, live: false });
    const frames = await readAll(source);
    expect(frames.map((f) => f.ptsS)).toEqual([0, 0.5, 1]);
    const firstPixels = frames.map((f) => [...f.data.subarray(0, 3)].map((v) => Math.round(v / 64)));
    expect(firstPixels).toEqual([
      [4, 0, 0],
      [0, 4, 0],
      [0, 0, 4],
    ]);
  });

  it('reads one image as one frame, scaled with its aspect kept', async () => {
    const frames = await readAll(await openVideo(path.join(dir, 'images', 'img1.png'), { width: 32 }));
    expect(frames.map((f) => [f.width, f.height, f.data.length, f.ptsS])).toEqual([[32, 24, 32 * 24 * 3, 0]]);
  });
});
