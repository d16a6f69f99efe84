// Live analytics under faults: the model failing, a bug in the frame loop, ffmpeg dying, the stream
// freezing and the stream gone for a while. Real parts: the simulator's telemetry over UDP (it places the
// frames in time), ffmpeg reading a real MPEG-TS stream over UDP, a SQLite alert store; the detector is a
// stand-in that fails on cue (the fault under test is the model's, not what it finds).
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { AlertService, type AlertStore, openAlertStore } from '../../src/alerts/index.js';
import { LiveAnalytics } from '../../src/analytics/index.js';
import { DEFAULT_CAMERA } from '../../src/camera.js';
import type { Detection, Detector } from '../../src/detect/index.js';
import { cameraFromSpec } from '../../src/geotag/index.js';
import { MavLinkConnection } from '../../src/mavlink/index.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { Vehicle } from '../../src/vehicle/index.js';
import { tempDir } from '../alerts/sightings.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { freeUdpPort } from '../helpers/ports.js';
import { DEMO_HOME } from '../helpers/sim-flight.js';
import { ffmpegChildPids, startUdpSender, waitForExit } from '../video/ffmpeg-helpers.js';

/** Short stream waits, so that a freeze, the restarts and the give-up fit in seconds (STREAM_TIMING's shape). */
const STREAM_TIMING = {
  firstFrameTimeoutMs: 4000,
  stallTimeoutMs: 700,
  reconnectDelayMs: 100,
  maxReconnects: 2,
};
const WAIT_MS = 30_000;

let sim: Simulator;
let link: MavLinkConnection;
let vehicle: Vehicle;
let store: AlertStore;
let alerts: AlertService;
const running: { analytics: LiveAnalytics; senders: ChildProcess[] }[] = [];

beforeAll(async () => {
  const port = await freeUdpPort();
  sim = await startSimulator({ connect: `udpin://127.0.0.1:${port}`, home: DEMO_HOME });
  link = await MavLinkConnection.open(`udpout://127.0.0.1:${port}`);
  vehicle = await Vehicle.connect(link);
  store = openAlertStore(path.join(tempDir('live-faults'), 'alerts.db'));
  alerts = new AlertService({ store });
}, 30_000);

afterEach(async () => {
  for (const { analytics, senders } of running.splice(0)) {
    await analytics.stop();
    for (const sender of senders) {
      sender.kill('SIGCONT');
      sender.kill();
      await waitForExit(sender);
    }
  }
});

afterAll(async () => {
  vehicle?.close();
  await link?.close();
  await sim?.close();
  store?.close();
});

type Cue = 'ok' | 'throw' | 'malformed';

/** A detector that finds nothing, except where `cue` (by frame number, from 1) says to fail. */
function detectorWith(cue: (n: number) => Cue): Detector & { calls: number } {
  const detector = {
    calls: 0,
    async detectFrame(frame: { ptsS: number }): Promise<Detection> {
      const n = ++detector.calls;
      const what = cue(n);
      if (what === 'throw') throw new Error('onnxruntime: the session could not run');
      const plumes = what === 'malformed' ? (null as unknown as []) : [];
      return { ptsS: frame.ptsS, plumes, imageScore: null, inferenceMs: 1, totalMs: 1 };
    },
  };
  return detector as unknown as Detector & { calls: number };
}

interface Started {
  analytics: LiveAnalytics;
  events: { level: string; text: string }[];
  faults: { what: string; err: unknown }[];
  sender: ChildProcess;
  port: number;
  senders: ChildProcess[];
}

/** Live analytics on a fresh UDP stream (a real-time test pattern for `seconds`). */
async function startAnalytics(
  detector: Detector,
  clock?: FakeClock,
  seconds = 120,
  recordTo?: (n: number) => string | null,
): Promise<Started> {
  const port = await freeUdpPort();
  const events: Started['events'] = [];
  const faults: Started['faults'] = [];
  const analytics = new LiveAnalytics({
    link,
    sysid: vehicle.state.sysid,
    videoUrl: `udp://127.0.0.1:${port}`,
    camera: cameraFromSpec(DEFAULT_CAMERA),
    detector,
    alerts,
    flightId: 'F-LIVE-FAULTS',
    fps: 5,
    videoLatencyMs: 0,
    onEvent: (level, text) => events.push({ level, text }),
    onFault: (what, err) => faults.push({ what, err }),
    clock,
    streamTiming: STREAM_TIMING,
    recordTo,
  });
  analytics.start();
  await sleep(300); // ffmpeg listens before the sender starts
  const sender = startUdpSender(port, seconds);
  const senders = [sender];
  running.push({ analytics, senders });
  current = { analytics, events, faults, sender, port, senders };
  return current;
}

let current: Started | null = null;

async function until(condition: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(current?.events)}`);
    await sleep(50);
  }
}

const texts = (s: Started) => s.events.map((e) => e.text);

it('the model fails on frames: each is skipped and counted, it is reported once, and the analysis goes on', async () => {
  const detector = detectorWith((n) => (n >= 3 && n <= 6 ? 'throw' : 'ok'));
  const s = await startAnalytics(detector);
  await until(() => s.analytics.stats.framesAnalysed >= 10, '10 frames analysed after the failures');

  expect(s.analytics.stats.framesSkipped).toBe(4);
  const reports = texts(s).filter((t) => /model failed/.test(t));
  expect(reports).toEqual([
    'the model failed on a frame (Error: onnxruntime: the session could not run): frames it fails on are ' +
      'skipped and counted, the flight goes on',
  ]);
  expect(s.faults).toEqual([]);
  await s.analytics.stop();
  expect(texts(s)).toContain('4 frames skipped: the model failed on them');
});

it('a bug in the frame loop: reported as a fault, the stream opened again, and the analysis goes on', async () => {
  const detector = detectorWith((n) => (n === 5 ? 'malformed' : 'ok'));
  const s = await startAnalytics(detector);
  await until(() => s.faults.length > 0, 'the fault');
  const analysedAtFault = s.analytics.stats.framesAnalysed;
  await until(() => s.analytics.stats.framesAnalysed >= analysedAtFault + 5, '5 frames after the fault');

  expect(s.faults.map((f) => f.what)).toEqual(['the live analytics frame loop (video reopened in 1 s)']);
  expect(s.faults[0].err).toBeInstanceOf(TypeError);
  expect(s.analytics.stats.reopens).toBe(1);
});

it('ffmpeg dies mid-stream: it is restarted, the pilot is told, and frames come again', async () => {
  const s = await startAnalytics(detectorWith(() => 'ok'));
  await until(() => s.analytics.stats.framesAnalysed >= 5, 'the first frames');
  const readers = ffmpegChildPids().filter((pid) => !s.senders.some((c) => c.pid === pid));
  expect(readers).toHaveLength(1);
  const told = s.events.length;
  process.kill(readers[0], 'SIGKILL');
  const before = s.analytics.stats.framesAnalysed;
  await until(() => s.analytics.stats.framesAnalysed >= before + 5, 'frames after the restart');

  // Restarted by the source (or, on a loaded machine, reopened by the analytics): either way said.
  expect(texts(s).slice(told), JSON.stringify(s.events)).toContainEqual(
    expect.stringMatching(/^video (stream restarted \(1 time so far\)|back)$/),
  );
  expect(s.faults).toEqual([]);
});

it('the stream freezes: the pilot is told, ffmpeg is restarted, and the frames come back when it moves again', async () => {
  const s = await startAnalytics(detectorWith(() => 'ok'));
  await until(() => s.analytics.stats.framesAnalysed >= 5, 'the first frames');
  s.sender.kill('SIGSTOP');
  await until(() => texts(s).includes('no video for 2 s'), 'the freeze reported');
  expect(s.analytics.stats.live).toBe(false);
  await sleep(STREAM_TIMING.stallTimeoutMs + STREAM_TIMING.reconnectDelayMs);
  s.sender.kill('SIGCONT');
  const before = s.analytics.stats.framesAnalysed;
  await until(() => s.analytics.stats.framesAnalysed >= before + 5, 'frames after the freeze');

  expect(texts(s)).toContain('video back');
  expect(s.analytics.stats.live).toBe(true);
  expect(s.faults).toEqual([]);
});

it('the stream is gone a while: tried again with bounded backoff (1, 2, 4, 8, 8 s), picked up when it is back', async () => {
  // The pauses between tries run on a fake clock, moved on as soon as one is set; each try itself waits
  // for a first frame in real time (STREAM_TIMING.firstFrameTimeoutMs).
  const clock = new FakeClock();
  const s = await startAnalytics(
    detectorWith(() => 'ok'),
    clock,
  );
  const mover = setInterval(() => void clock.advance(10_000), 50);
  try {
    await until(() => s.analytics.stats.framesAnalysed >= 5, 'the first frames');
    const told = s.events.length;
    s.sender.kill();
    await waitForExit(s.sender);
    const retries = () =>
      texts(s)
        .slice(told)
        .filter((t) => /trying again in \d+ s$/.test(t));
    await until(() => retries().length >= 5, 'five tries to open the stream', 120_000);
    const resumed = startUdpSender(s.port, 120);
    s.senders.push(resumed);
    const before = s.analytics.stats.framesAnalysed;
    await until(
      () => s.analytics.stats.framesAnalysed >= before + 5,
      'frames from the stream that came back',
      60_000,
    );

    expect(texts(s).slice(told), JSON.stringify(s.events)).toContain(
      `video udp://127.0.0.1:${s.port} lost; reopening`,
    );
    expect(
      retries()
        .slice(0, 5)
        .map((t) => t.replace(/^.*; /, '')),
    ).toEqual([
      'trying again in 1 s',
      'trying again in 2 s',
      'trying again in 4 s',
      'trying again in 8 s',
      'trying again in 8 s',
    ]);
    expect(texts(s)).toContain('video back');
  } finally {
    clearInterval(mover);
  }
}, 180_000);

it('a stream with no room to record it (its disk full) is analysed all the same, unrecorded', async () => {
  // ffmpeg decodes nothing when one of its outputs cannot be written: the daemon asks for no recording
  // while the data disk is (nearly) full, and the analysis must not need one.
  const asked: number[] = [];
  const s = await startAnalytics(
    detectorWith(() => 'ok'),
    undefined,
    120,
    (n) => {
      asked.push(n);
      return null;
    },
  );
  await until(() => s.analytics.stats.framesAnalysed >= 5, 'frames analysed');
  expect(asked.length).toBeGreaterThanOrEqual(1);
  expect(s.analytics.stats.recordings).toEqual([]);
  expect(s.faults).toEqual([]);
});
