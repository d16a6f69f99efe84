import dgram from 'node:dgram';
import { minimal } from 'node-mavlink';
import { afterEach, describe, expect, it } from 'vitest';
import { MavLinkConnection } from '../../src/mavlink/index.js';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { freeUdpPort } from '../helpers/ports.js';
import { HOME } from '../helpers/sim-gcs.js';

/**
 * The hostile tester's flood (issue 13): 12-byte datagrams claiming a 255-byte payload of an unknown
 * message (id 0xFFFFFF), sent to a listening ground station beside the real vehicle.
 */
function floodDatagram(seq: number): Buffer {
  // seq stays below 0xFD so that only byte 0 looks like a start byte.
  return Buffer.from([0xfd, 255, 0, 0, seq % 200, 7, 7, 0xff, 0xff, 0xff, 0x11, 0x22]);
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A socket that floods `port` at `perSecond` and counts what anyone sends back to it. */
async function startFlooder(port: number, perSecond: number) {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const flooder = { sent: 0, answered: 0, stop: () => clearInterval(timer) };
  socket.on('message', () => flooder.answered++);
  // Timers fire at most every ~1 ms; send as many per tick as the rate asks.
  const tickMs = Math.max(1, Math.floor(1000 / perSecond));
  const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i++) socket.send(floodDatagram(flooder.sent++), port, '127.0.0.1');
  }, tickMs);
  cleanups.push(() => {
    clearInterval(timer);
    return new Promise<void>((resolve) => socket.close(() => resolve()));
  });
  return flooder;
}

describe('a udpin ground station flooded beside a live vehicle', () => {
  it.each([17, 200])(
    'hears every vehicle packet and answers only the vehicle at %i flood datagrams/s',
    async (perSecond) => {
      const port = await freeUdpPort();
      const gcs = await MavLinkConnection.open(`udpin://127.0.0.1:${port}`);
      cleanups.push(() => gcs.close());
      const heartbeatsSeen: number[] = [];
      gcs.onMessage((rx) => {
        if (rx.message instanceof minimal.Heartbeat && rx.sysid === 1) heartbeatsSeen.push(rx.seq);
      });

      // The flood starts before the vehicle, so its first heartbeat must get through it too.
      const flooder = await startFlooder(port, perSecond);
      await sleep(300);
      const sim: Simulator = await startSimulator({ connect: `udpout://127.0.0.1:${port}`, home: HOME });
      cleanups.push(() => sim.close());
      await gcs.waitForVehicle(5000);
      // The vehicle's 1 Hz heartbeats and answers to our GCS heartbeats, through 3 s of flood.
      await sleep(3000);
      flooder.stop();

      // Every packet the vehicle sent arrived (loopback UDP loses nothing at these rates).
      await expect.poll(() => gcs.stats.packetsIn, { timeout: 5000 }).toBe(sim.link.stats.packetsOut);
      expect(heartbeatsSeen.length).toBeGreaterThanOrEqual(3);
      expect(gcs.stats.dropped).toBe(0);
      // The vehicle heard our heartbeats; the flooder heard nothing.
      expect(sim.link.stats.packetsIn).toBeGreaterThanOrEqual(2);
      expect(flooder.answered).toBe(0);
      // Every flood datagram is counted: framed and dropped before the vehicle spoke, ignored after.
      await expect
        .poll(() => gcs.stats.badFrames + gcs.stats.ignoredDatagrams, { timeout: 5000 })
        .toBe(flooder.sent);
      expect(gcs.stats.badFrames).toBeGreaterThan(0);
      expect(gcs.stats.ignoredDatagrams).toBeGreaterThan(0);
    },
    20_000,
  );
});
