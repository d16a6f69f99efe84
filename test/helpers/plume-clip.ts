import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpeg } from '../../src/video/index.js';
import { REPO_ROOT } from './cli.js';

export const CLIP_SEGMENT_S = 3;

/**
 * A 9 s H.264 clip made with the real ffmpeg from the detector fixtures: a hard negative, then a
 * plume image from 3 s to 6 s, then another hard negative.
 */
export async function makePlumeClip(dir: string): Promise<string> {
  const stills = ['negative-roofs.jpg', 'plume-1.jpg', 'negative-water-spray.jpg'].map((name) =>
    path.join(REPO_ROOT, 'fixtures/detect', name),
  );
  const clip = path.join(dir, 'plume-from-3s-to-6s.mp4');
  const inputs = stills.flatMap((still) => [
    '-loop',
    '1',
    '-framerate',
    '10',
    '-t',
    String(CLIP_SEGMENT_S),
    '-i',
    still,
  ]);
  await promisify(execFile)(resolveFfmpeg(), [
    ...['-y', '-loglevel', 'error', ...inputs],
    ...['-filter_complex', '[0:v][1:v][2:v]concat=n=3:v=1:a=0,format=yuv420p'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-r', '10', clip],
  ]);
  return clip;
}
