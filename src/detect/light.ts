/**
 * The part of detect/'s public surface that loads no package, for a caller that needs it before it needs
 * the module (the CLI describing its flags): the default model's path. index.ts exports the same.
 */
export { DEFAULT_MODEL_PATH } from './model-path.js';
