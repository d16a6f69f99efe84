/**
 * The drone's camera as the pilot describes it (config or flags): one description for the planner's
 * swath spacing, the simulator's camera and geotagging. A pinhole with square pixels and its principal
 * point at the image centre; the image's width lies across the track on a nadir pattern.
 */
export interface CameraSpec {
  widthPx: number;
  heightPx: number;
  /** Field of view across the image's width, degrees. */
  hfovDeg: number;
}

/**
 * The built-in simulator's camera, which the defaults describe: 720p, 82° wide (near a DJI Mavic 3's
 * wide camera, 84°).
 */
export const DEFAULT_CAMERA: CameraSpec = { widthPx: 1280, heightPx: 720, hfovDeg: 82 };
