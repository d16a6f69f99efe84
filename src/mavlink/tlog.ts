import fs from 'node:fs';

/**
 * Telemetry log writer in the layout pymavlink, MAVExplorer and Mission Planner use:
 * each record is an 8-byte big-endian timestamp (microseconds since the Unix epoch)
 * followed by the raw MAVLink packet.
 */
export class TlogWriter {
  private readonly fd: number;
  private closed = false;
  packets = 0;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'a');
  }

  write(timeUs: number, packet: Buffer): void {
    if (this.closed) return;
    const record = Buffer.allocUnsafe(8 + packet.length);
    record.writeBigUInt64BE(BigInt(Math.round(timeUs)), 0);
    packet.copy(record, 8);
    // Synchronous append: a crash loses at most the packet being written, never earlier ones.
    fs.writeSync(this.fd, record);
    this.packets++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
