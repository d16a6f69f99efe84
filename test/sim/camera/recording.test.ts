import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { common, minimal } from 'node-mavlink';
import { afterEach, describe, expect, it } from 'vitest';
import { readTlog, TlogWriter } from '../../../src/mavlink/index.js';
import {
  groundTruth,
  loadWorld,
  SimCamera,
  type Simulator,
  startSimulator,
  writeGroundTruth,
} from '../../../src/sim/index.js';
import { type Frame, openVideo } from '../../../src/video/index.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { freeUdpPort } from '../../helpers/ports.js';
import { HOME, requestStreams, type SimAndGcs, startSimAndGcs } from '../../helpers/sim-gcs.js';
import { ffmpegChildPids } from '../../video/ffmpeg-helpers.js';

const WORLD = path.join(REPO_ROOT, 'missions/demo-world.geojson');
const CAMERA = { widthPx: 320, heightPx: 180, fps: 10, hfovDeg: 82 };

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('SimCamera', () => {
  let sim: Simulator | undefined;
  let pair: SimAndGcs | undefined;
  afterEach(async () => {
    await sim?.close();
    await pair?.close();
    sim = undefined;
    pair = undefined;
  });

  it('records the sim-time video with its start time and a tlog on the same clock, and leaves no ffmpeg', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-record-'));
    const tlog = new TlogWriter(path.join(dir, 'flight.tlog'));
    pair = await startSimAndGcs({ speedup: 4, tlog });
    requestStreams(pair, [
      [common.MavDataStream.POSITION, 10],
      [common.MavDataStream.EXTENDED_STATUS, 2],
    ]);
    const world = await loadWorld(WORLD);
    const camera = new SimCamera(pair.sim, {
      world,
      camera: CAMERA,
      recordFile: path.join(dir, 'video.mkv'),
    });
    await waitFor(() => camera.framesRendered >= 30, 30_000);
    await camera.close();
    const frames = camera.framesRendered;
    const simEndS = pair.sim.truePose().simTimeS;
    await pair.close();
    pair = undefined;
    tlog.close();
    expect(ffmpegChildPids()).toEqual([]);
    await writeGroundTruth(dir, groundTruth(world, camera, { positionNoiseM: 0 }));

    const video = await openVideo(path.join(dir, 'video.mkv'));
    const decoded: Frame[] = [];
    for await (const frame of video) decoded.push(frame);
    expect(decoded.length).toBe(frames);
    expect(decoded.at(-1)?.ptsS).toBeCloseTo((frames - 1) / CAMERA.fps, 3);
    expect(video.info).toMatchObject({ width: 320, height: 180 });
    const startUs = camera.videoStartUnixUs ?? Number.NaN;
    expect(Math.abs((video.info.creationTimeUs ?? 0) - startUs)).toBeLessThanOrEqual(1);
    // Frames are due by sim time: sim time covers what the video covers.
    expect(simEndS).toBeGreaterThanOrEqual((frames - 1) / CAMERA.fps);

    // The tlog: every record stamped with the sim's clock, which SYSTEM_TIME-style stamps agree with.
    let records = 0;
    let heartbeats = 0;
    let positions = 0;
    let lastUs = 0;
    for await (const rx of readTlog(path.join(dir, 'flight.tlog'))) {
      records++;
      if (rx.message instanceof minimal.Heartbeat) heartbeats++;
      if (rx.message instanceof common.GlobalPositionInt) positions++;
      expect(rx.timeUs).toBeGreaterThanOrEqual(lastUs);
      lastUs = rx.timeUs;
      if (rx.message instanceof common.GpsRawInt) expect(Number(rx.message.timeUsec)).toBe(rx.timeUs);
    }
    expect(records).toBe(tlog.packets);
    expect(heartbeats).toBeGreaterThan(0);
    expect(positions).toBeGreaterThan(0);
    expect(lastUs).toBeGreaterThan(startUs);

    const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8'));
    expect(truth).toMatchObject({ videoStartUnixUs: Math.round(startUs), frames, camera: CAMERA });
    expect(truth.plumes.map((p: { siteId: string }) => p.siteId)).toEqual(['D-01', 'D-02', 'D-05', 'D-04']);
  });

  it('streams MPEG-TS over UDP that openVideo reads live', async () => {
    const videoPort = await freeUdpPort();
    const opening = openVideo(`udp://127.0.0.1:${videoPort}`, { timing: { firstFrameTimeoutMs: 20_000 } });
    await sleep(300);
    sim = await startSimulator({ connect: `udpout://127.0.0.1:${await freeUdpPort()}`, home: HOME });
    const camera = new SimCamera(sim, {
      world: await loadWorld(WORLD),
      camera: CAMERA,
      streamUrl: `udpout://127.0.0.1:${videoPort}`,
    });
    const source = await opening;
    expect(source.info).toMatchObject({ width: 320, height: 180, live: true });
    let count = 0;
    for await (const _frame of source) {
      if (++count >= 5) break;
    }
    await source.close();
    await camera.close();
    expect(count).toBe(5);
    expect(ffmpegChildPids()).toEqual([]);
  });
});
