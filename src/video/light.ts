/**
 * The part of video/'s public surface that loads no package, for a caller that needs it before it needs the
 * module (the CLI describing its flags): ffmpeg's UTC times read to µs. index.ts exports the same.
 */
export { parseIsoUtcUs } from './ffmpeg-log.js';
