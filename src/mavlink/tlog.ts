import fs from 'node:fs';
import { MESSAGE_REGISTRY } from './codec.js';
import { crc16, crcAccumulate } from './crc.js';
import { frameSender } from './framing.js';
import { IFLAG_SIGNED, isSignedFrame, SIGNATURE_BLOCK_BYTES } from './signing.js';

/** SETUP_SIGNING carries the secret key. */
const SETUP_SIGNING_MSG_ID = 256;

/**
 * Telemetry log writer in the layout pymavlink, MAVExplorer and Mission Planner use:
 * each record is an 8-byte big-endian timestamp (microseconds since the Unix epoch)
 * followed by the raw MAVLink packet.
 */
export interface TlogWriterOptions {
  /**
   * The log could not be written (a full disk, an I/O error: `failing` true, with the error) or is
   * written again (`failing` false). Given it, a failed write drops that packet, the log stays whole and
   * writing goes on when it can; without it, a failed write throws.
   */
  onTrouble?: (failing: boolean, err?: NodeJS.ErrnoException) => void;
}

export class TlogWriter {
  private readonly fd: number;
  private closed = false;
  /** Bytes written whole: a record cut short by a full disk is taken back to here. */
  private size: number;
  private failing = false;
  packets = 0;
  /** Packets not recorded because the log could not be written. */
  lostPackets = 0;

  constructor(
    readonly path: string,
    private readonly options: TlogWriterOptions = {},
  ) {
    this.fd = fs.openSync(path, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  /**
   * Records a packet a link sent or received, as the signing spec asks: never SETUP_SIGNING (it holds
   * the key), and a signed packet without its signature, so that a log shared for analysis gives
   * nobody signatures to attack.
   */
  record(timeUs: number, frame: Buffer): void {
    const packet = loggedFrame(frame);
    if (packet) this.write(timeUs, packet);
  }

  /** Appends a packet as it is. */
  write(timeUs: number, packet: Buffer): void {
    if (this.closed) return;
    const record = Buffer.allocUnsafe(8 + packet.length);
    record.writeBigUInt64BE(BigInt(Math.round(timeUs)), 0);
    packet.copy(record, 8);
    // Synchronous append: a crash loses at most the packet being written, never earlier ones.
    try {
      const written = fs.writeSync(this.fd, record);
      if (written < record.length) {
        throw Object.assign(new Error(`${this.path}: wrote ${written} of ${record.length} bytes`), {
          code: 'ENOSPC',
        });
      }
    } catch (err) {
      if (!this.options.onTrouble) throw err;
      this.dropRecord(err as NodeJS.ErrnoException);
      return;
    }
    this.size += record.length;
    this.packets++;
    if (this.failing) {
      this.failing = false;
      this.options.onTrouble?.(false);
    }
  }

  /** A record that could not be written whole: whatever of it reached the file is cut off again. */
  private dropRecord(err: NodeJS.ErrnoException): void {
    this.lostPackets++;
    try {
      if (fs.fstatSync(this.fd).size !== this.size) fs.ftruncateSync(this.fd, this.size);
    } catch {
      // The next whole record would follow a torn one; nothing more can be done about it here.
    }
    if (!this.failing) {
      this.failing = true;
      this.options.onTrouble?.(true, err);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/** What a log keeps of a frame: null for SETUP_SIGNING, a signed frame unsigned (flag off, checksum redone). */
function loggedFrame(frame: Buffer): Buffer | null {
  const { msgid } = frameSender(frame);
  if (msgid === SETUP_SIGNING_MSG_ID) return null;
  const crcExtra = MESSAGE_REGISTRY[msgid]?.MAGIC_NUMBER;
  if (!isSignedFrame(frame) || crcExtra === undefined) return frame;
  const unsigned = Buffer.from(frame.subarray(0, frame.length - SIGNATURE_BLOCK_BYTES));
  unsigned[2] &= ~IFLAG_SIGNED;
  const checksumAt = unsigned.length - 2;
  unsigned.writeUInt16LE(crcAccumulate(crcExtra, crc16(unsigned, 1, checksumAt)), checksumAt);
  return unsigned;
}
