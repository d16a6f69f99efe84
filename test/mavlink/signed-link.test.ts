import { common, minimal } from 'node-mavlink';
import { afterEach, describe, expect, it } from 'vitest';
import { MavLinkConnection, type ReceivedMessage } from '../../src/mavlink/index.js';
import { autopilotHeartbeat } from '../helpers/heartbeat.js';
import { freeUdpPort } from '../helpers/ports.js';

// Signed links over real UDP on 127.0.0.1: what passes, what is counted and dropped, and whom a
// udpin answers.

const KEY = Buffer.alloc(32, 0x11);
const OTHER_KEY = Buffer.alloc(32, 0x22);
const VEHICLE = { systemId: 1, componentId: 1, gcsHeartbeat: false };

const open: MavLinkConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function link(url: string, options: Parameters<typeof MavLinkConnection.open>[1] = {}) {
  const l = await MavLinkConnection.open(url, options);
  open.push(l);
  return l;
}

/** Sends `message` every 50 ms from `from` until stopped. */
function keepSending(from: MavLinkConnection, message: () => common.CommandLong | minimal.Heartbeat) {
  const timer = setInterval(() => from.send(message()), 50);
  return () => clearInterval(timer);
}

function requestMessage(): common.CommandLong {
  const cmd = new common.CommandLong();
  cmd.targetSystem = 1;
  cmd.targetComponent = 1;
  cmd.command = common.MavCmd.REQUEST_MESSAGE;
  cmd._param1 = 148;
  return cmd;
}

describe('a signed link', () => {
  it('delivers packets signed with its key both ways, marked signed', async () => {
    const port = await freeUdpPort();
    const vehicle = await link(`udpin://127.0.0.1:${port}`, { ...VEHICLE, signing: { key: KEY } });
    const gcs = await link(`udpout://127.0.0.1:${port}`, { signing: { key: KEY } });
    const commands: ReceivedMessage[] = [];
    vehicle.onMessage((rx) => rx.message instanceof common.CommandLong && commands.push(rx));
    const stop = keepSending(vehicle, autopilotHeartbeat);

    const heartbeat = await gcs.waitFor(minimal.Heartbeat, (hb) => hb.autopilot === 3, { timeoutMs: 3000 });
    gcs.send(requestMessage());
    await vehicle.waitFor(common.CommandLong, () => true, { timeoutMs: 3000 });
    stop();

    expect(heartbeat.signed).toBe(true);
    expect(commands[0].signed).toBe(true);
    for (const l of [gcs, vehicle])
      expect(l.stats).toMatchObject({ unsignedPackets: 0, badSignatures: 0, staleSignatures: 0 });
  });

  it('counts and drops unsigned and wrongly signed packets, and says so when no vehicle is heard', async () => {
    const port = await freeUdpPort();
    const gcs = await link(`udpin://127.0.0.1:${port}`, { signing: { key: KEY } });
    const unsigned = await link(`udpout://127.0.0.1:${port}`, VEHICLE);
    const stop = keepSending(unsigned, autopilotHeartbeat);

    await expect(gcs.waitForVehicle(600)).rejects.toThrow(
      /no vehicle heartbeat .* within 0\.6 s \(\d+ unsigned packets dropped: give the vehicle the key with 'dustpatrol signing setup'\)/,
    );
    stop();
    expect(gcs.stats.unsignedPackets).toBeGreaterThan(3);
    expect(gcs.stats.packetsIn).toBe(0);

    const forger = await link(`udpout://127.0.0.1:${port}`, { ...VEHICLE, signing: { key: OTHER_KEY } });
    const stopForger = keepSending(forger, autopilotHeartbeat);
    await expect(gcs.waitForVehicle(600)).rejects.toThrow(/packets signed with another key dropped/);
    stopForger();
    expect(gcs.stats.badSignatures).toBeGreaterThan(3);
    expect(gcs.stats.packetsIn).toBe(0);
  });

  it('on udpin, answers no stranger whose heartbeat is unsigned or signed with another key', async () => {
    const port = await freeUdpPort();
    const vehicle = await link(`udpin://127.0.0.1:${port}`, { ...VEHICLE, signing: { key: KEY } });
    const gcs = await link(`udpout://127.0.0.1:${port}`, { signing: { key: KEY } });
    const stranger = await link(`udpout://127.0.0.1:${port}`);
    const forger = await link(`udpout://127.0.0.1:${port}`, { signing: { key: OTHER_KEY } });
    const stop = keepSending(vehicle, autopilotHeartbeat);
    await gcs.waitForVehicle(3000);

    // Both send GCS heartbeats at 1 Hz, which on an unsigned vehicle's udpin would take its answers.
    const strangerHeard = new Promise((resolve) => stranger.onMessage(resolve));
    const forgerHeard = new Promise((resolve) => forger.onMessage(resolve));
    await new Promise((r) => setTimeout(r, 2500));
    const before = gcs.stats.packetsIn;
    await new Promise((r) => setTimeout(r, 500));
    stop();

    expect(gcs.stats.packetsIn).toBeGreaterThan(before);
    const heard = await Promise.race([
      strangerHeard,
      forgerHeard,
      new Promise((r) => setTimeout(() => r(null), 10)),
    ]);
    expect(heard).toBeNull();
    expect(vehicle.stats.ignoredDatagrams).toBeGreaterThan(0);
  });

  it('drops a replayed packet as stale', async () => {
    const port = await freeUdpPort();
    const gcs = await link(`udpin://127.0.0.1:${port}`, { signing: { key: KEY } });
    const vehicle = await link(`udpout://127.0.0.1:${port}`, { ...VEHICLE, signing: { key: KEY } });
    const frames: Buffer[] = [];
    gcs.onMessage((rx) => frames.push(rx.bytes));
    vehicle.send(autopilotHeartbeat());
    await gcs.waitForVehicle(3000);

    vehicle.sendFrame(frames[0]);
    vehicle.send(autopilotHeartbeat());
    await gcs.waitFor(minimal.Heartbeat, () => true, { timeoutMs: 3000 });

    expect(gcs.stats.staleSignatures).toBe(1);
    expect(gcs.stats.packetsIn).toBe(2);
  });
});
