import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeSnapshot, type Frame } from '../../src/video/index.js';

/** A uniform grey frame, so that any outline shows as a change of colour. */
function greyFrame(width: number, height: number): Frame {
  return { data: Buffer.alloc(width * height * 3, 128), width, height, ptsS: 0, index: 0, receivedAtMs: 0 };
}

async function decode(jpeg: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function pixel(image: { data: Buffer; width: number }, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return [...image.data.subarray(i, i + 3)];
}

const isRed = ([r, g, b]: number[]) => r > 200 && g < 120 && b < 120;
const isGrey = ([r, g, b]: number[]) => [r, g, b].every((v) => Math.abs(v - 128) < 12);

describe('encodeSnapshot', () => {
  it('outlines each box on the frame, and leaves the rest alone', async () => {
    const jpeg = await encodeSnapshot(greyFrame(200, 100), [
      { x: 20, y: 10, width: 60, height: 40, label: 'plume 0.93' },
      { x: 150, y: 60, width: 30, height: 30 },
    ]);
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const image = await decode(jpeg);
    expect([image.width, image.height]).toEqual([200, 100]);
    expect(isRed(pixel(image, 50, 11))).toBe(true); // top edge of the first box
    expect(isRed(pixel(image, 21, 30))).toBe(true); // left edge
    expect(isRed(pixel(image, 178, 75))).toBe(true); // right edge of the second box
    expect(isGrey(pixel(image, 60, 35))).toBe(true); // inside the first box, below the label
    expect(isGrey(pixel(image, 120, 50))).toBe(true); // between the boxes
  });

  it('clips a box that runs off the frame and skips one wholly outside', async () => {
    const jpeg = await encodeSnapshot(greyFrame(100, 100), [
      { x: 70, y: -10, width: 50, height: 50 },
      { x: 300, y: 300, width: 10, height: 10 },
    ]);
    const image = await decode(jpeg);
    expect(isRed(pixel(image, 71, 20))).toBe(true);
    expect(isGrey(pixel(image, 30, 30))).toBe(true);
  });

  it('adds a dark caption bar along the bottom', async () => {
    const image = await decode(
      await encodeSnapshot(greyFrame(200, 100), [], { caption: 'site 12 · 00:01:05' }),
    );
    const [r, g, b] = pixel(image, 199, 97);
    expect(r + g + b).toBeLessThan(3 * 80);
    expect(isGrey(pixel(image, 100, 40))).toBe(true);
  });

  it('a lower quality gives a smaller file', async () => {
    const frame = greyFrame(64, 64);
    for (let i = 0; i < frame.data.length; i++) frame.data[i] = (i * 37) % 256;
    const high = await encodeSnapshot(frame, [], { quality: 95 });
    const low = await encodeSnapshot(frame, [], { quality: 20 });
    expect(low.length).toBeLessThan(high.length);
  });
});
