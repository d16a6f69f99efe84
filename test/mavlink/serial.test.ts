import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { minimal } from 'node-mavlink';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { MavLinkConnection } from '../../src/mavlink/index.js';

// A real pseudo-terminal pair from socat (installed by .ci/run) stands between the two ends,
// so the serial transport runs through the real serialport binding and a real tty.
let socat: ChildProcess;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-pty-'));
  socat = spawn('socat', [`pty,raw,echo=0,link=${dir}/vehicle`, `pty,raw,echo=0,link=${dir}/gcs`], {
    stdio: 'ignore',
  });
  socat.on('error', (err) => {
    throw new Error(`socat is needed for the serial tests (.ci/run installs it): ${err.message}`);
  });
  await vi.waitFor(
    () => {
      if (!fs.existsSync(`${dir}/vehicle`) || !fs.existsSync(`${dir}/gcs`))
        throw new Error('no pty pair yet');
    },
    { timeout: 5000 },
  );
});

afterAll(() => {
  socat?.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('carries MAVLink both ways over a serial line', async () => {
  const vehicle = await MavLinkConnection.open(`serial://${dir}/vehicle:57600`, {
    systemId: 1,
    componentId: 1,
    gcsHeartbeat: false,
  });
  const gcs = await MavLinkConnection.open(`serial://${dir}/gcs:57600`);
  try {
    const fromGcs = await vehicle.waitFor(minimal.Heartbeat, () => true, { timeoutMs: 3000 });
    expect(fromGcs).toMatchObject({ sysid: 255, compid: 190 });

    const hb = new minimal.Heartbeat();
    hb.type = 2 as minimal.MavType;
    hb.autopilot = 3 as minimal.MavAutopilot;
    vehicle.send(hb);
    await expect(gcs.waitForVehicle(3000)).resolves.toMatchObject({ sysid: 1, compid: 1, autopilot: 3 });
    expect(gcs.stats.badFrames).toBe(0);
  } finally {
    await Promise.all([vehicle.close(), gcs.close()]);
  }
});

it('names the device when the serial port does not exist', async () => {
  await expect(MavLinkConnection.open(`serial://${dir}/missing:57600`)).rejects.toThrow(
    `cannot open serial://${dir}/missing:57600`,
  );
});
