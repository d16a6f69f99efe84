import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { common, type MavLinkData, MavLinkPacketSignature, minimal } from 'node-mavlink';
import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../src/mavlink/codec.js';
import {
  hasValidSignature,
  LinkSigner,
  ONE_MINUTE_TICKS,
  readSignatureBlock,
  type SigningOptions,
  signingTicksFromUnixUs,
  TlogWriter,
} from '../../src/mavlink/index.js';
import { REPO_ROOT } from '../helpers/cli.js';

// MAVLink 2 signing against an oracle written from the spec alone (test/mavlink/signing_vector.py,
// Python's hashlib), and the spec's timestamp rules on an injected clock.

const PYTHON = '/usr/bin/python3';
const ORACLE = path.join(REPO_ROOT, 'test/mavlink/signing_vector.py');
const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const OTHER_KEY = Buffer.alloc(32, 0x5a);

/**
 * Known answer, computed once with the oracle:
 * signing_vector.py '{"key":"0001…1f","link_id":7,"timestamp":33000000000123,"seq":42,"sysid":255,
 * "compid":190,"custom_mode":0,"type":6,"autopilot":8,"base_mode":0,"system_status":4,"mavlink_version":3}'
 */
const KNOWN_FRAME = 'fd0901002affbe0000000000000006080004032ebf077b104769031e7ebc227c4265';

interface HeartbeatFields {
  key: string;
  link_id: number;
  timestamp: number;
  seq: number;
  sysid: number;
  compid: number;
  custom_mode: number;
  type: number;
  autopilot: number;
  base_mode: number;
  system_status: number;
  mavlink_version: number;
}

/** Our encoder and signer building the frame the oracle describes. */
function ourSignedHeartbeat(f: HeartbeatFields): Buffer {
  const encoder = new FrameEncoder(f.sysid, f.compid);
  for (let i = 0; i < f.seq; i++) encoder.encode(new minimal.Heartbeat());
  // The wall clock at 0 and the timestamp before this one: the next is exactly f.timestamp.
  const signer = new LinkSigner(
    { key: Buffer.from(f.key, 'hex'), linkId: f.link_id, initialTicks: f.timestamp - 1 },
    () => 0,
  );
  const hb = new minimal.Heartbeat();
  hb.customMode = f.custom_mode;
  hb.type = f.type;
  hb.autopilot = f.autopilot;
  hb.baseMode = f.base_mode;
  hb.systemStatus = f.system_status;
  hb.mavlinkVersion = f.mavlink_version;
  return encoder.encode(hb, signer);
}

const KNOWN_FIELDS: HeartbeatFields = {
  key: KEY.toString('hex'),
  link_id: 7,
  timestamp: 33_000_000_000_123,
  seq: 42,
  sysid: 255,
  compid: 190,
  custom_mode: 0,
  type: 6,
  autopilot: 8,
  base_mode: 0,
  system_status: 4,
  mavlink_version: 3,
};

describe('signature', () => {
  it('matches the known answer computed with Python hashlib, byte for byte', () => {
    const frame = ourSignedHeartbeat(KNOWN_FIELDS);
    expect(frame.toString('hex')).toBe(KNOWN_FRAME);
    expect(readSignatureBlock(frame)).toMatchObject({ linkId: 7, timestampTicks: 33_000_000_000_123 });
    expect(hasValidSignature(Buffer.from(KNOWN_FRAME, 'hex'), KEY)).toBe(true);
  });

  it.skipIf(!fs.existsSync(PYTHON))('matches the Python oracle on varied frames', () => {
    for (let i = 0; i < 6; i++) {
      const fields: HeartbeatFields = {
        key: Buffer.from(Array.from({ length: 32 }, (_, j) => (j * 37 + i * 101) & 0xff)).toString('hex'),
        link_id: (i * 53) & 0xff,
        timestamp: 2 ** 48 - 1 - i * 987_654_321_011,
        seq: (i * 77) & 0xff,
        sysid: 1 + i,
        compid: i === 0 ? 1 : 190 + i,
        custom_mode: i * 1_000_003,
        type: i,
        autopilot: 3 + i,
        base_mode: i % 2 ? 0 : 217,
        system_status: i % 3,
        // A zero last field is trimmed from the payload: the signature covers the trimmed frame.
        mavlink_version: i % 2 ? 0 : 3,
      };
      const oracle = execFileSync(PYTHON, [ORACLE, JSON.stringify(fields)], { encoding: 'utf8' }).trim();
      expect(ourSignedHeartbeat(fields).toString('hex')).toBe(oracle);
    }
  });

  it('agrees with node-mavlink on the same bytes (a comparison, not the oracle)', () => {
    const frame = Buffer.from(KNOWN_FRAME, 'hex');
    expect(new MavLinkPacketSignature(frame).calculate(KEY)).toBe(frame.subarray(-6).toString('hex'));
  });

  it('fails for another key, a changed byte anywhere before it, or an unsigned frame', () => {
    const frame = Buffer.from(KNOWN_FRAME, 'hex');
    expect(hasValidSignature(frame, OTHER_KEY)).toBe(false);
    for (const at of [4, 10, 16, 19, 21]) {
      const changed = Buffer.from(frame);
      changed[at] ^= 0x01;
      expect(hasValidSignature(changed, KEY), `byte ${at}`).toBe(false);
    }
    const unsigned = new FrameEncoder(1, 1).encode(new minimal.Heartbeat());
    expect(hasValidSignature(unsigned, KEY)).toBe(false);
  });

  it('counts time in 10 µs ticks since 2015-01-01 00:00 UTC', () => {
    expect(signingTicksFromUnixUs(Date.UTC(2015, 0, 1) * 1000)).toBe(0);
    expect(signingTicksFromUnixUs(Date.UTC(2015, 0, 1, 0, 0, 1) * 1000 + 25)).toBe(100_002);
  });
});

/** A wall clock the test moves: µs since the Unix epoch. */
function wallClock(startUnixUs = Date.UTC(2025, 5, 1) * 1000) {
  let nowUs = startUnixUs;
  return {
    unixUs: () => nowUs,
    advanceUs: (us: number) => {
      nowUs += us;
    },
  };
}

/** Another system signing with its own clock: its frames for our signer to judge. */
function sender(key: Buffer, sysid: number, options: Partial<SigningOptions> = {}, unixUs = () => 0) {
  const encoder = new FrameEncoder(sysid, 1);
  const signer = new LinkSigner({ key, ...options }, unixUs);
  return {
    frame: (message: MavLinkData = new minimal.Heartbeat()) => encoder.encode(message, signer),
    signer,
  };
}

describe('timestamps', () => {
  it('never fall behind the wall clock, and grow by one per packet within one 10 µs tick', () => {
    const wall = wallClock();
    const signer = new LinkSigner({ key: KEY }, wall.unixUs);
    const first = signer.nextTimestamp();
    expect(first).toBe(signingTicksFromUnixUs(wall.unixUs()));
    expect([signer.nextTimestamp(), signer.nextTimestamp()]).toEqual([first + 1, first + 2]);
    wall.advanceUs(1_000_000);
    expect(signer.nextTimestamp()).toBe(first + 100_000);
    // A burst runs ahead of the wall clock; the clock then catches up and governs again.
    for (let i = 0; i < 500; i++) signer.nextTimestamp();
    expect(signer.nextTimestamp()).toBe(first + 100_501);
    wall.advanceUs(10_000);
    expect(signer.nextTimestamp()).toBe(first + 101_000);
  });

  it('start at the initial timestamp when it is later than the wall clock', () => {
    const wall = wallClock();
    const initial = signingTicksFromUnixUs(wall.unixUs()) + ONE_MINUTE_TICKS;
    expect(new LinkSigner({ key: KEY, initialTicks: initial }, wall.unixUs).nextTimestamp()).toBe(
      initial + 1,
    );
  });

  it('move up to a correctly signed incoming one that is ahead, never to a badly signed one', () => {
    const wall = wallClock();
    const ours = new LinkSigner({ key: KEY }, wall.unixUs);
    const aheadTicks = signingTicksFromUnixUs(wall.unixUs()) + 5_000_000;
    const forged = sender(OTHER_KEY, 2, { initialTicks: aheadTicks + 1_000_000 }).frame();
    expect(ours.check(forged, 2, 1, 0)).toBe('bad-signature');
    expect(ours.nextTimestamp()).toBeLessThan(aheadTicks);
    const vehicle = sender(KEY, 1, { initialTicks: aheadTicks - 1 }).frame();
    expect(ours.check(vehicle, 1, 1, 0)).toBe('signed');
    expect(ours.nextTimestamp()).toBe(aheadTicks + 1);
  });
});

describe('incoming packets', () => {
  it('refuse a replay: a timestamp not newer than the last accepted on its stream', () => {
    const wall = wallClock();
    const ours = new LinkSigner({ key: KEY }, wall.unixUs);
    const vehicle = sender(KEY, 1, {}, wall.unixUs);
    const first = vehicle.frame();
    const second = vehicle.frame();
    expect(ours.check(first, 1, 1, 0)).toBe('signed');
    expect(ours.check(second, 1, 1, 0)).toBe('signed');
    expect(ours.check(second, 1, 1, 0)).toBe('stale');
    // Reordered: older than the last one accepted on the stream.
    expect(ours.check(first, 1, 1, 0)).toBe('stale');
  });

  it('keep one stream per system, component and link id', () => {
    const wall = wallClock();
    const ours = new LinkSigner({ key: KEY }, wall.unixUs);
    const late = sender(KEY, 1, { linkId: 0 }, wall.unixUs).frame();
    wall.advanceUs(1000);
    const linkOne = sender(KEY, 1, { linkId: 1 }, wall.unixUs).frame();
    const otherSystem = sender(KEY, 2, { linkId: 0 }, wall.unixUs).frame();
    expect(ours.check(linkOne, 1, 1, 0)).toBe('signed');
    expect(ours.check(otherSystem, 2, 1, 0)).toBe('signed');
    // Older than both, but first on its own stream (1, 1, link 0).
    expect(ours.check(late, 1, 1, 0)).toBe('signed');
  });

  it('accept a new stream up to one minute behind our timestamp, not a tick more; any time ahead', () => {
    const wall = wallClock();
    const ours = new LinkSigner({ key: KEY }, wall.unixUs);
    const nowTicks = signingTicksFromUnixUs(wall.unixUs());
    const oneMinuteBehind = sender(KEY, 1, { initialTicks: nowTicks - ONE_MINUTE_TICKS - 1 }).frame();
    const tooOld = sender(KEY, 2, { initialTicks: nowTicks - ONE_MINUTE_TICKS - 2 }).frame();
    const ahead = sender(KEY, 3, { initialTicks: nowTicks + 10 * ONE_MINUTE_TICKS }).frame();
    expect(ours.check(tooOld, 2, 1, 0)).toBe('stale');
    expect(ours.check(oneMinuteBehind, 1, 1, 0)).toBe('signed');
    expect(ours.check(ahead, 3, 1, 0)).toBe('signed');
    // Ours moved up with it: the one-minute window now counts from there.
    const behindNow = sender(KEY, 4, { initialTicks: nowTicks }).frame();
    expect(ours.check(behindNow, 4, 1, 0)).toBe('stale');
  });

  it('drop unsigned packets but RADIO_STATUS, which radios inject unsigned; all of them when told to', () => {
    const ours = new LinkSigner({ key: KEY }, wallClock().unixUs);
    const plain = new FrameEncoder(1, 1);
    expect(ours.check(plain.encode(new minimal.Heartbeat()), 1, 1, 0)).toBe('unsigned');
    expect(ours.check(plain.encode(new common.RadioStatus()), 1, 1, 109)).toBe('unsigned-allowed');
    const setup = new LinkSigner({ key: KEY, acceptUnsigned: true }, wallClock().unixUs);
    expect(setup.check(plain.encode(new minimal.Heartbeat()), 1, 1, 0)).toBe('unsigned-allowed');
    // Accepting unsigned packets accepts no bad signature.
    expect(setup.check(sender(OTHER_KEY, 1).frame(), 1, 1, 0)).toBe('bad-signature');
  });

  it('are vouched for by their signature alone, timestamps aside and nothing changed (whom a udpin answers)', () => {
    const wall = wallClock();
    const ours = new LinkSigner({ key: KEY }, wall.unixUs);
    const frame = sender(KEY, 1, {}, wall.unixUs).frame();
    expect(ours.vouchesFor(frame, 0)).toBe(true);
    expect(ours.check(frame, 1, 1, 0)).toBe('signed');
    expect(ours.check(frame, 1, 1, 0)).toBe('stale');
    expect(ours.vouchesFor(frame, 0)).toBe(true);
    expect(ours.vouchesFor(sender(OTHER_KEY, 1).frame(), 0)).toBe(false);
    expect(ours.vouchesFor(new FrameEncoder(1, 1).encode(new minimal.Heartbeat()), 0)).toBe(false);
  });
});

describe('telemetry logs', () => {
  it('hold signed packets without their signature, valid, and never SETUP_SIGNING (the key)', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-signing-')), 'signed.tlog');
    const tlog = new TlogWriter(file);
    const vehicle = sender(KEY, 1);
    const setup = new common.SetupSigning();
    setup.secretKey = [...KEY];
    tlog.record(Date.UTC(2025, 5, 1) * 1000, vehicle.frame());
    tlog.record(Date.UTC(2025, 5, 1) * 1000 + 1000, vehicle.frame(setup));
    tlog.close();
    const bytes = fs.readFileSync(file);
    expect(tlog.packets).toBe(1);
    expect(bytes.includes(KEY)).toBe(false);
    const frame = bytes.subarray(8);
    expect(frame[2] & 0x01).toBe(0);
    // The layout oracle checks the HEARTBEAT's checksum, redone with the flag cleared.
    if (fs.existsSync(PYTHON)) {
      const layout = execFileSync(PYTHON, [path.join(REPO_ROOT, 'test/mavlink/tlog_layout.py'), file], {
        encoding: 'utf8',
      });
      expect(JSON.parse(layout)).toMatchObject({ records: 1, bad: 0, by_msgid: { '0': 1 } });
    }
  });
});
