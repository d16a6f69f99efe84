export {
  DEFAULT_CAMERA,
  normaliseStreamUrl,
  SimCamera,
  type SimCameraOptions,
  type SimCameraSpec,
  type SimFrame,
} from './camera.js';
export { type EncoderOptions, isoUtcMicros, VideoEncoder } from './encoder.js';
export { generateWorld, type WorldSpec, worldSites } from './generate-world.js';
export { type GroundTruth, groundTruth, RECORDING_FILES, writeGroundTruth } from './recording.js';
export { type CameraPose, type CameraSpec, renderView, WorldRenderer } from './render.js';
export {
  insideSite,
  loadWorld,
  parseWorld,
  type World,
  type WorldOptions,
  type WorldPlume,
} from './world.js';
