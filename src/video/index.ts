export { stopChild, trackChild } from './children.js';
export { type ClipCut, cutClip } from './clip.js';
export { stampCreationTime } from './creation-time.js';
export { parseIsoUtcUs } from './ffmpeg-log.js';
export { resolveFfmpeg } from './ffmpeg-path.js';
export { isImagePath, listImages } from './image-source.js';
export { openVideo } from './open.js';
export { encodeSnapshot, type SnapshotOptions } from './snapshot.js';
export type { Frame, OpenVideoOptions, SnapshotBox, VideoInfo, VideoSource } from './types.js';
