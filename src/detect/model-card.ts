import fs from 'node:fs/promises';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { parseJsonText } from '../json-text.js';

/** What src/detect needs from models/dust-plume.json (the model card's machine-readable half). */
export interface ModelSpec {
  inputName: string;
  /** NCHW; the batch axis may be symbolic (a string). */
  inputShape: (number | string)[];
  inputHeightPx: number;
  inputWidthPx: number;
  outputName: string;
  outputShape: (number | string)[];
  /** A pixel is plume when its probability is at least this. */
  threshold: number;
  /** Blobs with fewer pixels than this (counted on the model output) are dropped. */
  minBlobAreaPx: number;
  /** Mask fragments closer than about twice this (model pixels) form one blob. */
  mergeGapPx: number;
  /** The image-level output and its gate, when the model has one; null for a mask-only model. */
  imageOutput: ImageOutputSpec | null;
}

/** An output [batch, 1]: the probability that the image holds a plume anywhere. */
export interface ImageOutputSpec {
  name: string;
  shape: (number | string)[];
  /** Below this image score the frame has no plumes, whatever its mask shows (clouds, haze, pale soil). */
  threshold: number;
}

const dim = z.union([z.number().int().positive(), z.string()]);
const tensorSchema = z.object({ name: z.string().min(1), shape: z.array(dim).length(4) });
const cardSchema = z.object({
  input: tensorSchema,
  output: tensorSchema,
  image_output: z.object({ name: z.string().min(1), shape: z.array(dim) }).optional(),
  postprocess: z.object({
    threshold: z.number().gt(0).lt(1),
    image_threshold: z.number().gt(0).lt(1).optional(),
    min_blob_area_px: z.number().int().nonnegative(),
    merge_gap_px: z.number().int().nonnegative().optional(),
    connectivity: z.literal(8).optional(),
  }),
});

/** Reads and checks a model description; every problem is one UserError naming the file and field. */
export async function readModelSpec(file: string): Promise<ModelSpec> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`${file}: no such model description (it sits beside the .onnx file)`);
    }
    throw err;
  }
  const parsed = cardSchema.safeParse(parseJsonText(text, file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${file}: ${issue.path.join('.') || 'document'}: ${issue.message}`);
  }
  const { input, output, image_output: imageOutput, postprocess } = parsed.data;
  const [, channels, heightPx, widthPx] = input.shape;
  if (channels !== 3 || typeof heightPx !== 'number' || typeof widthPx !== 'number') {
    throw new UserError(
      `${file}: input.shape must be [batch, 3, height, width], found ${formatShape(input.shape)}`,
    );
  }
  // The image output and its threshold come together: either alone is a half-edited card.
  if (imageOutput && postprocess.image_threshold === undefined) {
    throw new UserError(`${file}: image_output is given but postprocess.image_threshold is missing`);
  }
  if (!imageOutput && postprocess.image_threshold !== undefined) {
    throw new UserError(`${file}: postprocess.image_threshold is given but image_output is missing`);
  }
  if (imageOutput && (imageOutput.shape.length !== 2 || imageOutput.shape[1] !== 1)) {
    throw new UserError(
      `${file}: image_output.shape must be [batch, 1], found ${formatShape(imageOutput.shape)}`,
    );
  }
  return {
    inputName: input.name,
    inputShape: input.shape,
    inputHeightPx: heightPx,
    inputWidthPx: widthPx,
    outputName: output.name,
    outputShape: output.shape,
    threshold: postprocess.threshold,
    minBlobAreaPx: postprocess.min_blob_area_px,
    mergeGapPx: postprocess.merge_gap_px ?? 0,
    imageOutput:
      imageOutput && postprocess.image_threshold !== undefined
        ? { name: imageOutput.name, shape: imageOutput.shape, threshold: postprocess.image_threshold }
        : null,
  };
}

export function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}
