import dgram from 'node:dgram';
import { common, minimal, x25crc } from 'node-mavlink';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { openListenWarning } from '../../src/mavlink/connection-url.js';
import { LINK_TIMING, MavLinkConnection, parseConnectionUrl } from '../../src/mavlink/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { autopilotHeartbeat, gcsHeartbeat } from '../helpers/heartbeat.js';
import { openSimulatedTransportPair } from '../helpers/link-pair.js';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';

const open: MavLinkConnection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

async function link(url: string, options: ConstructorParameters<typeof MavLinkConnection>[1] = {}) {
  const l = await MavLinkConnection.open(url, options);
  open.push(l);
  return l;
}

describe('connection URLs', () => {
  it('parses every documented scheme', () => {
    expect(parseConnectionUrl('udpin://0.0.0.0:14550')).toEqual({
      kind: 'udpin',
      host: '0.0.0.0',
      port: 14550,
    });
    expect(parseConnectionUrl('udpin://:14550')).toEqual({ kind: 'udpin', host: '0.0.0.0', port: 14550 });
    expect(parseConnectionUrl('udpout://127.0.0.1:14550')).toMatchObject({ kind: 'udpout', port: 14550 });
    expect(parseConnectionUrl('tcpout://127.0.0.1:5760')).toMatchObject({ kind: 'tcpout', port: 5760 });
    expect(parseConnectionUrl('serial:///dev/ttyACM0:115200')).toEqual({
      kind: 'serial',
      path: '/dev/ttyACM0',
      baudRate: 115200,
    });
  });

  it('warns about listeners beyond loopback only', () => {
    expect(openListenWarning(parseConnectionUrl('udpin://0.0.0.0:14550'))).toContain('not loopback');
    expect(openListenWarning(parseConnectionUrl('tcpin://192.168.2.10:5760'))).toContain('not loopback');
    for (const url of ['udpin://127.0.0.1:14550', 'tcpin://[::1]:5760', 'udpout://10.0.0.2:14550']) {
      expect(openListenWarning(parseConnectionUrl(url))).toBeNull();
    }
  });

  it.each([
    ['http://127.0.0.1:80', "unknown scheme 'http'"],
    ['udp://127.0.0.1:14550', "unknown scheme 'udp'"],
    ['udpout://127.0.0.1', 'needs HOST:PORT'],
    ['udpout://127.0.0.1:70000', 'out of range'],
    ['udpout://:14550', 'needs a host'],
    ['serial:///dev/ttyUSB0', 'baud rate'],
    ['serial:///dev/ttyUSB0:12345', 'unsupported baud rate 12345'],
    ['127.0.0.1:14550', 'no scheme'],
  ])('refuses %s with a message that says why', (url, why) => {
    expect(() => parseConnectionUrl(url)).toThrow(UserError);
    expect(() => parseConnectionUrl(url)).toThrow(why);
  });
});

describe('link over UDP', () => {
  it('on udpin, answers the first autopilot it hears, not a ground station that spoke first or later', async () => {
    const port = await freeUdpPort();
    const gcs = await link(`udpin://127.0.0.1:${port}`);
    const stranger = await link(`udpout://127.0.0.1:${port}`); // another ground station
    await gcs.waitFor(minimal.Heartbeat, () => true, { timeoutMs: 3000 });
    const vehicle = await link(`udpout://127.0.0.1:${port}`, {
      systemId: 1,
      componentId: 1,
      gcsHeartbeat: false,
    });
    vehicle.send(autopilotHeartbeat());
    await gcs.waitForVehicle(3000);

    const ack = new common.CommandAck();
    ack.command = 400 as common.MavCmd;
    gcs.send(ack);
    await vehicle.waitFor(common.CommandAck, () => true, { timeoutMs: 3000 });
    stranger.send(autopilotHeartbeat());
    await expect.poll(() => gcs.stats.ignoredDatagrams, { timeout: 3000 }).toBeGreaterThan(0);
    expect(stranger.stats.packetsIn).toBe(0);
  });

  it('discovers a vehicle from its heartbeat and routes replies to the udpin peer', async () => {
    const port = await freeUdpPort();
    const vehicle = await link(`udpin://127.0.0.1:${port}`, {
      systemId: 1,
      componentId: 1,
      gcsHeartbeat: false,
    });
    const gcs = await link(`udpout://127.0.0.1:${port}`);
    // The GCS heartbeat tells the udpin side where to answer.
    await vehicle.waitFor(minimal.Heartbeat, () => true, { timeoutMs: 3000 });
    vehicle.send(autopilotHeartbeat());
    const peer = await gcs.waitForVehicle(3000);
    expect(peer).toMatchObject({ sysid: 1, compid: 1, type: 2, autopilot: 3 });
  });

  // Over real sockets, as the one check of the choice a vehicle's udpin makes: the flights and adoptions
  // that rely on it (test/vehicle/patrol-adopt, test/fleet/adopted-alerts) run in simulated time over an
  // in-memory link that stands in for it.
  it("on a vehicle's udpin, answers the ground station that spoke last at once: a daemon restarted on a new port", async () => {
    const port = await freeUdpPort();
    const vehicle = await link(`udpin://127.0.0.1:${port}`, {
      systemId: 1,
      componentId: 1,
      gcsHeartbeat: false,
    });
    // Ground stations that beat only when told, so that the test says which one spoke last.
    const before = await link(`udpout://127.0.0.1:${port}`, { gcsHeartbeat: false });
    before.send(gcsHeartbeat());
    await vehicle.waitFor(minimal.Heartbeat, () => true, { timeoutMs: 3000 });
    vehicle.send(autopilotHeartbeat());
    await before.waitForVehicle(3000);

    // The daemon restarts on a new source port while the old one is not yet silent for long.
    const after = await link(`udpout://127.0.0.1:${port}`, { gcsHeartbeat: false });
    after.send(gcsHeartbeat());
    await vehicle.waitFor(minimal.Heartbeat, () => true, { timeoutMs: 3000 });
    const heardBefore = before.stats.packetsIn;
    vehicle.send(autopilotHeartbeat());
    await after.waitForVehicle(3000);
    expect(before.stats.packetsIn).toBe(heardBefore);
    expect(vehicle.stats.ignoredDatagrams).toBe(0);
  });

  it('on udpin, answers a vehicle back from a new address once the old one has gone silent', async () => {
    const port = await freeUdpPort();
    const gcs = await link(`udpin://127.0.0.1:${port}`);
    const ids = { systemId: 1, componentId: 1, gcsHeartbeat: false };
    const before = await link(`udpout://127.0.0.1:${port}`, ids);
    before.send(autopilotHeartbeat());
    await gcs.waitForVehicle(3000);
    await before.close();
    // A radio or NAT reset: the same vehicle, a new source port, after the peer-loss time.
    await new Promise((resolve) => setTimeout(resolve, LINK_TIMING.vehicleLostAfterMs + 200));
    const after = await link(`udpout://127.0.0.1:${port}`, ids);
    after.send(autopilotHeartbeat());
    await expect.poll(() => after.stats.packetsIn, { timeout: 3000 }).toBeGreaterThan(0);
    expect(gcs.stats.ignoredDatagrams).toBe(0);
  }, 10_000);

  it('numbers its own packets 0, 1, 2 … whatever other links send', async () => {
    const port = await freeUdpPort();
    const vehicle = await link(`udpin://127.0.0.1:${port}`, {
      systemId: 1,
      componentId: 1,
      gcsHeartbeat: false,
    });
    const gcs = await link(`udpout://127.0.0.1:${port}`, { gcsHeartbeat: false });
    const other = await link(`udpout://127.0.0.1:${await freeUdpPort()}`, { gcsHeartbeat: false });
    const seqs: number[] = [];
    vehicle.onMessage((rx) => seqs.push(rx.seq));
    for (let i = 0; i < 5; i++) {
      other.send(autopilotHeartbeat());
      gcs.send(autopilotHeartbeat());
    }
    await expect.poll(() => seqs.length).toBe(5);
    expect(seqs).toEqual([0, 1, 2, 3, 4]);
    expect(vehicle.stats.dropped).toBe(0);
  });

  it('survives garbage, truncated frames, bad CRCs, unknown ids and a flood, and counts them', async () => {
    const port = await freeUdpPort();
    const gcs = await link(`udpin://127.0.0.1:${port}`, { gcsHeartbeat: false });
    const raw = dgram.createSocket('udp4');
    const sendRaw = (bytes: Buffer) =>
      new Promise<void>((resolve) => raw.send(bytes, port, '127.0.0.1', () => resolve()));
    const sender = await link(`udpout://127.0.0.1:${await freeUdpPort()}`, {
      systemId: 1,
      componentId: 1,
      gcsHeartbeat: false,
    });
    const frame = (msg: minimal.Heartbeat | common.SysStatus) => sender.encoder.encode(msg);

    let random = 12345;
    const noise = Buffer.alloc(4096, 0).map(() => {
      random = (random * 1103515245 + 12345) & 0x7fffffff;
      return random & 0xff;
    });
    await sendRaw(Buffer.from(noise));

    const good = frame(autopilotHeartbeat());
    await sendRaw(good.subarray(0, good.length - 4)); // truncated

    const badCrc = Buffer.from(frame(autopilotHeartbeat()));
    badCrc[badCrc.length - 1] ^= 0xff;
    await sendRaw(badCrc);

    // A well-formed MAVLink 2 frame for message id 0xABCDE, which no dialect defines.
    const unknown = Buffer.from([0xfd, 2, 0, 0, 0, 1, 1, 0xde, 0xbc, 0x0a, 7, 7, 0, 0]);
    unknown.writeUInt16LE(x25crc(unknown, 1, 2, 77), unknown.length - 2); // CRC_EXTRA 77
    await sendRaw(unknown);

    // A flood: 5000 bad frames packed into two large datagrams (none lost in the kernel), then
    // 2000 small datagrams as fast as the socket takes them (the kernel may drop some of those).
    const packed = Buffer.concat(Array.from({ length: 2500 }, () => badCrc));
    await sendRaw(packed);
    await sendRaw(packed);
    await expect.poll(() => gcs.stats.badFrames, { timeout: 10_000 }).toBeGreaterThanOrEqual(5001);
    for (let i = 0; i < 2000; i++) raw.send(badCrc, port, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 200));

    // After all of it the link still decodes good packets.
    await sendRaw(frame(autopilotHeartbeat()));
    const hb = await gcs.waitFor(minimal.Heartbeat, () => true, { timeoutMs: 5000 });
    raw.close();

    expect(hb.sysid).toBe(1);
    expect(gcs.stats.unknownMessages).toBe(1);
    expect(gcs.stats.packetsIn).toBe(1);
    expect(gcs.stats.bytesIn).toBeGreaterThan(4096);
  });

  it('counts sequence gaps as drops', async () => {
    const port = await freeUdpPort();
    const gcs = await link(`udpin://127.0.0.1:${port}`, { gcsHeartbeat: false });
    const sender = await link(`udpout://127.0.0.1:${port}`, {
      systemId: 1,
      componentId: 1,
      gcsHeartbeat: false,
    });
    const frames = Array.from({ length: 10 }, () => sender.encoder.encode(autopilotHeartbeat()));
    const raw = dgram.createSocket('udp4');
    for (const [i, f] of frames.entries()) if (i !== 3 && i !== 4 && i !== 7) raw.send(f, port, '127.0.0.1');
    await expect.poll(() => gcs.stats.packetsIn).toBe(7);
    raw.close();
    expect(gcs.stats.dropped).toBe(3);
  });
});

describe('link over TCP', () => {
  it('says clearly when nobody listens on a tcpout port', async () => {
    const port = await freeTcpPort();
    await expect(MavLinkConnection.open(`tcpout://127.0.0.1:${port}`)).rejects.toThrow(
      `cannot open tcpout://127.0.0.1:${port}: ECONNREFUSED`,
    );
  });

  it('carries messages both ways between tcpin and tcpout', async () => {
    const port = await freeTcpPort();
    const vehicle = await link(`tcpin://127.0.0.1:${port}`, {
      systemId: 1,
      componentId: 1,
      gcsHeartbeat: false,
    });
    const gcs = await link(`tcpout://127.0.0.1:${port}`);
    await vehicle.waitFor(minimal.Heartbeat, () => true, { timeoutMs: 3000 });
    vehicle.send(autopilotHeartbeat());
    await expect(gcs.waitForVehicle(3000)).resolves.toMatchObject({ sysid: 1 });
  });
});

describe('link on a simulated clock', () => {
  it('beats at 1 Hz, and declares a silent vehicle lost after vehicleLostAfterMs of that clock, then regained', async () => {
    const clock = new FakeClock();
    const ends = openSimulatedTransportPair(clock);
    const vehicle = new MavLinkConnection(ends.vehicle, {
      systemId: 1,
      componentId: 1,
      gcsHeartbeat: false,
      clock,
    });
    const gcs = new MavLinkConnection(ends.gcs, { clock });
    open.push(vehicle, gcs);
    let gcsBeats = 0;
    vehicle.onMessage(({ message }) => {
      if (message instanceof minimal.Heartbeat) gcsBeats++;
    });
    const events: [string, number][] = [];
    gcs.on('peer-lost', () => events.push(['lost', clock.nowMs()]));
    gcs.on('peer-regained', () => events.push(['regained', clock.nowMs()]));

    vehicle.send(autopilotHeartbeat());
    const peer = await clock.run(gcs.waitForVehicle(1000));
    expect(peer).toMatchObject({ sysid: 1, lost: false });
    const heardAtMs = clock.nowMs();
    await clock.advance(10_000 - heardAtMs);
    // One at once, then one a second: at 0, 1000, … 9000 ms, each 5 ms on the way.
    expect(gcsBeats).toBe(10);
    expect(events).toHaveLength(1);
    const [what, atMs] = events[0];
    expect(what).toBe('lost');
    expect(atMs - heardAtMs).toBeGreaterThan(LINK_TIMING.vehicleLostAfterMs);
    expect(atMs - heardAtMs).toBeLessThanOrEqual(
      LINK_TIMING.vehicleLostAfterMs + LINK_TIMING.heartbeatPeriodMs / 4,
    );

    vehicle.send(autopilotHeartbeat());
    await clock.advance(10);
    expect(events.map(([w]) => w)).toEqual(['lost', 'regained']);
  });
});
