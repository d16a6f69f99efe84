export { MESSAGE_REGISTRY, type MessageClass, type ReceivedMessage } from './codec.js';
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
export { LINK_TIMING } from './timing.js';
export { TlogWriter } from './tlog.js';
export { openTransport, type Transport } from './transport.js';
export { isGlobalFrame, type MissionItem, MissionType } from './mission-item.js';
