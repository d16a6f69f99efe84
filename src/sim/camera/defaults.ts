/** Frames the camera renders per second of sim time when not told; its optics are DEFAULT_CAMERA's. */
export const DEFAULT_CAMERA_FPS = 10;

/** The files of a recorded simulated flight, in one folder. */
export const RECORDING_FILES = { tlog: 'flight.tlog', video: 'video.mkv', truth: 'truth.json' } as const;
