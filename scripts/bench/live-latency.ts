/**
 * Live alert latency: from a dust plume entering the simulated camera's view to its alert reaching a
 * WebSocket client of `dustpatrol serve`, in real time (speed-up 1), analysing 2 frames a second.
 * The simulator and its camera run here; the daemon is the built CLI in its own process (run
 * `npm run build` first); a viewer's WebSocket client here takes the time each alert arrives.
 *
 * "Entering the view" is the first rendered frame whose picture holds the plume's source, seen from
 * where the daemon places plumes at all (no farther than 3 × the drone's height: see
 * src/analytics/place-plume.ts). The floor beside each figure is what confirmation alone costs at best:
 * three analysed frames at 2 fps (1.0 s; up to 0.5 s more waiting for the first), plus the stream's
 * latency (DEFAULT_VIDEO_LATENCY_MS). "First seen" is when the first frame of the alert's track was
 * taken, after the plume entered the view: how long the model took to see it at all. A plume's alert
 * is the first one placed within ALERT_NEAR_PLUME_M of its source; others are listed as misplaced.
 * Run alone: `npx tsx scripts/bench/live-latency.ts [WIDTHxHEIGHT FPS]` (about 5 minutes).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { DEFAULT_VIDEO_LATENCY_MS } from '../../src/cli/options.js';
import { table } from '../../src/cli/output.js';
import { LocalFrame } from '../../src/geo/index.js';
import { fromMissionItems, writeQgcPlan } from '../../src/plan/index.js';
import { loadWorld, SimCamera, type SimFrame } from '../../src/sim/camera/index.js';
import { startSimulator } from '../../src/sim/index.js';
import { REPO_ROOT } from '../../test/helpers/cli.js';
import { freeTcpPort, freeUdpPort } from '../../test/helpers/ports.js';
import { DEMO_HOME, DEMO_WORLD, missionOver } from '../../test/helpers/sim-flight.js';

const DEG = Math.PI / 180;
const ANALYSIS_FPS = 2;
/** The e2e test's route: hover 8 s over D-01's, D-04's and D-02's plumes, and over plume-free D-03. */
const ROUTE = [
  { latDeg: 34.7261, lonDeg: 113.63155 },
  { latDeg: 34.7283, lonDeg: 113.6349 },
  { latDeg: 34.7209203, lonDeg: 113.6331461 },
  { latDeg: 34.724, lonDeg: 113.6256 },
];
const MAX_GROUND_DISTANCE_PER_HEIGHT = 3;
const TOKEN = 'bench-viewer-0123456789abcdef';
/** An alert this close to a plume's source is that plume's (the alert store's de-duplication radius). */
const ALERT_NEAR_PLUME_M = 30;

const [sizeArg = '1280x720', fpsArg = '10'] = process.argv.slice(2);
const [widthPx, heightPx] = sizeArg.split('x').map(Number);
const camera = { widthPx, heightPx, hfovDeg: 82, fps: Number(fpsArg) };

/** Whether a ground point is in the picture of a frame rendered from this pose (pinhole, no roll). */
function inPicture(frame: SimFrame, point: { latDeg: number; lonDeg: number }): boolean {
  const pose = frame.pose;
  const local = new LocalFrame({ latDeg: pose.latDeg, lonDeg: pose.lonDeg, altAmslM: pose.altAmslM });
  const p = local.toLocal(point.latDeg, point.lonDeg, 0);
  const heightM = pose.altAmslM - pose.groundAmslM;
  if (Math.hypot(p.eastM, p.northM) > MAX_GROUND_DISTANCE_PER_HEIGHT * heightM) return false;
  const h = pose.cameraHeadingDeg * DEG;
  const pitch = pose.gimbalPitchDeg * DEG;
  const f = [Math.cos(pitch) * Math.sin(h), Math.cos(pitch) * Math.cos(h), Math.sin(pitch)];
  const r = [Math.cos(h), -Math.sin(h), 0];
  const u = [r[1] * f[2] - r[2] * f[1], r[2] * f[0] - r[0] * f[2], r[0] * f[1] - r[1] * f[0]];
  const d = [p.eastM, p.northM, -heightM];
  const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const ahead = dot(d, f);
  if (ahead <= 0) return false;
  const fx = widthPx / 2 / Math.tan((camera.hfovDeg * DEG) / 2);
  const x = widthPx / 2 + (fx * dot(d, r)) / ahead;
  const y = heightPx / 2 - (fx * dot(d, u)) / ahead;
  return x >= 0 && x < widthPx && y >= 0 && y < heightPx;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-latency-'));
  const world = await loadWorld(DEMO_WORLD);
  const plumes = world.plumes.filter((p) => ['D-01', 'D-04', 'D-02'].includes(p.siteId ?? ''));
  const simPort = await freeUdpPort();
  const videoUrl = `udp://127.0.0.1:${await freeUdpPort()}`;
  const httpPort = await freeTcpPort();
  const sim = await startSimulator({
    connect: `udpin://127.0.0.1:${simPort}`,
    home: DEMO_HOME,
    speedup: 1,
    windSpeedMs: 3,
    windFromDeg: world.windFromDeg,
    positionNoiseM: 1.5,
    attitudeNoiseDeg: 1,
  });
  // Per plume: the wall time its source first came into the picture.
  const enteredMs = new Map<string, number>();
  const cam = new SimCamera(sim, {
    world,
    camera,
    streamUrl: videoUrl,
    onFrame: (frame) => {
      for (const plume of plumes) {
        if (!enteredMs.has(plume.siteId ?? '') && inPicture(frame, plume))
          enteredMs.set(plume.siteId ?? '', Date.now());
      }
    },
  });

  const planFile = path.join(dir, 'route.plan');
  fs.writeFileSync(
    planFile,
    writeQgcPlan(fromMissionItems(missionOver(ROUTE, 60, 8), 'ardupilot', planFile)),
  );
  const configFile = path.join(dir, 'dustpatrol.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      listen: { port: httpPort },
      tokens: [{ token: TOKEN, role: 'pilot' }],
      db: 'alerts.db',
      sites: [path.join(REPO_ROOT, 'missions/demo-sites.geojson')],
      analysis: { fps: ANALYSIS_FPS },
      vehicles: [
        {
          id: 'drone-1',
          connect: `udpout://127.0.0.1:${simPort}`,
          video: videoUrl,
          camera: { widthPx, heightPx, hfovDeg: camera.hfovDeg },
          plan: planFile,
        },
      ],
    }),
  );
  const daemon = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'dist/cli/main.js'), 'serve', '--config', configFile],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );

  // The first alert placed near each plume, when it reached this client, and when the plume was first
  // seen. An alert elsewhere in the plume's site is not its alert (it is counted as misplaced).
  const alertMs = new Map<string, number>();
  const firstSeenMs = new Map<string, number>();
  const misplaced: string[] = [];
  const local = new LocalFrame(DEMO_HOME);
  const metresApart = (a: { latDeg: number; lonDeg: number }, b: { latDeg: number; lonDeg: number }) => {
    const [pa, pb] = [local.toLocal(a.latDeg, a.lonDeg, 0), local.toLocal(b.latDeg, b.lonDeg, 0)];
    return Math.hypot(pa.eastM - pb.eastM, pa.northM - pb.northM);
  };
  let landed = false;
  let ws: WebSocket | null = null;
  for (let i = 0; !ws && i < 100; i++) {
    await sleep(200);
    const socket = new WebSocket(`ws://127.0.0.1:${httpPort}/ws?token=${TOKEN}`);
    ws = await new Promise<WebSocket | null>((resolve) => {
      socket.once('open', () => resolve(socket));
      socket.once('error', () => resolve(null));
    });
  }
  if (!ws) throw new Error('the daemon never listened');
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.type === 'alert' && m.change === 'created') {
      const plume = plumes.find((p) => metresApart(p, m.alert) <= ALERT_NEAR_PLUME_M);
      const site = plume?.siteId ?? '';
      if (!plume) misplaced.push(`${m.alert.code} ${m.alert.siteId ?? 'no site'}`);
      else if (!alertMs.has(site)) {
        alertMs.set(site, Date.now());
        firstSeenMs.set(site, m.alert.firstSeenUs / 1000);
      }
    }
    if (m.type === 'telemetry' && m.vehicle.patrolStatus === 'landed') landed = true;
  });
  for (let i = 0; ; i++) {
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/vehicles/drone-1/commands`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: 'start' }),
    });
    if (res.ok) break;
    if (i > 100) throw new Error(`start refused: ${await res.text()}`);
    await sleep(200);
  }
  process.stderr.write(`flying the route at 1× with a ${sizeArg} ${camera.fps} fps camera…\n`);
  while (!landed) await sleep(500);

  // Three analysed frames in view (the first may come up to one interval after it entered), plus the stream.
  const floorS = (3 - 1) / ANALYSIS_FPS + DEFAULT_VIDEO_LATENCY_MS / 1000;
  const rows: string[][] = [];
  const latencies: number[] = [];
  for (const plume of plumes) {
    const site = plume.siteId ?? '';
    const entered = enteredMs.get(site);
    const alerted = alertMs.get(site);
    const latencyS = entered !== undefined && alerted !== undefined ? (alerted - entered) / 1000 : null;
    if (latencyS !== null) latencies.push(latencyS);
    // At speed-up 1 the vehicle's clock is this one: the first frame the model saw it in, after it entered.
    const seen = firstSeenMs.get(site);
    const seenS = entered !== undefined && seen !== undefined ? (seen - entered) / 1000 : null;
    rows.push([
      `${plume.id} (${site})`,
      entered === undefined ? 'never' : 'yes',
      alerted === undefined ? 'none' : 'yes',
      latencyS === null ? '-' : latencyS.toFixed(2),
      seenS === null ? '-' : seenS.toFixed(2),
      floorS.toFixed(2),
      latencyS === null ? '-' : (latencyS / floorS).toFixed(2),
    ]);
  }
  latencies.sort((a, b) => a - b);
  const median = latencies.length ? latencies[Math.floor((latencies.length - 1) / 2)] : Number.NaN;
  process.stdout.write(
    `${table(['plume', 'in view', 'alert', 'latency s', 'first seen s', 'floor s', 'x floor'], rows)}\n` +
      `median latency ${median.toFixed(2)} s over ${latencies.length} plumes (camera ${sizeArg} at ${camera.fps} fps, ` +
      `${ANALYSIS_FPS} fps analysis, speed-up 1)\n` +
      `alerts farther than ${ALERT_NEAR_PLUME_M} m from every plume: ${misplaced.join(', ') || 'none'}\n`,
  );
  ws.close();
  daemon.kill('SIGTERM');
  await new Promise((resolve) => daemon.once('exit', resolve));
  await cam.close();
  await sim.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

await main();
