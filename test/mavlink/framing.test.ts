import { common, MavLinkProtocolV1, minimal, x25crc } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/mavlink/codec.js';
import { FrameSplitter, heartbeatSender } from '../../src/mavlink/framing.js';
import { autopilotHeartbeat } from '../helpers/heartbeat.js';

function attitude(rollRad: number): common.Attitude {
  const a = new common.Attitude();
  a.roll = rollRad;
  a.timeBootMs = 1234;
  return a;
}

/** The hostile tester's datagram: MAVLink 2, a 255-byte payload claimed, unknown id 0xFFFFFF. */
function floodDatagram(seq: number): Buffer {
  return Buffer.from([0xfd, 255, 0, 0, seq, 7, 7, 0xff, 0xff, 0xff, 0x11, 0x22]);
}

function splitter() {
  const frames: Buffer[] = [];
  const s = new FrameSplitter((frame) => frames.push(frame));
  return { s, frames };
}

const encoder = new FrameEncoder(1, 1);
const vehicleFrames = () => [
  encoder.encode(autopilotHeartbeat()),
  encoder.encode(attitude(0.1)),
  encoder.encode(attitude(0.2)),
];

describe('receive framing', () => {
  it('loses no real frame to datagrams claiming 255 bytes they do not have', () => {
    const { s, frames } = splitter();
    const real = vehicleFrames();
    for (const [i, frame] of real.entries()) {
      s.pushDatagram(floodDatagram(i));
      s.pushDatagram(frame);
    }
    expect(frames).toEqual(real);
    expect(s.counts.badFrames).toBe(real.length);
    // Each flood datagram spends its 12 bytes and no more.
    expect(s.counts.junkBytes).toBe(12 * real.length);
  });

  it('loses no real frame when the same claim arrives inside a stream', () => {
    const { s, frames } = splitter();
    const real = vehicleFrames();
    // Enough frames after the claim to reach its claimed end, where its checksum fails.
    const later = Array.from({ length: 10 }, (_, i) => encoder.encode(attitude(i)));
    const stream = Buffer.concat([floodDatagram(0), ...real, ...later]);
    // Fed a byte at a time: frames are framed across chunk boundaries.
    for (let i = 0; i < stream.length; i++) s.pushStream(stream.subarray(i, i + 1));
    expect(frames).toEqual([...real, ...later]);
    expect(s.counts.badFrames).toBe(1);
  });

  it('resumes the search at the byte after a bad frame, not after its claimed length', () => {
    const { s, frames } = splitter();
    const [hb, att] = vehicleFrames();
    const corrupt = Buffer.from(hb);
    corrupt[corrupt.length - 1] ^= 0xff;
    s.pushDatagram(Buffer.concat([corrupt.subarray(0, 5), att]));
    expect(frames).toEqual([att]);
    expect(s.counts.badFrames).toBe(1);
  });

  it('counts an unknown message whose checksum holds, and drops it', () => {
    const { s, frames } = splitter();
    // Message id 0xABCDE, which no dialect defines, with a checksum over CRC_EXTRA 77.
    const unknown = Buffer.from([0xfd, 2, 0, 0, 0, 1, 1, 0xde, 0xbc, 0x0a, 7, 7, 0, 0]);
    unknown.writeUInt16LE(x25crc(unknown, 1, 2, 77), unknown.length - 2);
    const [hb] = vehicleFrames();
    s.pushDatagram(Buffer.concat([unknown, hb]));
    expect(frames).toEqual([hb]);
    expect(s.counts).toMatchObject({ unknownFrames: 1, badFrames: 0 });
  });

  it('reads MAVLink 1 frames and signed MAVLink 2 frames, and drops unknown incompatibility flags', () => {
    const { s, frames } = splitter();
    const v1 = new MavLinkProtocolV1(1, 1).serialize(autopilotHeartbeat(), 5);
    const [hb] = vehicleFrames();
    // Signed (incompat flag 0x01): the 13-byte signature follows the checksum (not verified here).
    const signed = Buffer.from(hb);
    signed[2] = 0x01;
    signed.writeUInt16LE(x25crc(signed, 1, 2, minimal.Heartbeat.MAGIC_NUMBER), signed.length - 2);
    const signedFrame = Buffer.concat([signed, Buffer.alloc(13, 0x42)]);
    const strange = Buffer.from(signed);
    strange[2] = 0x02;
    strange.writeUInt16LE(x25crc(strange, 1, 2, minimal.Heartbeat.MAGIC_NUMBER), strange.length - 2);
    s.pushDatagram(Buffer.concat([v1, signedFrame, strange]));
    expect(frames).toEqual([v1, signedFrame]);
    expect(s.counts.badFrames).toBe(1);
  });

  it("reads a heartbeat's sender kind from its frame", () => {
    const [hb, att] = vehicleFrames();
    expect(heartbeatSender(hb)).toEqual({ type: 2, autopilot: 3 });
    expect(heartbeatSender(att)).toBeNull();
  });
});
