export interface FfmpegArgsOptions {
  live: boolean;
  liveProbeMs: number;
  fps?: number;
  width?: number;
  height?: number;
  /** Also copy the input's video, as it is, into this Matroska file. */
  recordFile?: string;
}

/** Arguments for ffmpeg decoding `input`'s first video stream to raw RGB24 on stdout. */
export function ffmpegArgs(input: string, opts: FfmpegArgsOptions): string[] {
  const filters: string[] = [];
  // Sampling keeps the first frame of each 1/fps slot with its own pts. Not the fps filter: it emits,
  // stamped with the slot's time, the last frame before the slot's midpoint (up to 0.5/fps late), and
  // duplicates frames when the source is slower.
  if (opts.fps !== undefined) {
    filters.push(
      `select='isnan(prev_selected_t)+gt(floor(t*${opts.fps}),floor(prev_selected_t*${opts.fps}))'`,
    );
  }
  if (opts.width !== undefined || opts.height !== undefined) {
    filters.push(`scale=${opts.width ?? -1}:${opts.height ?? -1}`);
  }
  // Last, so that it reports the frames exactly as they leave the graph (see FfmpegRun).
  filters.push('showinfo');
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'info',
    // Not -fflags nobuffer: it throws away the frames read while probing.
    ...(opts.live ? ['-analyzeduration', String(opts.liveProbeMs * 1000), '-flags', 'low_delay'] : []),
    '-i',
    input,
    '-map',
    '0:v:0',
    '-vf',
    filters.join(','),
    // rawvideo has no timestamps, so by default ffmpeg would duplicate or drop frames to a constant
    // rate after the graph, and stdout would no longer match showinfo one to one.
    '-vsync',
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
    // The same input's timeline (its start taken off) as the frames above: a frame's pts is its pts there.
    ...(opts.recordFile ? ['-map', '0:v:0', '-c:v', 'copy', '-f', 'matroska', opts.recordFile] : []),
  ];
}
