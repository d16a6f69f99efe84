import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Detector, loadDetector } from '../../src/detect/index.js';
import { UserError } from '../../src/errors.js';
import { channelMeanModel, tinyModelSpec } from './tiny-onnx.js';

// The channel-mean model from tiny-onnx.ts: a pixel's probability is its brightness, so drawn white
// rectangles are the "plumes", and the detector's pre- and post-processing can be checked exactly.
let dir: string;
const file = (name: string) => path.join(dir, name);

function write(name: string, content: string | Buffer): string {
  fs.writeFileSync(file(name), content);
  return file(name);
}

async function loadError(options: Parameters<typeof loadDetector>[0]): Promise<string> {
  const err = await loadDetector(options).then(
    async (detector) => {
      await detector.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  const message = (err as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

/** A black RGB frame with white rectangles [x0, y0, x1, y1). */
function frame(widthPx: number, heightPx: number, boxes: [number, number, number, number][]) {
  const data = Buffer.alloc(widthPx * heightPx * 3);
  for (const [x0, y0, x1, y1] of boxes) {
    for (let y = y0; y < y1; y++) data.fill(255, (y * widthPx + x0) * 3, (y * widthPx + x1) * 3);
  }
  return { data, width: widthPx, height: heightPx };
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-detect-'));
  write('tiny.onnx', channelMeanModel());
  write('tiny.json', JSON.stringify(tinyModelSpec()));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('detector with a known model', () => {
  let detector: Detector;
  beforeAll(async () => {
    detector = await loadDetector({ modelPath: file('tiny.onnx'), threads: 1 });
  });
  afterAll(() => detector.close());

  it('maps blobs back to frame pixels through the stretch to the model input', async () => {
    const detection = await detector.detectFrame({ ...frame(640, 360, [[320, 90, 480, 270]]), ptsS: 12.5 });
    expect(detection.ptsS).toBe(12.5);
    expect(detection.inferenceMs).toBeGreaterThan(0);
    expect(detection.totalMs).toBeGreaterThanOrEqual(detection.inferenceMs);
    expect(detection.plumes).toHaveLength(1);
    const [plume] = detection.plumes;
    // One model pixel is 2.5 × 1.40625 frame pixels; edges land within one model pixel.
    expect(plume.box.x0).toBeCloseTo(320, -1);
    expect(plume.box.x1).toBeCloseTo(480, -1);
    expect(Math.abs(plume.box.y0 - 90)).toBeLessThan(1.5);
    expect(Math.abs(plume.box.y1 - 270)).toBeLessThan(1.5);
    expect(plume.areaPx / (160 * 180)).toBeCloseTo(1, 1);
    expect(plume.peakScore).toBeCloseTo(1, 2);
    expect(plume.sourcePx.x).toBeCloseTo(400, -1);
    expect(Math.abs(plume.sourcePx.y - 270)).toBeLessThan(1.5);
  });

  it('has no image score: the model has no image output', async () => {
    const detection = await detector.detectFrame({ ...frame(64, 64, [[0, 0, 32, 32]]), ptsS: 0 });
    expect(detection.imageScore).toBeNull();
    expect(detection.plumes).toHaveLength(1);
  });

  it('finds separate plumes, largest first, and none in an empty frame', async () => {
    const two = await detector.detectFrame({
      ...frame(512, 512, [
        [10, 10, 60, 60],
        [200, 300, 400, 400],
      ]),
      ptsS: 0,
    });
    expect(two.plumes.map((p) => Math.round(p.box.x0))).toEqual([200, 10]);
    const none = await detector.detectFrame({ ...frame(300, 200, []), ptsS: 0 });
    expect(none.plumes).toEqual([]);
  });

  it('drops blobs under the minimum area (16 model pixels)', async () => {
    // 6×6 frame pixels at 2× is 3×3 model pixels.
    const small = await detector.detectFrame({ ...frame(512, 512, [[100, 100, 106, 106]]), ptsS: 0 });
    expect(small.plumes).toEqual([]);
  });

  it('reads images from files, and names a bad one', async () => {
    const { data, width, height } = frame(320, 240, [[40, 40, 120, 200]]);
    const png = file('white-box.png');
    await sharp(data, { raw: { width, height, channels: 3 } })
      .png()
      .toFile(png);
    const detection = await detector.detectImage(png);
    expect(detection.plumes).toHaveLength(1);
    expect(detection.plumes[0].box.x0).toBeCloseTo(40, 0);
    await expect(detector.detectImage(file('nothing.jpg'))).rejects.toThrow(
      /nothing\.jpg: cannot read the image/,
    );
    await expect(detector.detectImage(write('text.jpg', 'not a picture'))).rejects.toThrow(UserError);
  });
});

describe('a model with an image output: the image gate', () => {
  // The tiny model's image score is the mean brightness of the mask: a white quarter scores 0.25.
  const quarter = () => ({ ...frame(512, 512, [[0, 0, 256, 256]]), ptsS: 3 });

  async function detectWith(imageThreshold: number) {
    const model = write(`gate-${imageThreshold}.onnx`, channelMeanModel({ imageOutputName: 'image_prob' }));
    write(`gate-${imageThreshold}.json`, JSON.stringify(tinyModelSpec({ imageThreshold })));
    const detector = await loadDetector({ modelPath: model });
    try {
      return await detector.detectFrame(quarter());
    } finally {
      await detector.close();
    }
  }

  it('keeps the plumes of a frame whose image score reaches the threshold', async () => {
    const detection = await detectWith(0.2);
    expect(detection.imageScore).toBeCloseTo(0.25, 3);
    expect(detection.plumes).toHaveLength(1);
    expect(detection.plumes[0].box).toEqual({ x0: 0, y0: 0, x1: 256, y1: 256 });
  });

  it('drops every plume of a frame whose image score is under it', async () => {
    const detection = await detectWith(0.3);
    expect(detection.imageScore).toBeCloseTo(0.25, 3);
    expect(detection.ptsS).toBe(3);
    expect(detection.plumes).toEqual([]);
  });
});

describe('bad image output: one clear line naming the file and field', () => {
  it('a description naming an image output the model does not have', async () => {
    const model = write('other-name.onnx', channelMeanModel({ imageOutputName: 'image_score' }));
    write('other-name.json', JSON.stringify(tinyModelSpec({ imageThreshold: 0.5 })));
    expect(await loadError({ modelPath: model })).toBe(
      `${model}: no image output named 'image_prob' (as ${file('other-name.json')} image_output says); ` +
        `the model has 'plume_prob', 'image_score'`,
    );
    const maskOnly = write('mask-only.onnx', channelMeanModel());
    write('mask-only.json', JSON.stringify(tinyModelSpec({ imageThreshold: 0.5 })));
    expect(await loadError({ modelPath: maskOnly })).toMatch(
      /mask-only\.onnx: no image output named 'image_prob' .*; the model has 'plume_prob'$/,
    );
  });

  it('an image output of another shape than [batch, 1]', async () => {
    const model = write(
      'not-flat.onnx',
      channelMeanModel({ imageOutputName: 'image_prob', imageOutputFlat: false }),
    );
    write('not-flat.json', JSON.stringify(tinyModelSpec({ imageThreshold: 0.5 })));
    expect(await loadError({ modelPath: model })).toBe(
      `${model}: image output 'image_prob' has shape [batch, 1, 1, 1], expected [batch, 1] ` +
        `(${file('not-flat.json')} image_output)`,
    );
    const spec = tinyModelSpec({ imageThreshold: 0.5 }) as { image_output: { shape: unknown[] } };
    spec.image_output.shape = ['batch', 2];
    write('not-flat.json', JSON.stringify(spec));
    expect(await loadError({ modelPath: model })).toBe(
      `${file('not-flat.json')}: image_output.shape must be [batch, 1], found [batch, 2]`,
    );
  });

  it('an image output without its threshold, or a threshold without the output', async () => {
    const model = write('half.onnx', channelMeanModel({ imageOutputName: 'image_prob' }));
    const spec = tinyModelSpec({ imageThreshold: 0.5 }) as {
      image_output?: unknown;
      postprocess: Record<string, unknown>;
    };
    delete spec.postprocess.image_threshold;
    write('half.json', JSON.stringify(spec));
    expect(await loadError({ modelPath: model })).toBe(
      `${file('half.json')}: image_output is given but postprocess.image_threshold is missing`,
    );
    const other = tinyModelSpec({ imageThreshold: 0.5 }) as { image_output?: unknown };
    delete other.image_output;
    write('half.json', JSON.stringify(other));
    expect(await loadError({ modelPath: model })).toBe(
      `${file('half.json')}: postprocess.image_threshold is given but image_output is missing`,
    );
    write('half.json', JSON.stringify(tinyModelSpec({ imageThreshold: 1.5 })));
    expect(await loadError({ modelPath: model })).toMatch(/half\.json: postprocess\.image_threshold: /);
  });
});

describe('bad model input: one clear line each', () => {
  it('a missing model file', async () => {
    expect(await loadError({ modelPath: file('absent.onnx') })).toBe(
      `${file('absent.onnx')}: no such model file`,
    );
  });

  it('a directory as the model', async () => {
    expect(await loadError({ modelPath: dir })).toMatch(/not a file; expected an ONNX model/);
  });

  it('a text file as the model', async () => {
    const model = write('notes.onnx', 'this is not a model\n'.repeat(20));
    write('notes.json', JSON.stringify(tinyModelSpec()));
    const message = await loadError({ modelPath: model });
    expect(message).toMatch(new RegExp(`^${model.replace(/[.]/g, '\\.')}: not a usable ONNX model \\(`));
  });

  it('a truncated model', async () => {
    const model = write('cut.onnx', channelMeanModel().subarray(0, 60));
    write('cut.json', JSON.stringify(tinyModelSpec()));
    expect(await loadError({ modelPath: model })).toMatch(/cut\.onnx: not a usable ONNX model/);
  });

  it('a model whose input shape is not the one its description gives', async () => {
    const model = write('small.onnx', channelMeanModel({ heightPx: 128, widthPx: 128 }));
    const message = await loadError({ modelPath: model, specPath: file('tiny.json') });
    expect(message).toBe(
      `${model}: input 'image' has shape [batch, 3, 128, 128], expected [batch, 3, 256, 256] (${file('tiny.json')})`,
    );
  });

  it('a model whose tensor names are not the described ones', async () => {
    const model = write('renamed.onnx', channelMeanModel({ inputName: 'pixels' }));
    const message = await loadError({ modelPath: model, specPath: file('tiny.json') });
    expect(message).toMatch(
      /renamed\.onnx: no input named 'image' \(as .*tiny\.json says\); the model has 'pixels'/,
    );
  });

  it('a missing or broken model description', async () => {
    const model = write('lonely.onnx', channelMeanModel());
    expect(await loadError({ modelPath: model })).toMatch(/lonely\.json: no such model description/);
    write('lonely.json', '{"input": ');
    expect(await loadError({ modelPath: model })).toMatch(/lonely\.json: invalid JSON at line 1/);
    const spec = tinyModelSpec() as { postprocess: Record<string, unknown> };
    spec.postprocess.threshold = 'high';
    write('lonely.json', JSON.stringify(spec));
    expect(await loadError({ modelPath: model })).toMatch(/lonely\.json: postprocess\.threshold: /);
  });

  it('a bad thread count', async () => {
    expect(await loadError({ modelPath: file('tiny.onnx'), threads: 0 })).toMatch(
      /threads must be a whole number/,
    );
  });
});
