import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openVideo } from '../../src/video/index.js';
import { runCli, startCli } from '../helpers/cli.js';
import { freeTcpPort } from '../helpers/ports.js';

describe('dustpatrol sim-camera', () => {
  it("follows a vehicle on a second link (the simulator's tcpin, as SITL's serial 1) and records what it sees", async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sim-camera-')), 'camera');
    const port = await freeTcpPort();
    const sim = startCli([
      'sim',
      '--connect',
      `tcpin://127.0.0.1:${port}`,
      '--speedup',
      '5',
      '--duration',
      '20',
    ]);
    try {
      const result = await runCli([
        ...[
          'sim-camera',
          '--connect',
          `tcpout://127.0.0.1:${port}`,
          '--world',
          'missions/demo-world.geojson',
        ],
        ...['--record', dir, '--camera-size', '160x90', '--camera-fps', '2', '--duration', '9'],
      ]);
      const context = `${result.stdout}\n${result.stderr}`;
      expect(result.code, context).toBe(0);
      expect(result.stderr, context).not.toContain('dustpatrol:');
      expect(result.stdout).toMatch(
        /camera 160x90 2 fps 82° over missions\/demo-world.geojson \(5 sites, 4 plumes\), following the vehicle on tcpout:/,
      );
      expect(result.stdout).toContain('vehicle 1 found; asking for its position, attitude and gimbal');
      // The simulator reports no position for its first 20 s (ArduPilot's EKF origin): 4 s at ×5.
      expect(result.stdout).toMatch(
        /first frame at the vehicle's \d+\.\d s since boot, recording .*video\.mkv/,
      );
      expect(fs.readdirSync(dir).sort()).toEqual(['flight.tlog', 'truth.json', 'video.mkv']);
      const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8'));
      expect(truth.camera).toEqual({ widthPx: 160, heightPx: 90, hfovDeg: 82, fps: 2 });
      // What the camera rendered is what the vehicle reported: no error between them.
      expect(truth.noise).toEqual({ positionNoiseM: 0, attitudeNoiseDeg: 0, gpsNoiseM: 0 });
      // Two frames per second of the vehicle's time, which runs 5× faster: ~10 a second here.
      expect(truth.frames).toBeGreaterThan(20);
      const video = await openVideo(path.join(dir, 'video.mkv'));
      let frames = 0;
      for await (const _frame of video) frames++;
      expect(frames).toBe(truth.frames);
      expect(video.info.creationTimeUs).toBe(truth.videoStartUnixUs);
      expect(fs.statSync(path.join(dir, 'flight.tlog')).size).toBeGreaterThan(0);
    } finally {
      sim.kill('SIGINT');
    }
  }, 60_000);

  it('refuses a run with nowhere for the pictures, a bad link URL or a missing world, in one line each', async () => {
    const nowhere = await runCli([
      ...['sim-camera', '--connect', 'tcpout://127.0.0.1:5762', '--world', 'missions/demo-world.geojson'],
    ]);
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toBe(
      'dustpatrol: sim-camera: give --video udpout://HOST:PORT, --record DIR or both (where the pictures go)\n',
    );
    const badUrl = await runCli([
      ...['sim-camera', '--connect', 'tcp://nowhere', '--world', 'missions/demo-world.geojson'],
      ...['--video', 'udpout://127.0.0.1:5600'],
    ]);
    expect(badUrl.code).not.toBe(0);
    expect(badUrl.stderr).toMatch(/^dustpatrol: .*tcp:\/\/nowhere.*\n$/);
    const noWorld = await runCli([
      ...['sim-camera', '--connect', 'tcpout://127.0.0.1:5762', '--world', 'no-such-world.geojson'],
      ...['--video', 'udpout://127.0.0.1:5600'],
    ]);
    expect(noWorld.code).not.toBe(0);
    expect(noWorld.stderr).toBe('dustpatrol: no-such-world.geojson: no such world file\n');
  });
});
