import fs from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { UserError } from '../errors.js';
import { Detector } from './detector.js';
import { formatShape, type ModelSpec, readModelSpec } from './model-card.js';
import { DEFAULT_MODEL_PATH } from './model-path.js';

export interface DetectorOptions {
  /** The ONNX model; default models/dust-plume.onnx. */
  modelPath?: string;
  /** Its description; default the model path with .json for .onnx. */
  specPath?: string;
  /** Threads for one inference (onnxruntime intra-op threads); default 1. */
  threads?: number;
}

/** Loads the model and checks it against its description; each problem is one UserError naming the file. */
export async function loadDetector(options: DetectorOptions = {}): Promise<Detector> {
  const modelPath = options.modelPath ?? DEFAULT_MODEL_PATH;
  const specPath = options.specPath ?? `${modelPath.replace(/\.onnx$/i, '')}.json`;
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new UserError(`detector threads must be a whole number from 1, got ${threads}`);
  }
  await checkModelFile(modelPath);
  const spec = await readModelSpec(specPath);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(modelPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0].replace(/^.*failed:\s*/, '');
    throw new UserError(`${modelPath}: not a usable ONNX model (${reason})`);
  }
  try {
    checkTensor(session.inputMetadata, spec.inputName, spec.inputShape, 'input', modelPath, specPath);
    checkTensor(session.outputMetadata, spec.outputName, spec.outputShape, 'output', modelPath, specPath);
    if (spec.imageOutput) {
      const { name, shape } = spec.imageOutput;
      checkTensor(session.outputMetadata, name, shape, 'image output', modelPath, `${specPath} image_output`);
    }
  } catch (err) {
    await session.release();
    throw err;
  }
  return new Detector(session, spec, modelPath);
}

async function checkModelFile(file: string): Promise<void> {
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${file}: no such model file`);
    throw err;
  }
  if (!stat.isFile()) throw new UserError(`${file}: not a file; expected an ONNX model`);
}

/**
 * Names must match; a numeric dimension must match where both sides give a number. `specPath` is
 * where the expectation comes from (the card, with a field where the role alone does not say it).
 */
function checkTensor(
  metadata: readonly ort.InferenceSession.ValueMetadata[],
  name: string,
  expected: ModelSpec['inputShape'],
  role: 'input' | 'output' | 'image output',
  modelPath: string,
  specPath: string,
): void {
  const found = metadata.find((value) => value.name === name);
  if (!found) {
    const names = metadata.map((value) => `'${value.name}'`).join(', ');
    throw new UserError(
      `${modelPath}: no ${role} named '${name}' (as ${specPath} says); the model has ${names}`,
    );
  }
  if (!found.isTensor) throw new UserError(`${modelPath}: ${role} '${name}' is not a tensor`);
  const shape = found.shape;
  const fits =
    shape.length === expected.length &&
    shape.every((d, i) => typeof d !== 'number' || typeof expected[i] !== 'number' || d === expected[i]);
  if (!fits) {
    throw new UserError(
      `${modelPath}: ${role} '${name}' has shape ${formatShape(shape)}, expected ${formatShape(expected)} (${specPath})`,
    );
  }
}
