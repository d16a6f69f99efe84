import path from 'node:path';
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
  const link = await MavLinkConnection.open(opts.connect, {
    ...FOLLOW_CAMERA_LINK_IDS,
    gcsHeartbeat: false,
    tlog,
  });
  const line = new LiveLine();
  const say = (text: string) => {
    line.done();
    process.stdout.write(`${text}\n`);
  };
  let failed: UserError | null = null;
  const failure = new AbortController();
  const camera = new FollowCamera({
    link,
    world,
    camera: { ...opts.cameraSize, fps: opts.cameraFps, hfovDeg: opts.cameraHfov },
    streamUrl,
    recordFile: recordDir ? path.join(recordDir, RECORDING_FILES.video) : undefined,
    onEvent: say,
    onError: (err) => {
      failed = err;
      failure.abort();
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
  const signal = AbortSignal.any([interruptSignal(), failure.signal]);
  await stopped(signal, opts.duration);
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
