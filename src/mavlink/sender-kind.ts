/** MAV_AUTOPILOT_INVALID: what ground stations and other non-flight components put in a HEARTBEAT. */
export const MAV_AUTOPILOT_INVALID = 8;
/** MAV_TYPE_GCS */
export const MAV_TYPE_GCS = 6;

/** Whether a HEARTBEAT's type and autopilot fields say an autopilot (a vehicle) sent it. */
export function isAutopilotKind(sender: { type: number; autopilot: number }): boolean {
  return sender.autopilot !== MAV_AUTOPILOT_INVALID && sender.type !== MAV_TYPE_GCS;
}
