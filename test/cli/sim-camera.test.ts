import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openVideo } from '../../src/video/index.js';
import { runCli } from '../helpers/cli.js';
import { freeUdpPort } from '../helpers/ports.js';

describe('dustpatrol sim with a camera', () => {
  it('records the flight: tlog, video with its start time, and the ground truth', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sim-cli-')), 'flight');
    const port = await freeUdpPort();
    const result = await runCli([
      ...['sim', '--connect', `udpout://127.0.0.1:${port}`, '--speedup', '5', '--duration', '2'],
      ...['--world', 'missions/demo-world.geojson', '--record', dir, '--camera-size', '320x180'],
      ...['--position-noise', '2', '--attitude-noise', '1'],
    ]);
    expect(result.stderr).not.toContain('dustpatrol:');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`recording to ${dir}`);
    expect(result.stdout).toMatch(
      /camera 320x180 10 fps 82° over missions\/demo-world.geojson \(5 sites, 4 plumes\)/,
    );
    expect(fs.readdirSync(dir).sort()).toEqual(['flight.tlog', 'truth.json', 'video.mkv']);
    const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8'));
    expect(truth.camera).toEqual({ widthPx: 320, heightPx: 180, hfovDeg: 82, fps: 10 });
    expect(truth.noise).toMatchObject({ positionNoiseM: 2, attitudeNoiseDeg: 1 });
    expect(truth.plumes).toHaveLength(4);
    expect(truth.frames).toBeGreaterThan(10);
    const video = await openVideo(path.join(dir, 'video.mkv'));
    let frames = 0;
    for await (const _frame of video) frames++;
    expect(frames).toBe(truth.frames);
    expect(video.info.creationTimeUs).toBe(truth.videoStartUnixUs);
    expect(fs.statSync(path.join(dir, 'flight.tlog')).size).toBeGreaterThan(0);
  });

  it('refuses a bad world file, a bad size and video without a world, in one line each', async () => {
    const missing = await runCli([
      'sim',
      '--world',
      'no-such-world.geojson',
      '--record',
      os.tmpdir(),
      '--duration',
      '1',
    ]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toBe('dustpatrol: no-such-world.geojson: no such world file\n');

    const badJson = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'world-')), 'bad.geojson');
    fs.writeFileSync(badJson, '{"type": "FeatureCollection", "features": [');
    const broken = await runCli(['sim', '--world', badJson, '--video', 'udpout://127.0.0.1:5600']);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toMatch(
      new RegExp(`^dustpatrol: ${badJson}: invalid JSON at line 1, column \\d+: .*\\n$`),
    );

    const size = await runCli(['sim', '--world', 'missions/demo-world.geojson', '--camera-size', '1280x']);
    expect(size.code).not.toBe(0);
    expect(size.stderr).toContain(
      "expected WIDTHxHEIGHT in even pixels from 16 to 7680, e.g. 1280x720, got '1280x'",
    );

    const noWorld = await runCli(['sim', '--video', 'udpout://127.0.0.1:5600']);
    expect(noWorld.code).not.toBe(0);
    expect(noWorld.stderr).toBe(
      'dustpatrol: sim: --video and --record need --world FILE (what the camera sees)\n',
    );

    const badUrl = await runCli(['sim', '--world', 'missions/demo-world.geojson', '--video', 'rtsp://x']);
    expect(badUrl.code).not.toBe(0);
    expect(badUrl.stderr).toBe(
      'dustpatrol: camera video rtsp://x: expected udpout://HOST:PORT (MPEG-TS over UDP)\n',
    );
  });
});
