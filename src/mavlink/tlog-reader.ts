import fs from 'node:fs';
import { MavLinkProtocolV2, MSG_ID_MAGIC_NUMBER } from 'node-mavlink';
import { UserError } from '../errors.js';
import { MESSAGE_REGISTRY, type ReceivedMessage } from './codec.js';

/**
 * Telemetry log reading with its own framing. A record is an 8-byte big-endian timestamp
 * (microseconds since the Unix epoch) followed by one raw MAVLink 1 or 2 packet; nothing marks
 * where a record starts, so every record is checked: a plausible timestamp, the start byte, the
 * length, and the X.25 CRC seeded with the message's CRC_EXTRA. When a record fails, the reader
 * scans forward one byte at a time for the next position where a timestamp within a day of the
 * last good one is followed by a valid frame, and counts the bytes it skipped.
 */

export interface TlogTruncation {
  /** File offset where the incomplete final record starts. */
  atByte: number;
  /** How many bytes of it the file holds. */
  bytes: number;
}

export interface TlogStats {
  /** Well-framed records, decoded or not. */
  records: number;
  /** Records whose message id no dialect we load can decode (framed, but not yielded). */
  unknownMessages: number;
  /** Bytes that belonged to no valid record (garbage, or records that failed their checks). */
  skippedBytes: number;
  /** How many times the reader lost the record boundary and found it again. */
  resyncs: number;
  /** The final record was cut short (a log whose writer died mid-record). */
  truncatedTail: TlogTruncation | null;
}

/** What countTlogPackets finds: the stats plus per-message counts and the time span. */
export interface TlogSummary extends TlogStats {
  /** Records per message id. */
  byMsgid: Map<number, number>;
  firstTimeUs: number | null;
  lastTimeUs: number | null;
}

export interface ReadTlogOptions {
  /**
   * What a cut final record does: 'report' (the default) records it in `stats.truncatedTail`;
   * 'error' throws a TlogTruncatedError once every complete record has been yielded.
   */
  onTruncatedTail?: 'report' | 'error';
  /** Read size (default 1 MiB). */
  chunkBytes?: number;
}

/** The final record of a tlog is incomplete. */
export class TlogTruncatedError extends UserError {
  constructor(
    readonly path: string,
    readonly truncation: TlogTruncation,
  ) {
    super(
      `${path}: tlog truncated at byte ${truncation.atByte} (its last record has only ${truncation.bytes} bytes)`,
    );
    this.name = 'TlogTruncatedError';
  }
}

const TIMESTAMP_BYTES = 8;
const V1_STX = 0xfe;
const V2_STX = 0xfd;
const V1_HEADER_BYTES = 6;
const V2_HEADER_BYTES = 10;
const CRC_BYTES = 2;
const SIGNATURE_BYTES = 13;
const IFLAG_SIGNED = 0x01;
const MAX_PAYLOAD_BYTES = 255;
/** The longest record (signed MAVLink 2, 255-byte payload) plus the next record's timestamp and STX. */
const MAX_LOOKAHEAD_BYTES =
  TIMESTAMP_BYTES + V2_HEADER_BYTES + MAX_PAYLOAD_BYTES + CRC_BYTES + SIGNATURE_BYTES + 9;
const DEFAULT_CHUNK_BYTES = 1 << 20;
const SANE_FIRST_US = Date.UTC(2000, 0, 1) * 1000;
const SANE_LAST_US = Date.UTC(2100, 0, 1) * 1000;
const RESYNC_WINDOW_US = 86_400 * 1e6;
const TWO_POW_32 = 2 ** 32;

/** checkRecord's answers besides a record length. */
const INVALID = -1;
/** Every byte present fits a record, but it runs past the end of what has been read. */
const INCOMPLETE = 0;
/** nextRecordFits: a record plausibly starts there. */
const FITS = 1;

const CRC_EXTRA: Record<string, number> = MSG_ID_MAGIC_NUMBER;

/** X.25 CRC (CRC-16/MCRF4XX) of buf[start, end) followed by the CRC_EXTRA byte, as MAVLink computes it. */
function frameCrc(buf: Buffer, start: number, end: number, crcExtra: number): number {
  let crc = 0xffff;
  for (let i = start; i <= end; i++) {
    let tmp = (i === end ? crcExtra : buf[i]) ^ (crc & 0xff);
    tmp = (tmp ^ (tmp << 4)) & 0xff;
    crc = ((crc >> 8) ^ (tmp << 8) ^ (tmp << 3) ^ (tmp >> 4)) & 0xffff;
  }
  return crc;
}

function readTimeUs(buf: Buffer, at: number): number {
  return buf.readUInt32BE(at) * TWO_POW_32 + buf.readUInt32BE(at + 4);
}

/**
 * Whether the first `end - at` (< 8) bytes of a big-endian timestamp can still fall in [lowUs, highUs].
 */
function timestampPrefixFits(buf: Buffer, at: number, end: number, lowUs: number, highUs: number): boolean {
  let prefix = 0;
  for (let i = at; i < end; i++) prefix = prefix * 256 + buf[i];
  const scale = 256 ** (TIMESTAMP_BYTES - (end - at));
  return prefix * scale <= highUs && (prefix + 1) * scale - 1 >= lowUs;
}

/** A record's frame as the framer hands it on. */
interface TlogRecord {
  buf: Buffer;
  frameStart: number;
  frameBytes: number;
  timeUs: number;
  msgid: number;
}

/**
 * Incremental framer: feed it the file's bytes in order, then call finish(). It copies the few
 * bytes a record straddling two chunks needs, never whole chunks.
 */
class TlogFramer {
  private lastTimeUs: number | null = null;
  /** File offset where the current run of skipped bytes began; null while in step. */
  private skippingFrom: number | null = null;
  private pending: Buffer | null = null;
  private pendingOffset = 0;
  private consumed = 0;
  // Outputs of checkRecord for the record it accepted.
  private recordTimeUs = 0;
  private recordMsgid = 0;

  constructor(
    private readonly stats: TlogStats,
    private readonly onRecord: (record: TlogRecord) => void,
  ) {}

  feed(chunk: Buffer): void {
    let start = 0;
    if (this.pending) {
      const pending = this.pending;
      const bridge = Buffer.concat([pending, chunk.subarray(0, Math.min(chunk.length, MAX_LOOKAHEAD_BYTES))]);
      const stop = this.scan(bridge, this.pendingOffset, 0, pending.length, false);
      if (stop < pending.length) {
        this.keep(bridge, this.pendingOffset, stop, bridge.length);
        this.consumed += chunk.length;
        return;
      }
      this.pending = null;
      start = stop - pending.length;
    }
    const chunkOffset = this.consumed;
    this.consumed += chunk.length;
    const stop = this.scan(chunk, chunkOffset, start, chunk.length, false);
    if (stop < chunk.length) this.keep(chunk, chunkOffset, stop, chunk.length);
  }

  /** The file has ended: decide what the last unread bytes were. */
  finish(): void {
    if (this.pending) {
      const pending = this.pending;
      this.pending = null;
      this.scan(pending, this.pendingOffset, 0, pending.length, true);
    }
    // Garbage up to the end of the file: skipped, but no record was found again.
    if (this.skippingFrom !== null) this.endSkip(this.consumed, false);
  }

  private keep(buf: Buffer, bufOffset: number, from: number, end: number): void {
    // A copy, so the caller may reuse its read buffer.
    this.pending = Buffer.from(buf.subarray(from, end));
    this.pendingOffset = bufOffset + from;
  }

  private endSkip(atOffset: number, foundRecord: boolean): void {
    this.stats.skippedBytes += atOffset - (this.skippingFrom as number);
    if (foundRecord) this.stats.resyncs++;
    this.skippingFrom = null;
  }

  /**
   * Frames records starting at positions in [pos, limit); reads up to buf.length. Returns where it
   * stopped: >= limit when done, or the start of a record it cannot judge without more bytes.
   */
  private scan(buf: Buffer, bufOffset: number, pos: number, limit: number, final: boolean): number {
    let p = pos;
    while (p < limit) {
      const skipping = this.skippingFrom !== null;
      const last = this.lastTimeUs;
      const lowUs = skipping && last !== null ? last - RESYNC_WINDOW_US : SANE_FIRST_US;
      const highUs = skipping && last !== null ? last + RESYNC_WINDOW_US : SANE_LAST_US;
      const length = this.checkRecord(buf, p, lowUs, highUs, final);
      if (length === INCOMPLETE) {
        if (!final) return p;
        // The file ends inside what looks like a record.
        if (this.skippingFrom !== null) this.endSkip(bufOffset + p, true);
        this.stats.truncatedTail = { atByte: bufOffset + p, bytes: buf.length - p };
        return buf.length;
      }
      if (length === INVALID) {
        if (this.skippingFrom === null) this.skippingFrom = bufOffset + p;
        p++;
        continue;
      }
      if (this.skippingFrom !== null) this.endSkip(bufOffset + p, true);
      this.lastTimeUs = this.recordTimeUs;
      this.stats.records++;
      this.onRecord({
        buf,
        frameStart: p + TIMESTAMP_BYTES,
        frameBytes: length - TIMESTAMP_BYTES,
        timeUs: this.recordTimeUs,
        msgid: this.recordMsgid,
      });
      p += length;
    }
    return p;
  }

  /** The record at p: its length in bytes, INVALID, or INCOMPLETE. */
  private checkRecord(buf: Buffer, p: number, lowUs: number, highUs: number, final: boolean): number {
    const end = buf.length;
    const f = p + TIMESTAMP_BYTES;
    if (end < f) return timestampPrefixFits(buf, p, end, lowUs, highUs) ? INCOMPLETE : INVALID;
    const timeUs = readTimeUs(buf, p);
    if (timeUs < lowUs || timeUs > highUs) return INVALID;
    if (end === f) return INCOMPLETE;
    const stx = buf[f];
    let headerBytes: number;
    if (stx === V2_STX) headerBytes = V2_HEADER_BYTES;
    else if (stx === V1_STX) headerBytes = V1_HEADER_BYTES;
    else return INVALID;
    if (stx === V2_STX && end >= f + 3 && (buf[f + 2] & ~IFLAG_SIGNED) !== 0) return INVALID;
    if (end < f + headerBytes) return INCOMPLETE;
    const payloadBytes = buf[f + 1];
    const signed = stx === V2_STX && (buf[f + 2] & IFLAG_SIGNED) !== 0;
    const frameBytes = headerBytes + payloadBytes + CRC_BYTES + (signed ? SIGNATURE_BYTES : 0);
    if (end < f + frameBytes) return INCOMPLETE;
    const msgid = stx === V2_STX ? buf[f + 7] | (buf[f + 8] << 8) | (buf[f + 9] << 16) : buf[f + 5];
    const crcAt = f + headerBytes + payloadBytes;
    const crcExtra = CRC_EXTRA[msgid];
    if (crcExtra !== undefined) {
      if (frameCrc(buf, f + 1, crcAt, crcExtra) !== buf.readUInt16LE(crcAt)) return INVALID;
    } else {
      // No CRC_EXTRA to check against: trust the length only if the next record starts right after.
      const next = nextRecordFits(buf, f + frameBytes, timeUs, final);
      if (next !== FITS) return next;
    }
    this.recordTimeUs = timeUs;
    this.recordMsgid = msgid;
    return TIMESTAMP_BYTES + frameBytes;
  }
}

/** Whether a record plausibly starts at q: a timestamp within a day of timeUs, then an STX. */
function nextRecordFits(buf: Buffer, q: number, timeUs: number, final: boolean): number {
  const end = buf.length;
  if (end === q) return final ? FITS : INCOMPLETE;
  const lowUs = timeUs - RESYNC_WINDOW_US;
  const highUs = timeUs + RESYNC_WINDOW_US;
  if (end <= q + TIMESTAMP_BYTES) {
    if (!timestampPrefixFits(buf, q, end, lowUs, highUs)) return INVALID;
    return final ? FITS : INCOMPLETE;
  }
  const stx = buf[q + TIMESTAMP_BYTES];
  return timestampFits(buf, q, lowUs, highUs) && (stx === V1_STX || stx === V2_STX) ? FITS : INVALID;
}

function timestampFits(buf: Buffer, at: number, lowUs: number, highUs: number): boolean {
  const t = readTimeUs(buf, at);
  return t >= lowUs && t <= highUs;
}

async function checkTlogFile(path: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(path);
  } catch (err) {
    throw fileError(path, err);
  }
  checkStat(path, stat);
}

function checkStat(path: string, stat: fs.Stats): void {
  if (!stat.isFile()) throw new UserError(`${path}: not a file`);
  if (stat.size === 0) throw new UserError(`${path}: tlog is empty`);
}

function fileError(path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserError(`${path}: no such tlog`);
  if (code === 'EACCES') return new UserError(`${path}: permission denied`);
  return err as Error;
}

function checkFoundRecords(path: string, stats: TlogStats): void {
  if (stats.records === 0) {
    throw new UserError(`${path}: no MAVLink records found (is it a telemetry log?)`);
  }
}

/**
 * Decodes a CRC-checked frame into the same ReceivedMessage codec.decodeFrame gives, without its
 * per-frame allocations: one protocol instance and one zero-padded payload buffer, reused (the
 * field deserializers copy values out of it).
 */
class FrameDecoder {
  private readonly protocol = new MavLinkProtocolV2();
  private readonly payload = Buffer.alloc(MAX_PAYLOAD_BYTES);

  decode(frame: Buffer, timeUs: number): ReceivedMessage | null {
    const v2 = frame[0] === V2_STX;
    const msgid = v2 ? frame[7] | (frame[8] << 8) | (frame[9] << 16) : frame[5];
    const clazz = MESSAGE_REGISTRY[msgid];
    if (!clazz) return null;
    const headerBytes = v2 ? V2_HEADER_BYTES : V1_HEADER_BYTES;
    const payloadBytes = frame[1];
    frame.copy(this.payload, 0, headerBytes, headerBytes + payloadBytes);
    this.payload.fill(0, payloadBytes);
    return {
      message: this.protocol.data(this.payload, clazz),
      msgid,
      sysid: v2 ? frame[5] : frame[3],
      compid: v2 ? frame[6] : frame[4],
      seq: v2 ? frame[4] : frame[2],
      timeUs,
      bytes: frame,
    };
  }
}

function emptyStats(): TlogStats {
  return { records: 0, unknownMessages: 0, skippedBytes: 0, resyncs: 0, truncatedTail: null };
}

/**
 * Streams a telemetry log's messages in file order, each with its record's timestamp as timeUs.
 * `stats` fills in as it goes and is complete when the iteration ends.
 */
export class TlogReader implements AsyncIterable<ReceivedMessage> {
  readonly stats: TlogStats = emptyStats();

  constructor(
    readonly path: string,
    private readonly options: ReadTlogOptions = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<ReceivedMessage> {
    Object.assign(this.stats, emptyStats());
    await checkTlogFile(this.path);
    let batch: ReceivedMessage[] = [];
    const decoder = new FrameDecoder();
    const framer = new TlogFramer(this.stats, (record) => {
      const bytes = Buffer.from(
        record.buf.subarray(record.frameStart, record.frameStart + record.frameBytes),
      );
      const rx = decoder.decode(bytes, record.timeUs);
      if (rx) batch.push(rx);
      else this.stats.unknownMessages++;
    });
    const stream = fs.createReadStream(this.path, {
      highWaterMark: this.options.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    });
    try {
      for await (const chunk of stream) {
        framer.feed(chunk as Buffer);
        const ready = batch;
        batch = [];
        for (const rx of ready) yield rx;
      }
    } catch (err) {
      throw fileError(this.path, err);
    } finally {
      stream.destroy();
    }
    framer.finish();
    for (const rx of batch) yield rx;
    checkFoundRecords(this.path, this.stats);
    const truncation = this.stats.truncatedTail;
    if (truncation && this.options.onTruncatedTail === 'error') {
      throw new TlogTruncatedError(this.path, truncation);
    }
  }
}

/** Streams the messages of a telemetry log of any size; see TlogReader. */
export function readTlog(path: string, options: ReadTlogOptions = {}): TlogReader {
  return new TlogReader(path, options);
}

/**
 * Frames and CRC-checks a whole tlog without decoding payloads, synchronously: counts per message
 * id and the time span. Throws UserError for a missing, empty or record-less file.
 */
export function countTlogPackets(path: string, chunkBytes = DEFAULT_CHUNK_BYTES): TlogSummary {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    throw fileError(path, err);
  }
  const stats = emptyStats();
  const byMsgid = new Map<number, number>();
  let firstTimeUs: number | null = null;
  let lastTimeUs: number | null = null;
  const framer = new TlogFramer(stats, ({ msgid, timeUs }) => {
    byMsgid.set(msgid, (byMsgid.get(msgid) ?? 0) + 1);
    firstTimeUs ??= timeUs;
    lastTimeUs = timeUs;
    if (MESSAGE_REGISTRY[msgid] === undefined) stats.unknownMessages++;
  });
  try {
    checkStat(path, fs.fstatSync(fd));
    const chunk = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunkBytes, null);
      if (n === 0) break;
      framer.feed(chunk.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  framer.finish();
  checkFoundRecords(path, stats);
  return { ...stats, byMsgid, firstTimeUs, lastTimeUs };
}
