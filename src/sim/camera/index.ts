export {
  normaliseStreamUrl,
  SimCamera,
  type SimCameraOptions,
  type SimCameraSpec,
  type SimFrame,
} from './camera.js';
export { DEFAULT_CAMERA_FPS, RECORDING_FILES } from './defaults.js';
export { type EncoderOptions, isoUtcMicros, VideoEncoder } from './encoder.js';
export { generateWorld, type WorldSpec, worldSites } from './generate-world.js';
export { type GroundTruth, groundTruth, writeGroundTruth } from './recording.js';
export { type CameraPose, renderView, WorldRenderer } from './render.js';
export {
  insideSite,
  loadWorld,
  parseWorld,
  type World,
  type WorldOptions,
  type WorldPlume,
} from './world.js';
