import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * MAVLink 2 message signing, the bytes (https://mavlink.io/en/guide/message_signing.html): a signed
 * frame has incompatibility flag 0x01 and ends in a 13-byte block, link id (1), timestamp (6, little
 * endian, 10 µs ticks since 2015-01-01 00:00 UTC) and signature (6): the first 48 bits of
 * SHA-256(secret key + the frame from its start byte through the timestamp).
 */

export const SIGNING_KEY_BYTES = 32;
export const SIGNATURE_BLOCK_BYTES = 13;
export const IFLAG_SIGNED = 0x01;
const STX_V2 = 0xfd;
const SIGNATURE_BYTES = 6;
const TIMESTAMP_BYTES = 6;
/** The signing epoch, 2015-01-01 00:00 UTC, in µs since the Unix epoch. */
const SIGNING_EPOCH_UNIX_US = Date.UTC(2015, 0, 1) * 1000;
/** One tick of a signing timestamp, µs. */
export const SIGNING_TICK_US = 10;
/** One minute in signing ticks: how far behind ours a new stream's timestamp may be. */
export const ONE_MINUTE_TICKS = 6_000_000;

/** A signing timestamp (10 µs ticks since 2015) from Unix time in µs. */
export function signingTicksFromUnixUs(unixUs: number): number {
  return Math.max(0, Math.floor((unixUs - SIGNING_EPOCH_UNIX_US) / SIGNING_TICK_US));
}

export interface SignatureBlock {
  linkId: number;
  /** 10 µs ticks since 2015-01-01 00:00 UTC. */
  timestampTicks: number;
  signature: Buffer;
}

/** Whether a CRC-checked frame says it is signed (MAVLink 1 frames never are). */
export function isSignedFrame(frame: Buffer): boolean {
  return frame[0] === STX_V2 && (frame[2] & IFLAG_SIGNED) !== 0;
}

/** The signature block of a signed frame, or null for an unsigned one. */
export function readSignatureBlock(frame: Buffer): SignatureBlock | null {
  if (!isSignedFrame(frame) || frame.length < SIGNATURE_BLOCK_BYTES) return null;
  const at = frame.length - SIGNATURE_BLOCK_BYTES;
  return {
    linkId: frame[at],
    timestampTicks: frame.readUIntLE(at + 1, TIMESTAMP_BYTES),
    signature: frame.subarray(at + 1 + TIMESTAMP_BYTES),
  };
}

/** The 48-bit signature of `signedPart`: a frame from its start byte through its signing timestamp. */
export function computeSignature(key: Buffer, signedPart: Buffer): Buffer {
  return createHash('sha256').update(key).update(signedPart).digest().subarray(0, SIGNATURE_BYTES);
}

/**
 * Signs a MAVLink 2 frame built with the signed flag already set (the flag is under its checksum):
 * returns it with the signature block appended.
 */
export function appendSignature(frame: Buffer, key: Buffer, linkId: number, timestampTicks: number): Buffer {
  if (!isSignedFrame(frame)) throw new Error('appendSignature: a MAVLink 2 frame with the signed flag set');
  const signed = Buffer.alloc(frame.length + SIGNATURE_BLOCK_BYTES);
  frame.copy(signed);
  signed[frame.length] = linkId;
  signed.writeUIntLE(timestampTicks, frame.length + 1, TIMESTAMP_BYTES);
  const signatureAt = signed.length - SIGNATURE_BYTES;
  computeSignature(key, signed.subarray(0, signatureAt)).copy(signed, signatureAt);
  return signed;
}

/** Whether a signed frame's signature was made with `key` (false for an unsigned frame). */
export function hasValidSignature(frame: Buffer, key: Buffer): boolean {
  const block = readSignatureBlock(frame);
  if (!block) return false;
  const expected = computeSignature(key, frame.subarray(0, frame.length - SIGNATURE_BYTES));
  return timingSafeEqual(expected, block.signature);
}
