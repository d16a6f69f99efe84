/**
 * The part of sim/'s public surface that loads no package, for a caller that needs it before it needs the
 * module (the CLI describing its flags): the camera's frame rate, a recording's files. index.ts exports the
 * same.
 */
export { DEFAULT_CAMERA_FPS, RECORDING_FILES } from './camera/defaults.js';
