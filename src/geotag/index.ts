export {
  type CameraModel,
  cameraFromFocalLength,
  cameraFromFov,
  cameraFromSpec,
  cameraRayToPixel,
  type Distortion,
  type FocalCameraSpec,
  type FovCameraSpec,
  horizontalFovRad,
  pixelToCameraRay,
  scaleCamera,
} from './camera.js';
export { type CombinedGeotag, combineGeotags } from './combine.js';
export { type CameraView, type GroundFootprint, groundFootprint } from './footprint.js';
export {
  type GeotaggedPlume,
  type GeotagResult,
  geotagPlume,
  MIN_DRIFT_WIND_MS,
  type PlumeInFrame,
  type PlumePoint,
  STEEP_VIEW_PITCH_RAD,
  sourceInFrame,
} from './geotag-plume.js';
export { flatGround, type GroundModel } from './ground.js';
export {
  cameraHeadingRad,
  cameraPitchRad,
  cameraToEnu,
  type GimbalAttitude,
  type Pose,
  type PoseResult,
} from './pose.js';
export { type GroundPoint, type GroundProjection, MAX_GROUND_RANGE_M, pixelToGround } from './project.js';
export type { Mat3, Vec3 } from './rotation.js';
export {
  type PoseQueryOptions,
  TelemetryTrack,
  type TelemetryTrackOptions,
} from './telemetry-track.js';
export { DEFAULT_POSE_ERRORS, groundUncertaintyM, type PoseErrors } from './uncertainty.js';
export { REBOOT_BACKSTEP_MS } from './vehicle-clock.js';
