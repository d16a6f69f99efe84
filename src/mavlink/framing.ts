import { MESSAGE_REGISTRY } from './codec.js';
import { crc16, crcAccumulate } from './crc.js';

/**
 * Receive-side MAVLink framing (serialization spec: https://mavlink.io/en/guide/serialization.html).
 *
 * A candidate frame is trusted only once its checksum holds: until then its length byte is a claim,
 * and a candidate that fails costs one byte, its start byte; the search resumes at the next byte.
 * node-mavlink's MavLinkPacketSplitter instead skips an unknown message's claimed length unchecked,
 * so 12 bytes claiming a 255-byte payload swallowed the vehicle's next packets.
 */

const STX_V1 = 0xfe;
const STX_V2 = 0xfd;
const HEADER_V1_BYTES = 6;
const HEADER_V2_BYTES = 10;
const CHECKSUM_BYTES = 2;
const SIGNATURE_BYTES = 13;
const IFLAG_SIGNED = 0x01;

/** What the framing dropped, for the link's counters. */
export interface FramingCounts {
  /** Candidate frames dropped: checksum failed, ran past a datagram's end, or unknown incompat flags. */
  badFrames: number;
  /** Candidates whose checksum fits some CRC_EXTRA but whose message id no dialect we load knows. */
  unknownFrames: number;
  /** Bytes that belonged to no delivered frame: noise, and the start byte of each dropped candidate. */
  junkBytes: number;
}

type Candidate =
  | { kind: 'frame'; bytes: number }
  /** Its checksum fits some CRC_EXTRA, but no dialect we load knows its id. */
  | { kind: 'unknown' }
  | { kind: 'bad' }
  /** Fewer bytes than the candidate claims; a stream may bring the rest. */
  | { kind: 'short' };

/**
 * Splits received bytes into CRC-checked frames of known messages and hands each to `onFrame`
 * (a copy, safe to keep). One splitter per byte source.
 */
export class FrameSplitter {
  readonly counts: FramingCounts = { badFrames: 0, unknownFrames: 0, junkBytes: 0 };
  /** A stream's bytes not yet framed: the start of a frame whose end has not arrived. */
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (frame: Buffer) => void) {}

  /** A chunk of a byte stream (TCP, serial): a frame may begin in one chunk and end in a later one. */
  pushStream(chunk: Buffer): void {
    const bytes = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const used = this.scan(bytes, false);
    this.pending = Buffer.from(bytes.subarray(used));
  }

  /** One whole datagram (UDP): it holds whole frames and never continues the previous one. */
  pushDatagram(datagram: Buffer): void {
    this.scan(datagram, true);
  }

  /** Frames what it can; returns the offset of the first byte it could not decide on yet. */
  private scan(bytes: Buffer, whole: boolean): number {
    let at = 0;
    while (at < bytes.length) {
      const start = nextStartByte(bytes, at);
      this.counts.junkBytes += start - at;
      if (start === bytes.length) return start;
      const candidate = examine(bytes, start);
      if (candidate.kind === 'short' && !whole) return start;
      if (candidate.kind === 'frame') {
        this.onFrame(Buffer.from(bytes.subarray(start, start + candidate.bytes)));
        at = start + candidate.bytes;
        continue;
      }
      // Bad, unknown (whose length no CRC_EXTRA confirms) or cut off by its datagram's end: only its
      // start byte is spent, and the search goes on inside the bytes it claimed.
      if (candidate.kind === 'unknown') this.counts.unknownFrames++;
      else this.counts.badFrames++;
      this.counts.junkBytes++;
      at = start + 1;
    }
    return at;
  }
}

function nextStartByte(bytes: Buffer, from: number): number {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] === STX_V2 || bytes[i] === STX_V1) return i;
  }
  return bytes.length;
}

function examine(bytes: Buffer, start: number): Candidate {
  const v2 = bytes[start] === STX_V2;
  const headerBytes = v2 ? HEADER_V2_BYTES : HEADER_V1_BYTES;
  const available = bytes.length - start;
  if (available < headerBytes) return { kind: 'short' };
  const payloadBytes = bytes[start + 1];
  let signatureBytes = 0;
  if (v2) {
    const incompatFlags = bytes[start + 2];
    // The spec: drop a packet with an incompatibility flag we do not understand.
    if ((incompatFlags & ~IFLAG_SIGNED) !== 0) return { kind: 'bad' };
    if (incompatFlags & IFLAG_SIGNED) signatureBytes = SIGNATURE_BYTES;
  }
  const checksumAt = start + headerBytes + payloadBytes;
  const frameBytes = headerBytes + payloadBytes + CHECKSUM_BYTES + signatureBytes;
  if (available < frameBytes) return { kind: 'short' };

  const msgid = v2 ? bytes.readUIntLE(start + 7, 3) : bytes[start + 5];
  // CRC-16/MCRF4XX over everything after the start byte up to the checksum, then CRC_EXTRA.
  const crc = crc16(bytes, start + 1, checksumAt);
  const received = bytes.readUInt16LE(checksumAt);
  const crcExtra = MESSAGE_REGISTRY[msgid]?.MAGIC_NUMBER;
  if (crcExtra !== undefined) {
    return crcAccumulate(crcExtra, crc) === received ? { kind: 'frame', bytes: frameBytes } : { kind: 'bad' };
  }
  // Unknown id: no CRC_EXTRA to check against. It counts as an unknown message when some CRC_EXTRA
  // makes the checksum hold (random bytes do 1 time in 256), as a bad frame otherwise.
  for (let extra = 0; extra < 256; extra++) {
    if (crcAccumulate(extra, crc) === received) return { kind: 'unknown' };
  }
  return { kind: 'bad' };
}

/** HEARTBEAT's sender kind, read straight from a checked frame's payload (MAVLink 2 trims zeros). */
export function heartbeatSender(frame: Buffer): { type: number; autopilot: number } | null {
  const v2 = frame[0] === STX_V2;
  const msgid = v2 ? frame.readUIntLE(7, 3) : frame[5];
  if (msgid !== 0) return null;
  const payloadAt = v2 ? HEADER_V2_BYTES : HEADER_V1_BYTES;
  const payloadBytes = frame[1];
  const field = (offset: number) => (offset < payloadBytes ? frame[payloadAt + offset] : 0);
  // HEARTBEAT payload: custom_mode uint32, then type, autopilot (wire order by size).
  return { type: field(4), autopilot: field(5) };
}

/** Who sent a checked frame and which message it holds, read from its header. */
export function frameSender(frame: Buffer): { sysid: number; compid: number; msgid: number } {
  return frame[0] === STX_V2
    ? { sysid: frame[5], compid: frame[6], msgid: frame.readUIntLE(7, 3) }
    : { sysid: frame[3], compid: frame[4], msgid: frame[5] };
}
