/**
 * MAVLink's checksum, CRC-16/MCRF4XX (X.25): over a frame's bytes after its start byte up to the
 * checksum, then the message's CRC_EXTRA (serialization spec: https://mavlink.io/en/guide/serialization.html).
 */

/** The running CRC over `bytes[from, to)`, before CRC_EXTRA. */
export function crc16(bytes: Buffer, from: number, to: number): number {
  let crc = 0xffff;
  for (let i = from; i < to; i++) crc = crcAccumulate(bytes[i], crc);
  return crc;
}

export function crcAccumulate(byte: number, crc: number): number {
  let tmp = (byte ^ crc) & 0xff;
  tmp = (tmp ^ (tmp << 4)) & 0xff;
  return ((crc >> 8) ^ (tmp << 8) ^ (tmp << 3) ^ (tmp >> 4)) & 0xffff;
}
