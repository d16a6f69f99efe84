export {
  normaliseStreamUrl,
  SimCamera,
  type SimCameraOptions,
  type SimCameraSpec,
  type SimFrame,
} from './camera.js';
export { DEFAULT_CAMERA_FPS, RECORDING_FILES } from './defaults.js';
export { type EncoderOptions, isoUtcMicros, VideoEncoder } from './encoder.js';
export {
  FOLLOW_CAMERA_LINK_IDS,
  FollowCamera,
  type FollowCameraOptions,
  type FollowFrame,
  type FollowSegment,
} from './follow-camera.js';
export { generateWorld, type WorldSpec, worldSites } from './generate-world.js';
export { type GroundTruth, groundTruth, type RecordedCamera, writeGroundTruth } from './recording.js';
export { type CameraPose, renderView, WorldRenderer } from './render.js';
export {
  insideSite,
  loadWorld,
  parseWorld,
  type World,
  type WorldOptions,
  type WorldPlume,
} from './world.js';
