import {
  appendSignature,
  hasValidSignature,
  ONE_MINUTE_TICKS,
  readSignatureBlock,
  signingTicksFromUnixUs,
} from './signing.js';

/** RADIO_STATUS: telemetry radios inject it unsigned; accepted unsigned as ArduPilot does. */
const RADIO_STATUS_MSG_ID = 109;
const ACCEPTED_UNSIGNED = new Set([RADIO_STATUS_MSG_ID]);

export interface SigningOptions {
  /** The 32-byte secret key. */
  key: Buffer;
  /** Our link id in each signature (default 0: one link per process, as a channel number). */
  linkId?: number;
  /**
   * Deliver unsigned packets too (still signing ours): for giving a vehicle the key, whose packets
   * are unsigned until it has it. Badly signed and replayed packets are still dropped.
   */
  acceptUnsigned?: boolean;
  /** Every timestamp we send is later than this, in signing ticks (SETUP_SIGNING's initial timestamp). */
  initialTicks?: number;
}

/**
 * What happens to a received frame on a signed link: delivered ('signed', or unsigned and allowed),
 * or dropped: 'unsigned', 'bad-signature', or 'stale' (its timestamp is not newer than the last one
 * accepted on its stream, or, on a new stream, more than a minute behind ours).
 */
export type SigningVerdict = 'signed' | 'unsigned-allowed' | 'unsigned' | 'bad-signature' | 'stale';

/**
 * One link's signing state, by the spec's timestamp rules: our timestamp never falls behind the wall
 * clock, grows by one per packet sent within one 10 µs tick, and moves up to the timestamp of every
 * correctly signed packet accepted; incoming timestamps must grow per (sysid, compid, link id) stream.
 */
export class LinkSigner {
  readonly key: Buffer;
  readonly linkId: number;
  readonly acceptUnsigned: boolean;
  /** The last timestamp we used or accepted, ticks. */
  private localTicks: number;
  /** The last accepted timestamp per stream, by `sysid/compid/linkId`. */
  private readonly streams = new Map<string, number>();

  /** `unixUs`: the wall clock, µs since the Unix epoch. */
  constructor(
    options: SigningOptions,
    private readonly unixUs: () => number,
  ) {
    this.key = Buffer.from(options.key);
    this.linkId = options.linkId ?? 0;
    this.acceptUnsigned = options.acceptUnsigned ?? false;
    this.localTicks = options.initialTicks ?? 0;
  }

  /** Our current timestamp: the last one used or accepted, or the wall clock's when that is later. */
  get currentTicks(): number {
    return Math.max(this.localTicks, this.wallTicks());
  }

  /** Takes over the state of the signer this one replaces, for the same key: streams and timestamp. */
  continueFrom(previous: LinkSigner): void {
    this.localTicks = Math.max(this.localTicks, previous.localTicks);
    for (const [stream, ticks] of previous.streams) this.streams.set(stream, ticks);
  }

  /** The timestamp of the next packet we send: later than any before it, never behind the wall clock. */
  nextTimestamp(): number {
    this.localTicks = Math.max(this.localTicks + 1, this.wallTicks());
    return this.localTicks;
  }

  /** Signs a frame built with the signed flag set. */
  sign(frame: Buffer): Buffer {
    return appendSignature(frame, this.key, this.linkId, this.nextTimestamp());
  }

  /** Judges a received frame from `sysid/compid`; an accepted signed one moves its stream and our time on. */
  check(frame: Buffer, sysid: number, compid: number, msgid: number): SigningVerdict {
    const verdict = this.judge(frame, sysid, compid, msgid);
    if (verdict === 'signed') {
      const block = readSignatureBlock(frame) as NonNullable<ReturnType<typeof readSignatureBlock>>;
      this.streams.set(streamKey(sysid, compid, block.linkId), block.timestampTicks);
      this.localTicks = Math.max(this.localTicks, block.timestampTicks);
    }
    return verdict;
  }

  /**
   * Whether the frame is signed with our key (or may come unsigned), whatever its timestamp, without
   * changing any state: whom a udpin answers. A restarted ground station's first packets are stale
   * (the vehicle moved our stream's timestamp up to its own, ArduPilot's a minute ahead) until it
   * hears the vehicle, so answering waits for no fresh timestamp; the link still drops stale packets.
   */
  vouchesFor(frame: Buffer, msgid: number): boolean {
    const verdict = this.judgeSignature(frame, msgid);
    return verdict === 'signed' || verdict === 'unsigned-allowed';
  }

  private judge(frame: Buffer, sysid: number, compid: number, msgid: number): SigningVerdict {
    const verdict = this.judgeSignature(frame, msgid);
    if (verdict !== 'signed') return verdict;
    const block = readSignatureBlock(frame) as NonNullable<ReturnType<typeof readSignatureBlock>>;
    const last = this.streams.get(streamKey(sysid, compid, block.linkId));
    if (last !== undefined) return block.timestampTicks > last ? 'signed' : 'stale';
    return block.timestampTicks + ONE_MINUTE_TICKS >= this.currentTicks ? 'signed' : 'stale';
  }

  /** The frame's signature alone: made with our key, missing (allowed or not), or not ours. */
  private judgeSignature(frame: Buffer, msgid: number): SigningVerdict {
    if (!readSignatureBlock(frame))
      return ACCEPTED_UNSIGNED.has(msgid) || this.acceptUnsigned ? 'unsigned-allowed' : 'unsigned';
    return hasValidSignature(frame, this.key) ? 'signed' : 'bad-signature';
  }

  private wallTicks(): number {
    return signingTicksFromUnixUs(this.unixUs());
  }
}

function streamKey(sysid: number, compid: number, linkId: number): string {
  return `${sysid}/${compid}/${linkId}`;
}
