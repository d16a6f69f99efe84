import type { ReceivedMessage } from './codec.js';
import type { MavLinkConnection } from './link.js';

/** The system and component a request goes to: the component whose heartbeat named the vehicle. */
export interface Target {
  sysid: number;
  compid: number;
}

interface Addressed {
  targetSystem?: number;
  targetComponent?: number;
}

/** True when `rx` came from `target` and, where it names a recipient, names this link (0: everyone). */
export function isFromTarget(rx: ReceivedMessage, target: Target, link: MavLinkConnection): boolean {
  return rx.sysid === target.sysid && rx.compid === target.compid && isAddressedTo(rx, link);
}

/** True when a message without recipient fields, or one addressed to this link's system and component. */
function isAddressedTo(rx: ReceivedMessage, link: MavLinkConnection): boolean {
  const { targetSystem, targetComponent } = rx.message as Addressed;
  if (targetSystem !== undefined && targetSystem !== 0 && targetSystem !== link.systemId) return false;
  return targetComponent === undefined || targetComponent === 0 || targetComponent === link.componentId;
}
