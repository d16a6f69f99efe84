export { LINK_TIMING } from '../timing.js';
export { MESSAGE_REGISTRY, type MessageClass, type ReceivedMessage } from './codec.js';
export { type CommandOptions, CommandRejectedError, mavCmdName, sendCommand } from './command-client.js';
export { type ConnectionUrl, formatConnectionUrl, parseConnectionUrl } from './connection-url.js';
export {
  GCS_COMPONENT_ID,
  GCS_SYSTEM_ID,
  isAutopilot,
  type LinkOptions,
  type LinkStats,
  MavLinkConnection,
  type Peer,
  type WaitOptions,
} from './link.js';
export {
  clearMission,
  downloadMission,
  MissionTransferError,
  type MissionTransferOptions,
  MissionVerifyError,
  missionsDiffer,
  setCurrentMissionItem,
  uploadAndVerifyMission,
  uploadMission,
} from './mission-client.js';
export { isGlobalFrame, isNavCommand, type MissionItem, MissionType } from './mission-item.js';
export { MissionServer, type MissionServerOptions } from './mission-server.js';
export type { MissionTransferState } from './mission-transfer.js';
export {
  type ParamInfo,
  type ParamOptions,
  readParam,
  type SetParamOptions,
  setParam,
} from './param-client.js';
export { type SetupSigningOptions, type SetupSigningResult, setupSigning } from './setup-signing.js';
export { LinkSigner, type SigningOptions, type SigningVerdict } from './signer.js';
export {
  appendSignature,
  computeSignature,
  hasValidSignature,
  isSignedFrame,
  ONE_MINUTE_TICKS,
  readSignatureBlock,
  SIGNING_KEY_BYTES,
  signingTicksFromUnixUs,
} from './signing.js';
export { loadSigningKey, type SigningKeyFile } from './signing-key.js';
export type { Target } from './target.js';
export {
  type BatteryPack,
  type BatteryReading,
  decodeCommandIntParams,
  decodeGimbalDeviceAttitude,
  decodeGlobalPosition,
  decodeGlobalTarget,
  decodeGpsQuality,
  decodeHomePosition,
  decodeMountStatus,
  decodeSysStatusBattery,
  decodeSystemTime,
  encodeBatteryStatus,
  encodeGlobalPosition,
  encodeGpsRaw,
  encodeHomePosition,
  encodeSysStatusBattery,
  type GimbalDeviceAttitude,
  type GlobalPosition,
  type GlobalPositionNoFix,
  type GlobalTarget,
  type GpsQuality,
  type GpsRaw,
  type HomePosition,
  type MountAngles,
  type SystemTimeFix,
} from './telemetry.js';
export { TlogWriter, type TlogWriterOptions } from './tlog.js';
export {
  countTlogPackets,
  type ReadTlogOptions,
  readTlog,
  TlogReader,
  type TlogStats,
  type TlogSummary,
  TlogTruncatedError,
  type TlogTruncation,
} from './tlog-reader.js';
export { openTransport, type Transport } from './transport.js';
