import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.js';
import { MavLinkConnection, parseConnectionUrl, TlogWriter } from '../mavlink/index.js';
import {
  FOLLOW_CAMERA_LINK_IDS,
  FollowCamera,
  groundTruth,
  loadWorld,
  normaliseStreamUrl,
  RECORDING_FILES,
  writeGroundTruth,
} from '../sim/index.js';
import { FOLLOW_CAMERA_TIMING } from '../timing.js';
import { interruptSignal, stopped } from './interrupt.js';
import { LiveLine } from './output.js';
import type { SimCameraOptions } from './sim-camera.js';
import { prepareRecordDir } from './sim-run.js';

const REFRESH_MS = 1000;

export async function runSimCamera(opts: SimCameraOptions): Promise<void> {
  if (!opts.video && !opts.record) {
    throw new UserError(
      'sim-camera: give --video udpout://HOST:PORT, --record DIR or both (where the pictures go)',
    );
  }
  // A malformed URL is the operator's mistake, refused before anything starts.
  parseConnectionUrl(opts.connect);
  const streamUrl = opts.video ? normaliseStreamUrl(opts.video) : undefined;
  const world = await loadWorld(opts.world);
  const recordDir = opts.record;
  if (recordDir) prepareRecordDir(recordDir);
  const tlog = recordDir ? new TlogWriter(path.join(recordDir, RECORDING_FILES.tlog)) : undefined;
  const line = new LiveLine();
  const say = (text: string) => {
    line.done();
    process.stdout.write(`${text}\n`);
  };
  // One signal for Ctrl-C, the end of --duration and an encoder failure (a timer of our own: a
  // timeout signal inside AbortSignal.any may be collected before it fires).
  const stopping = new AbortController();
  const stop = stopping.signal;
  interruptSignal().addEventListener('abort', () => stopping.abort(), { once: true });
  const durationTimer =
    opts.duration === undefined ? undefined : setTimeout(() => stopping.abort(), opts.duration * 1000);
  const link = await openWhenReady(opts.connect, tlog, stop, say);
  if (!link) {
    clearTimeout(durationTimer);
    tlog?.close();
    say(`stopped before ${opts.connect} answered: nothing rendered`);
    return;
  }
  let failed: UserError | null = null;
  const camera = new FollowCamera({
    link,
    world,
    camera: { ...opts.cameraSize, fps: opts.cameraFps, hfovDeg: opts.cameraHfov },
    streamUrl,
    recordFile: recordDir ? path.join(recordDir, RECORDING_FILES.video) : undefined,
    onEvent: say,
    onError: (err) => {
      failed = err;
      stopping.abort();
    },
  });
  const { widthPx, heightPx, fps, hfovDeg } = camera.spec;
  say(
    `camera ${widthPx}x${heightPx} ${fps} fps ${hfovDeg}° over ${world.source} ` +
      `(${world.sites.length} sites, ${world.plumes.length} plumes), following the vehicle on ${opts.connect}` +
      `${streamUrl ? `, streaming MPEG-TS to ${streamUrl}` : ''}${recordDir ? `, recording to ${recordDir}` : ''} ` +
      '(Ctrl-C to stop)',
  );
  const timer = setInterval(() => {
    const lag = camera.lagS;
    line.update(
      `frames ${camera.framesRendered} rendered, ${camera.framesRepeated} repeated` +
        `${lag === null ? '' : ` | ${lag.toFixed(1)} s behind the vehicle`}` +
        `${camera.waitingFor ? ` | waiting for ${camera.waitingFor}` : ''}`,
      camera.waitingFor ?? 'rendering',
    );
  }, REFRESH_MS);
  await stopped(stop);
  clearTimeout(durationTimer);
  clearInterval(timer);
  line.done();
  await camera.close();
  await link.close();
  tlog?.close();
  if (recordDir) {
    await writeGroundTruth(
      recordDir,
      groundTruth(
        world,
        {
          spec: camera.spec,
          videoStartUnixUs: camera.videoStartUnixUs,
          framesRendered: camera.framesInFirstVideo,
        },
        {},
      ),
    );
  }
  say(
    `${camera.framesRendered + camera.framesRepeated} frames (${camera.framesRepeated} repeating the last ` +
      `picture while rendering caught up) in ${camera.segments.length} video${camera.segments.length === 1 ? '' : 's'}` +
      `${recordDir ? `; recorded in ${recordDir}` : ''}`,
  );
  if (failed) throw failed;
}

/**
 * The camera's link, tried again until it opens (SITL listens on serial 1 only once its serial 0 has a
 * client) or the camera is stopped (null then).
 */
async function openWhenReady(
  url: string,
  tlog: TlogWriter | undefined,
  stop: AbortSignal,
  say: (text: string) => void,
): Promise<MavLinkConnection | null> {
  let told = false;
  while (!stop.aborted) {
    try {
      return await MavLinkConnection.open(url, { ...FOLLOW_CAMERA_LINK_IDS, gcsHeartbeat: false, tlog });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      if (!told) {
        const everyS = FOLLOW_CAMERA_TIMING.linkOpenRetryMs / 1000;
        say(`${err.message}; trying again every ${everyS} s`);
        told = true;
      }
      await sleep(FOLLOW_CAMERA_TIMING.linkOpenRetryMs, undefined, { signal: stop }).catch(() => undefined);
    }
  }
  return null;
}
