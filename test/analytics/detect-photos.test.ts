import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  detectPhotos,
  type PhotoResult,
  PhotoTally,
  photoInput,
  SnapshotNames,
} from '../../src/analytics/index.js';
import { type Detector, loadDetector } from '../../src/detect/index.js';
import { channelMeanModel, tinyModelSpec } from '../detect/tiny-onnx.js';

// The channel-mean model (test/detect/tiny-onnx.ts): white rectangles on black are its "plumes".
let dir: string;
let detector: Detector;

async function drawPng(file: string, box: [number, number, number, number] | null): Promise<void> {
  const [widthPx, heightPx] = [320, 200];
  const data = Buffer.alloc(widthPx * heightPx * 3);
  if (box) {
    const [x0, y0, x1, y1] = box;
    for (let y = y0; y < y1; y++) data.fill(255, (y * widthPx + x0) * 3, (y * widthPx + x1) * 3);
  }
  await sharp(data, { raw: { width: widthPx, height: heightPx, channels: 3 } })
    .png()
    .toFile(file);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-photos-'));
  fs.writeFileSync(path.join(dir, 'tiny.onnx'), channelMeanModel());
  fs.writeFileSync(path.join(dir, 'tiny.json'), JSON.stringify(tinyModelSpec()));
  detector = await loadDetector({ modelPath: path.join(dir, 'tiny.onnx') });
});
afterAll(async () => {
  await detector.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('detectPhotos', () => {
  it('judges each photo of a folder alone, in natural order, and passes over an unreadable one', async () => {
    const photos = path.join(dir, 'photos');
    fs.mkdirSync(photos);
    await drawPng(path.join(photos, 'site-10.png'), [100, 50, 200, 150]);
    await drawPng(path.join(photos, 'site-2.png'), null);
    fs.writeFileSync(path.join(photos, 'site-3.jpg'), 'not a picture');
    fs.writeFileSync(path.join(photos, 'notes.txt'), 'not a photo either');

    const input = await photoInput(photos);
    expect(input).toEqual({
      files: ['site-2.png', 'site-3.jpg', 'site-10.png'].map((name) => path.join(photos, name)),
      folder: true,
    });
    const results: PhotoResult[] = [];
    const tally = new PhotoTally();
    for await (const result of detectPhotos(input?.files ?? [], detector)) {
      results.push(result);
      tally.add(result);
    }

    const [empty, broken, plume] = results;
    expect(empty.unreadable === undefined && empty.detection.plumes).toEqual([]);
    expect(broken.unreadable).toMatch(/site-3\.jpg: cannot read the image/);
    if (plume.unreadable !== undefined) throw new Error(plume.unreadable);
    // A single photo is enough: no confirmation over several pictures.
    expect(plume.detection.plumes).toHaveLength(1);
    expect(plume.detection.plumes[0].box.x0).toBeCloseTo(100, 0);
    expect(plume.image.width).toBe(320);
    expect(tally.folders()).toEqual([
      { folder: photos, photos: 3, withPlumes: 1, withoutPlumes: 1, unreadable: 1 },
    ]);
  });

  it('takes one photo as it is, and leaves videos and missing paths to openVideo', async () => {
    const photo = path.join(dir, 'one.png');
    await drawPng(photo, null);
    expect(await photoInput(photo)).toEqual({ files: [photo], folder: false });
    fs.writeFileSync(path.join(dir, 'clip.mp4'), 'x');
    expect(await photoInput(path.join(dir, 'clip.mp4'))).toBeNull();
    expect(await photoInput(path.join(dir, 'absent.jpg'))).toBeNull();
    expect(await photoInput('udp://127.0.0.1:5600')).toBeNull();
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    await expect(photoInput(empty)).rejects.toThrow(`${empty}: no JPEG or PNG images in this folder`);
  });
});

describe('SnapshotNames', () => {
  it('names snapshots after their photos, distinct when two photos share a stem', () => {
    const names = new SnapshotNames();
    expect(names.for('a/site-3.jpg')).toBe('site-3-plumes.jpg');
    expect(names.for('a/site-3.PNG')).toBe('site-3-png-plumes.jpg');
    expect(names.for('a/site-3.jpeg')).toBe('site-3-jpeg-plumes.jpg');
    expect(names.for('a/site-4.png')).toBe('site-4-plumes.jpg');
  });
});
