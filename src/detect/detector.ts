import { performance } from 'node:perf_hooks';
import type * as ort from 'onnxruntime-node';
import { Tensor } from 'onnxruntime-node';
import sharp from 'sharp';
import { UserError } from '../errors.js';
import { findBlobs } from './blobs.js';
import type { ModelSpec } from './model-card.js';
import { blobToPlume, type Plume } from './plume.js';
import { type RgbImage, toModelInput } from './preprocess.js';

/** A frame to look at: RGB pixels and its presentation time (src/video frames fit this). */
export interface RgbFrame extends RgbImage {
  ptsS: number;
}

/** The plumes in one frame. */
export interface Detection {
  ptsS: number;
  plumes: Plume[];
  /** The model run alone. */
  inferenceMs: number;
  /** Pre-processing, inference and post-processing. */
  totalMs: number;
}

export class Detector {
  constructor(
    private readonly session: ort.InferenceSession,
    readonly spec: ModelSpec,
    readonly modelPath: string,
  ) {}

  async detectFrame(frame: RgbFrame): Promise<Detection> {
    const startedMs = performance.now();
    const { inputWidthPx: widthPx, inputHeightPx: heightPx } = this.spec;
    const input = await toModelInput(frame, widthPx, heightPx);
    const inferenceStartedMs = performance.now();
    const outputs = await this.session.run({
      [this.spec.inputName]: new Tensor('float32', input, [1, 3, heightPx, widthPx]),
    });
    const inferenceMs = performance.now() - inferenceStartedMs;
    const prob = outputs[this.spec.outputName].data as Float32Array;
    const { threshold, minBlobAreaPx: minAreaPx, mergeGapPx } = this.spec;
    const blobs = findBlobs(prob, widthPx, heightPx, { threshold, minAreaPx, mergeGapPx });
    const plumes = blobs.map((blob) => blobToPlume(blob, frame.width / widthPx, frame.height / heightPx));
    return { ptsS: frame.ptsS, plumes, inferenceMs, totalMs: performance.now() - startedMs };
  }

  /** An image file (JPEG, PNG, …); its ptsS is 0. */
  async detectImage(file: string): Promise<Detection> {
    return this.detectFrame({ ...(await readRgbImage(file)), ptsS: 0 });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

async function readRgbImage(file: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(file)
      .autoOrient()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch (err) {
    throw new UserError(`${file}: cannot read the image (${(err as Error).message.split('\n')[0]})`);
  }
}
