import { fileURLToPath } from 'node:url';

/** models/dust-plume.onnx of this package (the same relative path from src/detect and dist/detect). */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../../models/dust-plume.onnx', import.meta.url));
