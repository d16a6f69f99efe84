// A throw in each long-running part of the daemon during a live patrol — the link's packet handler, the
// live analytics frame loop (the model, and a bug after it), the store writer, the WebSocket hub, and the
// patrol's link-loss timer — is reported (one line for the pilot, the stack in the log) and costs no
// more than that: the daemon still answers /api/health, follows the vehicle, and takes the pilot's pause
// and resume after each. The throws are injected through the parts' seams (a link subscriber, the
// detector, the store, a hub subscriber, the log) into the fleet `dustpatrol serve` runs, in this
// process; test/cli/serve-guard.test.ts checks the process-level guard of the real daemon.
import type { ChildProcess } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import type { Detection, Detector } from '../../src/detect/index.js';
import type { HubEvent } from '../../src/server/index.js';
import { freeUdpPort } from '../helpers/ports.js';
import { startUdpSender, waitForExit } from '../video/ffmpeg-helpers.js';
import { type FleetRig, startFleetRig, VEHICLE } from './fleet-rig.js';

let rig: FleetRig | null = null;
let sender: ChildProcess | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
  if (sender) {
    sender.kill();
    await waitForExit(sender);
    sender = null;
  }
});

/** Finds nothing; throws on the 3rd and 4th frames (the model), returns garbage on the 8th (a bug after it). */
function failingDetector(): Detector {
  let n = 0;
  return {
    async detectFrame(frame: { ptsS: number }): Promise<Detection> {
      n++;
      if (n === 3 || n === 4) throw new Error('onnxruntime: the session could not run');
      const plumes = n === 8 ? (null as unknown as []) : [];
      return { ptsS: frame.ptsS, plumes, imageScore: null, inferenceMs: 1, totalMs: 1 };
    },
  } as unknown as Detector;
}

const eventTexts = (events: HubEvent[], level?: string) =>
  events.flatMap((e) => (e.type === 'event' && (!level || e.level === level) ? [e.text] : []));

/** After a fault: the daemon answers, and the pilot's pause and resume still reach the vehicle. */
async function stillInCommand(r: FleetRig, after: string): Promise<void> {
  const health = await r.health();
  expect(health, after).toMatchObject({ status: 200, body: { ok: true, vehicles: 1 } });
  expect(r.vehicle(), after).toMatchObject({ connected: true, patrolStatus: 'flying' });
  expect((await r.command('pause')).status, after).toBe(200);
  await r.until(
    () => r.vehicle().patrolStatus === 'paused' && r.vehicle().modeName === 'LOITER',
    `paused ${after}`,
  );
  expect((await r.command('resume')).status, after).toBe(200);
  await r.until(
    () => r.vehicle().patrolStatus === 'flying' && r.vehicle().modeName === 'AUTO',
    `flying ${after}`,
  );
}

it('a throw in each long-running part is reported and the daemon answers and commands the vehicle after each', async () => {
  const videoPort = await freeUdpPort();
  let logThrows = 0;
  const r = await startFleetRig({
    speedup: 5,
    videoUrl: `udp://127.0.0.1:${videoPort}`,
    detector: failingDetector(),
    linkLossWarnAfterS: 4,
    // The log fails on the link-loss warning, which the patrol's timer raises.
    log: (_level, text) => {
      if (/no link for 4 s/.test(text)) {
        logThrows++;
        throw new Error('the log is gone');
      }
    },
  });
  rig = r;
  sender = startUdpSender(videoPort, 600);
  expect((await r.command('start')).status).toBe(200);
  await r.until(() => r.vehicle().patrolStatus === 'flying', 'the patrol to fly');

  // 1. The link's packet handler: a subscriber throws on three heartbeats.
  const session = await r.fleet.connected(VEHICLE, 1000);
  let throws = 0;
  const unsubscribe = session.link.onMessage((rx) => {
    if (rx.msgid === 0 && throws < 3) {
      throws++;
      throw new Error('a bug in a link subscriber');
    }
  });
  await r.until(() => throws === 3, 'three throws in the packet handler');
  unsubscribe();
  expect(eventTexts(r.events, 'error')).toContain(
    'a link message handler failed: a bug in a link subscriber (the vehicle flies on)',
  );
  // One line for the pilot; the stack in the log only.
  const logged = r.logs.find((l) => l.text.includes('a bug in a link subscriber'));
  expect(logged?.text).toMatch(
    /^drone-1: a link message handler failed: .*\n.*Error: a bug in a link subscriber\n\s+at /,
  );
  expect(eventTexts(r.events).some((t) => /\n|\s+at /.test(t))).toBe(false);
  await stillInCommand(r, 'after the packet handler threw');

  // 2. The live analytics frame loop: the model throws on two frames, then a bug after it.
  await r.until(
    () => eventTexts(r.events, 'error').some((t) => t.startsWith('the live analytics frame loop')),
    'the frame loop fault',
  );
  expect(eventTexts(r.events)).toContainEqual(
    expect.stringMatching(/^the model failed on a frame \(Error: onnxruntime/),
  );
  const analysed = r.vehicle().video?.framesAnalysed ?? 0;
  await r.until(() => (r.vehicle().video?.framesAnalysed ?? 0) > analysed + 3, 'frames analysed after it');
  expect(r.vehicle().video).toMatchObject({ live: true, framesSkipped: 2 });
  await stillInCommand(r, 'after the frame loop threw');

  // 3. The store writer: a bug in it (not a full disk: that is held, see store-full.test.ts).
  const savePatrol = r.store.savePatrol.bind(r.store);
  r.store.savePatrol = () => {
    throw new Error('a bug in the store writer');
  };
  await r.until(
    () => eventTexts(r.events, 'error').some((t) => t.includes('a bug in the store writer')),
    'the store writer fault',
  );
  r.store.savePatrol = savePatrol;
  expect(eventTexts(r.events, 'error')).toContain(
    "recording the patrol's progress failed: a bug in the store writer (the vehicle flies on)",
  );
  await stillInCommand(r, 'after the store writer threw');

  // 4. The WebSocket hub: a subscriber throws on every event; the supervisor's feed goes on.
  const unsubscribeHub = r.fleet.subscribe(() => {
    throw new Error('a bug in a hub subscriber');
  });
  const seen = r.viewer.messages.length;
  await r.viewer.next((m) => m.type === 'telemetry', { from: seen });
  unsubscribeHub();
  expect(r.logs).toContainEqual({ level: 'error', text: 'event listener failed: a bug in a hub subscriber' });
  await stillInCommand(r, 'after a hub subscriber threw');

  // 5. The patrol's timer: the link-loss warning it raises makes the log throw.
  r.sim.startOutage(6);
  await r.until(() => logThrows > 0, 'the link-loss warning');
  await r.viewer.next((m) => m.type === 'event' && /^no link for 4 s/.test(m.text), { timeoutMs: 30_000 });
  await r.until(() => eventTexts(r.events).some((t) => /^link back after/.test(t)), 'the link back', 60_000);
  await stillInCommand(r, "after the patrol's timer threw");

  // And the patrol flies to its end.
  await r.until(() => r.vehicle().patrolStatus === 'landed', 'the landing', 400_000);
}, 600_000);
