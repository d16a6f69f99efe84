export { type AnalysedFrame, type ConfirmedPlume, detectVideo } from './detect-video.js';
