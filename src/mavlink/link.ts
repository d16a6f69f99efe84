import { EventEmitter } from 'node:events';
import { type MavLinkData, minimal } from 'node-mavlink';
import { type Clock, setRepeating, systemClock } from '../clock.js';
import { CancelledError, TimeoutError } from '../errors.js';
import { LINK_TIMING } from '../timing.js';
import { decodeFrame, FrameEncoder, type MessageClass, type ReceivedMessage } from './codec.js';
import {
  type ConnectionUrl,
  formatConnectionUrl,
  openListenWarning,
  parseConnectionUrl,
} from './connection-url.js';
import { FrameSplitter, frameSender } from './framing.js';
import { MissionTransferClient } from './mission-transfer.js';
import { isAutopilotKind, MAV_AUTOPILOT_INVALID, MAV_TYPE_GCS } from './sender-kind.js';
import { LinkSigner, type SigningOptions } from './signer.js';
import type { TlogWriter } from './tlog.js';
import { openTransport, type Transport } from './transport.js';

/** MAV_COMP_ID_MISSIONPLANNER: the component id ground stations use. */
export const GCS_COMPONENT_ID = 190;
export const GCS_SYSTEM_ID = 255;

export interface LinkStats {
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
  /**
   * Candidate frames dropped: checksum failed (false start bytes in garbage among them), ran past
   * the end of their datagram, or carried incompatibility flags we do not know.
   */
  badFrames: number;
  /** Frames whose checksum fits some CRC_EXTRA but whose message id no dialect we load knows. */
  unknownMessages: number;
  /** Received bytes in no delivered frame: noise, and the start byte of each bad or unknown frame. */
  junkBytes: number;
  /** udpin datagrams from addresses other than the vehicle's, dropped unread and never answered. */
  ignoredDatagrams: number;
  /** Packets missing from sequence gaps, summed over all senders. */
  dropped: number;
  /** Sends that had nobody to go to (udpin before its peer's heartbeat, tcp while reconnecting). */
  unsent: number;
  /** Signed link: unsigned packets dropped (RADIO_STATUS, which radios inject unsigned, passes). */
  unsignedPackets: number;
  /** Signed link: packets dropped because their signature was not made with our key. */
  badSignatures: number;
  /**
   * Signed link: correctly signed packets dropped for their timestamp, not newer than the last one of
   * their (sysid, compid, link id) stream (a replay, or reordered), or a new stream's more than a
   * minute behind ours.
   */
  staleSignatures: number;
  /** Messages a subscriber threw on (a bug in it); the other subscribers still got them. */
  handlerErrors: number;
}

/** A system/component heard through its HEARTBEAT. */
export interface Peer {
  sysid: number;
  compid: number;
  /** MAV_TYPE */
  type: number;
  /** MAV_AUTOPILOT */
  autopilot: number;
  baseMode: number;
  customMode: number;
  systemStatus: number;
  lastHeartbeatUs: number;
  lost: boolean;
}

export interface LinkOptions {
  systemId?: number;
  componentId?: number;
  /** Send a GCS heartbeat at 1 Hz (default true). A simulator sends its own instead. */
  gcsHeartbeat?: boolean;
  /** Every packet in and out is appended here. */
  tlog?: TlogWriter;
  /** Microseconds since the Unix epoch; a replay or a sped-up simulation may supply its own. */
  clockUs?: () => number;
  /**
   * Time and timers of the GCS heartbeat, the peer-loss checks and waits (default: the system clock).
   * Without `clockUs`, a link on another clock stamps packets with the Unix time at its creation plus
   * that clock's time since (on the system clock, with Date.now as before).
   */
  clock?: Clock;
  /** Sign every packet sent and drop received ones that are not signed with this key (see LinkSigner). */
  signing?: SigningOptions;
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Names the wait in the timeout error: "no MISSION_ACK after 500 ms (upload)". */
  what?: string;
  /** The clock of the timeout (default: the link's clock). */
  clock?: Clock;
}

type MessageHandler = (rx: ReceivedMessage) => void;

/**
 * One MAVLink link over one transport: framing, a per-link sequence number, GCS heartbeat,
 * peer discovery and loss, counters, and waits with timeouts.
 *
 * Events: 'message' (ReceivedMessage), 'peer' (Peer, first heard), 'peer-lost' (Peer),
 * 'peer-regained' (Peer), 'transport-disconnected', 'transport-connected', 'handler-error' (an error
 * a subscriber or listener threw: each is called on its own, so one that throws keeps no message from
 * the others nor the link from its heartbeat and peer checks; with no 'handler-error' listener the
 * error is thrown on after them all).
 */
export class MavLinkConnection extends EventEmitter {
  readonly stats: LinkStats = {
    bytesIn: 0,
    bytesOut: 0,
    packetsIn: 0,
    packetsOut: 0,
    badFrames: 0,
    unknownMessages: 0,
    junkBytes: 0,
    ignoredDatagrams: 0,
    dropped: 0,
    unsent: 0,
    unsignedPackets: 0,
    badSignatures: 0,
    staleSignatures: 0,
    handlerErrors: 0,
  };
  readonly peers = new Map<string, Peer>();
  readonly encoder: FrameEncoder;
  private readonly splitter: FrameSplitter;
  private readonly expectedSeq = new Map<string, number>();
  /** When each peer's last heartbeat came, on the link's monotonic clock: loss is judged by it, not by the wall clock. */
  private readonly heardAtMs = new Map<string, number>();
  private readonly handlers = new Set<MessageHandler>();
  private readonly stopTimers: (() => void)[] = [];
  private readonly clockUs: () => number;
  /** The clock of this link's timers and, by default, of its waits. */
  readonly clock: Clock;
  private tlog: TlogWriter | null;
  private closed = false;
  private missionClient: MissionTransferClient | undefined;
  private signer: LinkSigner | null = null;

  constructor(
    readonly transport: Transport,
    options: LinkOptions = {},
  ) {
    super();
    this.encoder = new FrameEncoder(
      options.systemId ?? GCS_SYSTEM_ID,
      options.componentId ?? GCS_COMPONENT_ID,
    );
    this.clock = options.clock ?? systemClock;
    this.clockUs =
      options.clockUs ?? (this.clock === systemClock ? () => Date.now() * 1000 : unixClockUs(this.clock));
    this.tlog = options.tlog ?? null;
    if (options.signing) this.setSigning(options.signing);
    // A udpin transport chooses whom to answer by heartbeat: on a signed link, only one signed with the key.
    transport.setHeartbeatCheck?.(
      (frame) => this.signer?.vouchesFor(frame, frameSender(frame).msgid) ?? true,
    );
    this.splitter = new FrameSplitter((frame) => this.onFrame(frame));
    transport.on('data', (chunk: Buffer) => {
      this.stats.bytesIn += chunk.length;
      if (transport.datagrams) this.splitter.pushDatagram(chunk);
      else this.splitter.pushStream(chunk);
      const counts = this.splitter.counts;
      this.stats.badFrames = counts.badFrames;
      this.stats.unknownMessages = counts.unknownFrames;
      this.stats.junkBytes = counts.junkBytes;
    });
    transport.on('ignored', () => this.stats.ignoredDatagrams++);
    transport.on('disconnected', () => this.emit('transport-disconnected'));
    transport.on('connected', () => this.emit('transport-connected'));

    if (options.gcsHeartbeat ?? true) {
      this.sendGcsHeartbeat();
      this.stopTimers.push(
        setRepeating(this.clock, () => this.sendGcsHeartbeat(), LINK_TIMING.heartbeatPeriodMs),
      );
    }
    this.stopTimers.push(
      setRepeating(this.clock, () => this.checkPeers(), LINK_TIMING.heartbeatPeriodMs / 4),
    );
  }

  /**
   * Opens the transport and the link. On udpin, a ground-station link (the default ids) answers the
   * first autopilot it hears; a link with other ids (a stand-in vehicle) the first heartbeat of any kind.
   */
  static async open(url: string | ConnectionUrl, options: LinkOptions = {}): Promise<MavLinkConnection> {
    const parsed = typeof url === 'string' ? parseConnectionUrl(url) : url;
    const isGcs = (options.componentId ?? GCS_COMPONENT_ID) === GCS_COMPONENT_ID;
    const transport = await openTransport(parsed, { answers: isGcs ? 'autopilot' : 'any' });
    const warning = openListenWarning(parsed);
    if (warning) process.stderr.write(`warning: ${warning}\n`);
    return new MavLinkConnection(transport, options);
  }

  get description(): string {
    return formatConnectionUrl(this.transport.url);
  }

  get systemId(): number {
    return this.encoder.systemId;
  }

  get componentId(): number {
    return this.encoder.componentId;
  }

  /** Records every packet in and out to this log from now on (null: stop); one log per flight. */
  recordTo(tlog: TlogWriter | null): void {
    this.tlog = tlog;
  }

  /** This link's mission transfers: one in flight at a time, as the protocol allows. */
  get missionTransfers(): MissionTransferClient {
    this.missionClient ??= new MissionTransferClient(this);
    return this.missionClient;
  }

  nowUs(): number {
    return this.clockUs();
  }

  /**
   * Signs from now on with `options.key` and drops what is not signed with it (null: signing off).
   * The same key again (a vehicle given it twice) keeps the streams seen and never moves our timestamp back.
   */
  setSigning(options: SigningOptions | null): void {
    const previous = this.signer;
    this.signer = options ? new LinkSigner(options, this.clockUs) : null;
    if (previous && this.signer?.key.equals(previous.key)) this.signer.continueFrom(previous);
  }

  /** This link's signing: its link id and current timestamp (ticks), or null when it does not sign. */
  get signing(): { linkId: number; timestampTicks: number; acceptsUnsigned: boolean } | null {
    const signer = this.signer;
    if (!signer) return null;
    return {
      linkId: signer.linkId,
      timestampTicks: signer.currentTicks,
      acceptsUnsigned: signer.acceptUnsigned,
    };
  }

  /**
   * How long the peer's heartbeat has been silent, ms, on the link's monotonic clock (a wall clock set
   * forward or back does not change it); null for a peer never heard.
   */
  silentMs(sysid: number, compid: number): number | null {
    const heard = this.heardAtMs.get(peerKey(sysid, compid));
    return heard === undefined ? null : this.clock.nowMs() - heard;
  }

  /** Frames and sends a message as MAVLink 2 with this link's own sequence number. */
  send(message: MavLinkData): void {
    if (this.closed) return;
    const frame = this.encoder.encode(message, this.signer);
    this.sendFrame(frame);
  }

  /** Sends an already framed packet (used by a simulator's fault injection to replay duplicates). */
  sendFrame(frame: Buffer): void {
    if (this.closed) return;
    if (!this.transport.write(frame)) {
      this.stats.unsent++;
      return;
    }
    this.stats.bytesOut += frame.length;
    this.stats.packetsOut++;
    this.tlog?.record(this.clockUs(), frame);
  }

  /** Subscribes to every decoded message; returns the unsubscribe function. */
  onMessage(handler: MessageHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /**
   * Resolves with the first message of `clazz` that passes `accept`, or rejects with a TimeoutError
   * after `timeoutMs`, or a CancelledError when `signal` aborts.
   */
  waitFor<T extends MavLinkData>(
    clazz: MessageClass<T>,
    accept: (message: T, rx: ReceivedMessage<T>) => boolean,
    { timeoutMs, signal, what, clock = this.clock }: WaitOptions,
  ): Promise<ReceivedMessage<T>> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new CancelledError(what ?? clazz.MSG_NAME));
        return;
      }
      const finish = () => {
        clock.clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        finish();
        reject(new CancelledError(what ?? clazz.MSG_NAME));
      };
      const timer = clock.setTimeout(() => {
        finish();
        reject(new TimeoutError(`no ${clazz.MSG_NAME} within ${timeoutMs} ms${what ? ` (${what})` : ''}`));
      }, timeoutMs);
      const unsubscribe = this.onMessage((rx) => {
        if (rx.msgid !== clazz.MSG_ID) return;
        const typed = rx as ReceivedMessage<T>;
        if (!accept(typed.message, typed)) return;
        finish();
        resolve(typed);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Waits for a heartbeat from an autopilot (not another ground station). */
  async waitForVehicle(
    timeoutMs: number = LINK_TIMING.vehicleDiscoveryTimeoutMs,
    signal?: AbortSignal,
  ): Promise<Peer> {
    const known = [...this.peers.values()].find((p) => isAutopilot(p) && !p.lost);
    if (known) return known;
    try {
      const rx = await this.waitFor(minimal.Heartbeat, (hb) => hb.autopilot !== MAV_AUTOPILOT_INVALID, {
        timeoutMs,
        signal,
      });
      return this.peers.get(peerKey(rx.sysid, rx.compid)) as Peer;
    } catch (err) {
      if (err instanceof TimeoutError) {
        throw new TimeoutError(
          `no vehicle heartbeat on ${this.description} within ${timeoutMs / 1000} s${this.signingDropsNote()}`,
        );
      }
      throw err;
    }
  }

  /** Why a signed link may have heard nothing: the packets it dropped, or '' when none. */
  private signingDropsNote(): string {
    const { unsignedPackets, badSignatures, staleSignatures } = this.stats;
    if (badSignatures > 0)
      return ` (${badSignatures} packets signed with another key dropped: check --signing-key)`;
    if (unsignedPackets > 0)
      return ` (${unsignedPackets} unsigned packets dropped: give the vehicle the key with 'dustpatrol signing setup')`;
    if (staleSignatures > 0) return ` (${staleSignatures} signed packets with old timestamps dropped)`;
    return '';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.stopTimers) stop();
    this.handlers.clear();
    await this.transport.close();
  }

  private onFrame(bytes: Buffer): void {
    const timeUs = this.clockUs();
    const signed = this.signer ? this.checkSignature(bytes) : false;
    if (signed === null) return;
    // The splitter passes only frames of known messages.
    const rx = decodeFrame(bytes, timeUs);
    if (!rx) return;
    if (signed) rx.signed = true;
    this.stats.packetsIn++;
    this.tlog?.record(timeUs, bytes);
    this.countGap(rx);
    const errors: unknown[] = [];
    const deliver = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        errors.push(err);
      }
    };
    if (rx.message instanceof minimal.Heartbeat)
      deliver(() => this.onHeartbeat(rx as ReceivedMessage<minimal.Heartbeat>));
    deliver(() => this.emit('message', rx));
    for (const handler of [...this.handlers]) deliver(() => handler(rx));
    this.handlerFailed(errors);
  }

  /** Errors subscribers threw: told to the 'handler-error' listeners, or thrown on when there are none. */
  private handlerFailed(errors: unknown[]): void {
    if (errors.length === 0) return;
    this.stats.handlerErrors += errors.length;
    if (this.listenerCount('handler-error') === 0) throw errors[0];
    for (const err of errors) {
      try {
        this.emit('handler-error', err);
      } catch {
        // A report that fails has nowhere left to go.
      }
    }
  }

  /** On a signed link: true for a correctly signed frame, false for an allowed unsigned one, null: dropped. */
  private checkSignature(bytes: Buffer): boolean | null {
    const { sysid, compid, msgid } = frameSender(bytes);
    switch ((this.signer as LinkSigner).check(bytes, sysid, compid, msgid)) {
      case 'signed':
        return true;
      case 'unsigned-allowed':
        return false;
      case 'unsigned':
        this.stats.unsignedPackets++;
        return null;
      case 'bad-signature':
        this.stats.badSignatures++;
        return null;
      case 'stale':
        this.stats.staleSignatures++;
        return null;
    }
  }

  private countGap(rx: ReceivedMessage): void {
    const key = peerKey(rx.sysid, rx.compid);
    const expected = this.expectedSeq.get(key);
    if (expected !== undefined) {
      const gap = (rx.seq - expected + 256) & 0xff;
      // A large "gap" is a late or duplicated packet, not 200 lost ones.
      if (gap < 128) this.stats.dropped += gap;
    }
    this.expectedSeq.set(key, (rx.seq + 1) & 0xff);
  }

  private onHeartbeat(rx: ReceivedMessage<minimal.Heartbeat>): void {
    const hb = rx.message;
    const key = peerKey(rx.sysid, rx.compid);
    const known = this.peers.get(key);
    const peer: Peer = {
      sysid: rx.sysid,
      compid: rx.compid,
      type: hb.type,
      autopilot: hb.autopilot,
      baseMode: hb.baseMode,
      customMode: hb.customMode,
      systemStatus: hb.systemStatus,
      lastHeartbeatUs: rx.timeUs,
      lost: false,
    };
    this.peers.set(key, peer);
    this.heardAtMs.set(key, this.clock.nowMs());
    if (!known) this.emit('peer', peer);
    else if (known.lost) this.emit('peer-regained', peer);
  }

  private checkPeers(): void {
    const errors: unknown[] = [];
    for (const [key, peer] of this.peers) {
      const silentMs = this.clock.nowMs() - (this.heardAtMs.get(key) ?? Number.NEGATIVE_INFINITY);
      if (!peer.lost && silentMs > LINK_TIMING.vehicleLostAfterMs) {
        peer.lost = true;
        try {
          this.emit('peer-lost', peer);
        } catch (err) {
          errors.push(err);
        }
      }
    }
    this.handlerFailed(errors);
  }

  private sendGcsHeartbeat(): void {
    const hb = new minimal.Heartbeat();
    hb.type = MAV_TYPE_GCS;
    hb.autopilot = MAV_AUTOPILOT_INVALID;
    hb.baseMode = 0 as minimal.MavModeFlag;
    hb.customMode = 0;
    hb.systemStatus = 4; // MAV_STATE_ACTIVE
    hb.mavlinkVersion = 3;
    this.send(hb);
  }
}

/** Unix time in µs that advances with `clock`, from the wall clock's reading now. */
function unixClockUs(clock: Clock): () => number {
  const originUs = Date.now() * 1000;
  const startMs = clock.nowMs();
  return () => originUs + (clock.nowMs() - startMs) * 1000;
}

export function isAutopilot(peer: Peer): boolean {
  return isAutopilotKind(peer);
}

function peerKey(sysid: number, compid: number): string {
  return `${sysid}/${compid}`;
}
