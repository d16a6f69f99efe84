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
  /**
   * The model's probability that the frame holds a plume anywhere; null when the model has no image
   * output. Under the card's image threshold the frame's blobs are dropped: plumes is empty.
   */
  imageScore: number | null;
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
    const { outputName, imageOutput } = this.spec;
    const fetches = imageOutput ? [outputName, imageOutput.name] : [outputName];
    const inferenceStartedMs = performance.now();
    const outputs = await this.session.run(
      { [this.spec.inputName]: new Tensor('float32', input, [1, 3, heightPx, widthPx]) },
      fetches,
    );
    const inferenceMs = performance.now() - inferenceStartedMs;
    const imageScore = imageOutput ? (outputs[imageOutput.name].data as Float32Array)[0] : null;
    // The image gate: a frame the model judges plume-free as a whole has no plumes, so a pale patch
    // of cloud, haze or soil that lights up the mask raises nothing.
    const gated = imageOutput !== null && imageScore !== null && imageScore < imageOutput.threshold;
    let plumes: Plume[] = [];
    if (!gated) {
      const prob = outputs[outputName].data as Float32Array;
      const { threshold, minBlobAreaPx: minAreaPx, mergeGapPx } = this.spec;
      const blobs = findBlobs(prob, widthPx, heightPx, { threshold, minAreaPx, mergeGapPx });
      plumes = blobs.map((blob) => blobToPlume(blob, frame.width / widthPx, frame.height / heightPx));
    }
    return { ptsS: frame.ptsS, plumes, imageScore, inferenceMs, totalMs: performance.now() - startedMs };
  }

  /** An image file (JPEG, PNG, …); its ptsS is 0. */
  async detectImage(file: string): Promise<Detection> {
    return this.detectFrame({ ...(await readRgbImage(file)), ptsS: 0 });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/**
 * An image file's pixels as displayed (EXIF orientation applied), RGB; an unreadable file is one
 * UserError naming it and why.
 */
export async function readRgbImage(file: string): Promise<RgbImage> {
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
