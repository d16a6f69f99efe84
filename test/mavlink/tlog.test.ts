import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  common,
  type MavLinkData,
  MavLinkPacketSignature,
  MavLinkProtocolV1,
  MavLinkProtocolV2,
  minimal,
} from 'node-mavlink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { decodeFrame, FrameEncoder } from '../../src/mavlink/codec.js';
import {
  countTlogPackets,
  MavLinkConnection,
  type ReceivedMessage,
  readTlog,
  type TlogStats,
  TlogTruncatedError,
  TlogWriter,
} from '../../src/mavlink/index.js';
import { autopilotHeartbeat } from '../helpers/heartbeat.js';
import { freeUdpPort } from '../helpers/ports.js';

/** Debian's interpreter: the reference script needs nothing but the standard library. */
const PYTHON = '/usr/bin/python3';
const LAYOUT_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tlog_layout.py');
const RECORDS = 20_000;
const START_US = Date.UTC(2025, 5, 1, 8, 0, 0) * 1000;
/** A message id no dialect defines: its CRC cannot be checked, only its framing. */
const UNDEFINED_MSGID = 60_000;

interface LayoutCounts {
  records: number;
  by_msgid: Record<string, number>;
  first_time_us: number | null;
  last_time_us: number | null;
  bad: number;
  resyncs: number;
  truncated_at_byte: number | null;
}

function layoutCounts(file: string): LayoutCounts {
  return JSON.parse(execFileSync(PYTHON, [LAYOUT_SCRIPT, file], { encoding: 'utf8' })) as LayoutCounts;
}

/** Deterministic PRNG (mulberry32), so garbage and jitter are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sampleMessages(): MavLinkData[] {
  const hb = autopilotHeartbeat();
  const sys = new common.SysStatus();
  sys.voltageBattery = 15_800;
  sys.batteryRemaining = 87;
  const gps = new common.GpsRawInt();
  gps.timeUsec = 1_234_567_890n;
  gps.lat = 347_245_000;
  gps.lon = 1_136_302_000;
  gps.fixType = 3 as common.GpsFixType;
  gps.satellitesVisible = 14;
  const att = new common.Attitude();
  att.timeBootMs = 99_000;
  att.roll = 0.05;
  att.yaw = -1.25;
  const pos = new common.GlobalPositionInt();
  pos.lat = 347_250_000;
  pos.lon = 1_136_310_000;
  pos.alt = 140_000;
  pos.relativeAlt = 30_000;
  const item = new common.MissionItemInt();
  item.seq = 3;
  item.command = 16 as common.MavCmd;
  item.frame = 3 as common.MavFrame;
  item.x = 347_260_000;
  item.y = 1_136_320_000;
  item.z = 30;
  const cmd = new common.CommandLong();
  cmd.command = 400 as common.MavCmd;
  cmd._param1 = 1;
  const ack = new common.CommandAck();
  ack.command = 400 as common.MavCmd;
  const hud = new common.VfrHud();
  hud.groundspeed = 7.5;
  hud.alt = 30;
  return [hb, sys, gps, att, pos, item, cmd, ack, hud];
}

interface Written {
  timeUs: number;
  msgid: number;
  packet: Buffer;
  /** Where the record starts in the file. */
  offset: number;
}

/**
 * Writes a tlog through TlogWriter: MAVLink 2 frames of nine message types, some MAVLink 1
 * frames, some signed MAVLink 2 frames and a few frames of an undefined message id.
 */
function writeSampleTlog(file: string, count: number): Written[] {
  const next = random(7);
  const messages = sampleMessages();
  const encoder = new FrameEncoder(1, 1);
  const v1 = new MavLinkProtocolV1(1, 1);
  const signer = new MavLinkProtocolV2(1, 1, MavLinkProtocolV2.IFLAG_SIGNED);
  const key = MavLinkPacketSignature.key('dustpatrol');
  const writer = new TlogWriter(file);
  const written: Written[] = [];
  let timeUs = START_US;
  let offset = 0;
  try {
    for (let i = 0; i < count; i++) {
      timeUs += 1_000 + Math.floor(next() * 20_000);
      const message = messages[i % messages.length];
      const msgid = (message.constructor as typeof MavLinkData).MSG_ID;
      let packet: Buffer;
      let id = msgid;
      if (i % 97 === 0 && msgid <= 30) packet = v1.serialize(message, i & 0xff);
      else if (i % 89 === 0) packet = signer.sign(signer.serialize(message, i & 0xff), 1, key, timeUs / 1000);
      else if (i % 1000 === 500) {
        id = UNDEFINED_MSGID;
        packet = undefinedMessageFrame(i & 0xff);
      } else packet = encoder.encode(message);
      writer.write(timeUs, packet);
      written.push({ timeUs, msgid: id, packet, offset });
      offset += 8 + packet.length;
    }
  } finally {
    writer.close();
  }
  return written;
}

function undefinedMessageFrame(seq: number): Buffer {
  const payload = Buffer.from([1, 2, 3, 4, 5, 6]);
  const frame = Buffer.alloc(10 + payload.length + 2);
  frame[0] = 0xfd;
  frame[1] = payload.length;
  frame[4] = seq;
  frame[5] = 1;
  frame[6] = 1;
  frame.writeUIntLE(UNDEFINED_MSGID, 7, 3);
  payload.copy(frame, 10);
  return frame;
}

function countBy<T>(values: T[], key: (value: T) => number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[key(v)] = (counts[key(v)] ?? 0) + 1;
  return counts;
}

async function readAll(
  file: string,
  options: Parameters<typeof readTlog>[1] = {},
): Promise<{ messages: ReceivedMessage[]; stats: TlogStats }> {
  const reader = readTlog(file, options);
  const messages: ReceivedMessage[] = [];
  for await (const rx of reader) messages.push(rx);
  return { messages, stats: { ...reader.stats } };
}

let dir: string;
let cleanFile: string;
let written: Written[];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-tlog-'));
  cleanFile = path.join(dir, 'clean.tlog');
  written = writeSampleTlog(cleanFile, RECORDS);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('readTlog on a clean log', () => {
  it('agrees with the layout-only Python reader on every count and time', async () => {
    const reference = layoutCounts(cleanFile);
    const summary = countTlogPackets(cleanFile);
    const expectedByMsgid = countBy(written, (w) => w.msgid);

    expect(reference).toEqual({
      records: RECORDS,
      by_msgid: expectedByMsgid,
      first_time_us: written[0].timeUs,
      last_time_us: written[RECORDS - 1].timeUs,
      bad: 0,
      resyncs: 0,
      truncated_at_byte: null,
    });
    expect(summary.records).toBe(reference.records);
    expect(Object.fromEntries(summary.byMsgid)).toEqual(reference.by_msgid);
    expect(summary.firstTimeUs).toBe(reference.first_time_us);
    expect(summary.lastTimeUs).toBe(reference.last_time_us);
    expect(summary.skippedBytes).toBe(0);

    const { messages, stats } = await readAll(cleanFile);
    const undefinedCount = expectedByMsgid[UNDEFINED_MSGID];
    expect(stats).toEqual({
      records: RECORDS,
      unknownMessages: undefinedCount,
      skippedBytes: 0,
      resyncs: 0,
      truncatedTail: null,
    });
    const decodable = written.filter((w) => w.msgid !== UNDEFINED_MSGID);
    expect(messages.map((m) => [m.timeUs, m.msgid])).toEqual(decodable.map((w) => [w.timeUs, w.msgid]));
    expect(messages.every((m, i) => m.bytes.equals(decodable[i].packet))).toBe(true);
  });

  it('decodes every message exactly as the link codec does, MAVLink 1 and signed frames included', async () => {
    const { messages } = await readAll(cleanFile);
    expect(messages.filter((m) => m.bytes[0] === 0xfe).length).toBeGreaterThan(0);
    expect(messages.filter((m) => m.bytes[0] === 0xfd && (m.bytes[2] & 1) === 1).length).toBeGreaterThan(0);
    for (const rx of messages) expect(rx).toEqual(decodeFrame(rx.bytes, rx.timeUs));
    const position = messages.find((m) => m.msgid === common.GlobalPositionInt.MSG_ID);
    expect(position?.message).toMatchObject({ lat: 347_250_000, lon: 1_136_310_000, relativeAlt: 30_000 });
  });

  it('gives the same result whatever the read size (records straddle chunk boundaries)', async () => {
    const whole = await readAll(cleanFile);
    for (const chunkBytes of [7, 333, 4096]) {
      const { messages, stats } = await readAll(cleanFile, { chunkBytes });
      expect(stats).toEqual(whole.stats);
      expect(messages.length).toBe(whole.messages.length);
      expect(messages.every((m, i) => m.bytes.equals(whole.messages[i].bytes))).toBe(true);
    }
    for (const chunkBytes of [1, 7, 333]) {
      expect(countTlogPackets(cleanFile, chunkBytes)).toEqual(countTlogPackets(cleanFile));
    }
  });
});

describe('readTlog on a damaged log', () => {
  it('loses only the damaged record when garbage is inserted and a payload byte is flipped', async () => {
    const bytes = fs.readFileSync(cleanFile);
    const next = random(11);
    const garbage = Buffer.from(Array.from({ length: 1000 }, () => Math.floor(next() * 256)));
    // A near miss inside the garbage: a plausible timestamp and STX, but no valid frame behind them.
    garbage.writeBigUInt64BE(BigInt(written[5000].timeUs), 400);
    garbage[408] = 0xfd;
    const insertAt = written[5001].offset;
    const flipped = written[12_000];
    const flipAt = flipped.offset + 8 + 12;
    const damaged = Buffer.concat([bytes.subarray(0, insertAt), garbage, bytes.subarray(insertAt)]);
    damaged[flipAt + garbage.length] ^= 0x5a;
    const file = path.join(dir, 'damaged.tlog');
    fs.writeFileSync(file, damaged);

    const lostBytes = garbage.length + 8 + flipped.packet.length;
    const { messages, stats } = await readAll(file, { chunkBytes: 4096 });
    expect(stats).toMatchObject({
      records: RECORDS - 1,
      skippedBytes: lostBytes,
      resyncs: 2,
      truncatedTail: null,
    });
    const expected = written.filter((w) => w !== flipped && w.msgid !== UNDEFINED_MSGID);
    expect(messages.map((m) => m.timeUs)).toEqual(expected.map((w) => w.timeUs));

    const reference = layoutCounts(file);
    expect(reference).toMatchObject({
      records: RECORDS - 1,
      bad: lostBytes,
      resyncs: 2,
      truncated_at_byte: null,
    });
    expect(Object.fromEntries(countTlogPackets(file).byMsgid)).toEqual(reference.by_msgid);
  });

  it.each([3, 8, 13])(
    'reports a last record cut after %i bytes, or throws when asked to',
    async (keptBytes) => {
      const bytes = fs.readFileSync(cleanFile);
      const last = written[RECORDS - 1];
      const file = path.join(dir, `truncated-${keptBytes}.tlog`);
      fs.writeFileSync(file, bytes.subarray(0, last.offset + keptBytes));

      const { messages, stats } = await readAll(file);
      expect(stats.records).toBe(RECORDS - 1);
      expect(stats.truncatedTail).toEqual({ atByte: last.offset, bytes: keptBytes });
      expect(stats.skippedBytes).toBe(0);
      expect(messages.at(-1)?.timeUs).toBe(written[RECORDS - 2].timeUs);
      expect(layoutCounts(file)).toMatchObject({
        records: RECORDS - 1,
        truncated_at_byte: last.offset,
        bad: 0,
      });
      expect(countTlogPackets(file).truncatedTail).toEqual({ atByte: last.offset, bytes: keptBytes });

      const strict = readAll(file, { onTruncatedTail: 'error' });
      await expect(strict).rejects.toThrow(TlogTruncatedError);
      await expect(strict).rejects.toThrow(`tlog truncated at byte ${last.offset}`);
    },
  );
});

describe('readTlog on files that are not tlogs', () => {
  it.each([
    ['missing', null, 'no such tlog'],
    ['empty', Buffer.alloc(0), 'tlog is empty'],
    [
      'text',
      Buffer.from('QGC WPL 110\n0\t1\t0\t16\t0\t0\t0\t0\t34.72\t113.63\t100\t1\n'),
      'no MAVLink records found',
    ],
  ])('refuses a %s file with one clear UserError', async (name, content, why) => {
    const file = path.join(dir, `${name}.tlog`);
    if (content) fs.writeFileSync(file, content);
    const read = readAll(file);
    await expect(read).rejects.toThrow(UserError);
    await expect(read).rejects.toThrow(`${file}: ${why}`);
    expect(() => countTlogPackets(file)).toThrow(`${file}: ${why}`);
  });

  it('refuses a directory', async () => {
    await expect(readAll(dir)).rejects.toThrow(`${dir}: not a file`);
  });
});

describe('a tlog recorded by a live link', () => {
  it('reads back every packet the link wrote, in and out', async () => {
    const port = await freeUdpPort();
    const vehicleLog = path.join(dir, 'vehicle.tlog');
    const gcsLog = path.join(dir, 'gcs.tlog');
    const vehicleWriter = new TlogWriter(vehicleLog);
    const gcsWriter = new TlogWriter(gcsLog);
    const vehicle = await MavLinkConnection.open(`udpin://127.0.0.1:${port}`, {
      systemId: 1,
      componentId: 1,
      gcsHeartbeat: false,
      tlog: vehicleWriter,
    });
    const gcs = await MavLinkConnection.open(`udpout://127.0.0.1:${port}`, { tlog: gcsWriter });
    const sent = 300;
    // Batches small enough for the kernel's UDP receive buffer; each waits for its last packet.
    const batch = 10;
    try {
      await vehicle.waitFor(minimal.Heartbeat, () => true, { timeoutMs: 3000 });
      for (let first = 0; first < sent; first += batch) {
        const last = first + batch - 1;
        const arrived = vehicle.waitFor(common.CommandAck, (ack) => ack.resultParam2 === last, {
          timeoutMs: 3000,
        });
        for (let i = first; i <= last; i++) {
          const ack = new common.CommandAck();
          ack.command = 400 as common.MavCmd;
          ack.resultParam2 = i;
          gcs.send(ack);
        }
        await arrived;
      }
    } finally {
      await gcs.close();
      await vehicle.close();
      vehicleWriter.close();
      gcsWriter.close();
    }

    for (const [file, writer] of [
      [vehicleLog, vehicleWriter],
      [gcsLog, gcsWriter],
    ] as const) {
      const { messages, stats } = await readAll(file);
      expect(stats).toMatchObject({ records: writer.packets, skippedBytes: 0, truncatedTail: null });
      expect(messages.filter((m) => m.msgid === common.CommandAck.MSG_ID)).toHaveLength(sent);
      expect(layoutCounts(file).records).toBe(writer.packets);
    }
  });
});
