/**
 * Tlog read rate: readTlog (own framing + decode) and countTlogPackets (framing + CRC only) against
 * node-mavlink's MavLinkPacketSplitter + MavLinkPacketParser + data() on the same 200,000-packet
 * tlog, measured in the same run. Run alone: `npx tsx scripts/bench/tlog-rate.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import {
  common,
  type MavLinkData,
  type MavLinkPacket,
  MavLinkPacketParser,
  MavLinkPacketSplitter,
  minimal,
} from 'node-mavlink';
import { FrameEncoder, MESSAGE_REGISTRY } from '../../src/mavlink/codec.js';
import { countTlogPackets, readTlog, TlogWriter } from '../../src/mavlink/index.js';
import { type BenchRow, formatBenchTable } from './table.js';

const PACKETS = 200_000;
const ROUNDS = 3;
const START_US = Date.UTC(2025, 5, 1, 8, 0, 0) * 1000;

/** A table row (ratio against the node-mavlink baseline) with the counts behind it. */
export interface TlogBenchRow extends BenchRow {
  /** Packets the reader delivered, of `expected` written. */
  messages: number;
  expected: number;
  messagesPerS: number;
}

function sampleMessages(): MavLinkData[] {
  const hb = new minimal.Heartbeat();
  hb.type = 2 as minimal.MavType;
  hb.autopilot = 3 as minimal.MavAutopilot;
  hb.mavlinkVersion = 3;
  const att = new common.Attitude();
  att.timeBootMs = 123_456;
  att.roll = 0.05;
  att.pitch = -0.02;
  att.yaw = 1.3;
  const pos = new common.GlobalPositionInt();
  pos.lat = 347_245_000;
  pos.lon = 1_136_302_000;
  pos.alt = 140_000;
  pos.relativeAlt = 30_000;
  const gps = new common.GpsRawInt();
  gps.timeUsec = 123_456_000_000n;
  gps.lat = 347_245_000;
  gps.lon = 1_136_302_000;
  gps.fixType = 3 as common.GpsFixType;
  gps.satellitesVisible = 14;
  const sys = new common.SysStatus();
  sys.voltageBattery = 15_800;
  sys.batteryRemaining = 87;
  return [hb, att, pos, gps, att, pos, sys];
}

/** Writes `count` packets through TlogWriter, 10 ms apart. */
function writeBenchTlog(file: string, count: number): void {
  const encoder = new FrameEncoder(1, 1);
  const messages = sampleMessages();
  const writer = new TlogWriter(file);
  try {
    for (let i = 0; i < count; i++)
      writer.write(START_US + i * 10_000, encoder.encode(messages[i % messages.length]));
  } finally {
    writer.close();
  }
}

async function nodeMavlinkBaseline(file: string): Promise<number> {
  let count = 0;
  const splitter = new MavLinkPacketSplitter();
  const parser = new MavLinkPacketParser();
  parser.on('data', (packet: MavLinkPacket) => {
    const clazz = MESSAGE_REGISTRY[packet.header.msgid];
    if (!clazz) return;
    packet.protocol.data(packet.payload, clazz);
    count++;
  });
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), splitter, parser);
  return count;
}

async function readTlogCount(file: string): Promise<number> {
  let count = 0;
  for await (const _rx of readTlog(file)) count++;
  return count;
}

async function timed(run: () => Promise<number>): Promise<{ messages: number; ms: number }> {
  const start = performance.now();
  const messages = await run();
  return { messages, ms: performance.now() - start };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function benchTlogRate(): Promise<TlogBenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-tlog-bench-'));
  const file = path.join(dir, 'bench.tlog');
  try {
    writeBenchTlog(file, PACKETS);
    const readers: [string, () => Promise<number>][] = [
      ['node-mavlink splitter+parser+data (baseline)', () => nodeMavlinkBaseline(file)],
      ['readTlog (frame, CRC, decode)', () => readTlogCount(file)],
      ['countTlogPackets (frame, CRC)', async () => countTlogPackets(file).records],
    ];
    const runsMs = readers.map((): number[] => []);
    const messages = readers.map(() => 0);
    // Interleaved rounds, so drift in machine load hits every reader alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, [, run]] of readers.entries()) {
        const result = await timed(run);
        runsMs[i].push(result.ms);
        messages[i] = result.messages;
      }
    }
    const medians = runsMs.map(median);
    return readers.map(([reader], i) => {
      const messagesPerS = messages[i] / (medians[i] / 1000);
      const lost = PACKETS - messages[i];
      return {
        benchmark: 'tlog read',
        input: `${PACKETS.toLocaleString('en-US')} packets`,
        condition: reader,
        medianMs: medians[i],
        ratio: medians[i] / medians[0],
        note:
          `${i === 0 ? 'baseline; ' : ''}${Math.round(messagesPerS).toLocaleString('en-US')} msgs/s; ` +
          (lost === 0 ? `read all ${PACKETS}` : `read ${messages[i]}/${PACKETS}, ${lost} LOST`),
        messages: messages[i],
        expected: PACKETS,
        messagesPerS,
      };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchTlogRate();
  process.stdout.write(`tlog read rate, median of ${ROUNDS} rounds\n`);
  process.stdout.write(`${formatBenchTable(rows)}\n`);
}
