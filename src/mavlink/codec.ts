import {
  ardupilotmega,
  common,
  type MavLinkData,
  type MavLinkDataConstructor,
  type MavLinkPacketRegistry,
  MavLinkProtocolV1,
  MavLinkProtocolV2,
  minimal,
  standard,
} from 'node-mavlink';

/** Every message class dustpatrol understands: the minimal, standard, common and ArduPilot dialects. */
export const MESSAGE_REGISTRY: MavLinkPacketRegistry = {
  ...minimal.REGISTRY,
  ...standard.REGISTRY,
  ...common.REGISTRY,
  ...ardupilotmega.REGISTRY,
};

/** A decoded packet with where it came from and when it arrived. */
export interface ReceivedMessage<T extends MavLinkData = MavLinkData> {
  message: T;
  msgid: number;
  sysid: number;
  compid: number;
  seq: number;
  /** Arrival time, microseconds since the Unix epoch (or log time when replaying). */
  timeUs: number;
  /** The packet's bytes as they came off the wire. */
  bytes: Buffer;
  /** True when it came signed with the link's key, its signature and timestamp checked. */
  signed?: boolean;
}

export type MessageClass<T extends MavLinkData = MavLinkData> = MavLinkDataConstructor<T>;

/** Signs a MAVLink 2 frame built with the signed flag set (a link's `LinkSigner`). */
export interface FrameSigner {
  sign(frame: Buffer): Buffer;
}

/** Builds MAVLink 2 frames for one sender (system, component) with its own sequence counter. */
export class FrameEncoder {
  private readonly protocol: MavLinkProtocolV2;
  /** The same with the signed incompatibility flag, which the checksum covers. */
  private readonly signedProtocol: MavLinkProtocolV2;
  private seq = 0;

  constructor(
    readonly systemId: number,
    readonly componentId: number,
  ) {
    this.protocol = new MavLinkProtocolV2(systemId, componentId);
    this.signedProtocol = new MavLinkProtocolV2(systemId, componentId, MavLinkProtocolV2.IFLAG_SIGNED);
  }

  /** The frame of `message`, signed by `signer` when there is one. */
  encode(message: MavLinkData, signer?: FrameSigner | null): Buffer {
    const frame = signer
      ? signer.sign(this.signedProtocol.serialize(message, this.seq))
      : this.protocol.serialize(message, this.seq);
    this.seq = (this.seq + 1) & 0xff;
    return frame;
  }
}

const V1_STX = MavLinkProtocolV1.START_BYTE;

/** Decodes one CRC-checked frame; returns null when the message id is not in the registry. */
export function decodeFrame(bytes: Buffer, timeUs: number): ReceivedMessage | null {
  const protocol = bytes[0] === V1_STX ? new MavLinkProtocolV1() : new MavLinkProtocolV2();
  const header = protocol.header(bytes);
  const clazz = MESSAGE_REGISTRY[header.msgid];
  if (!clazz) return null;
  const message = protocol.data(protocol.payload(bytes), clazz);
  return {
    message,
    msgid: header.msgid,
    sysid: header.sysid,
    compid: header.compid,
    seq: header.seq,
    timeUs,
    bytes,
  };
}
