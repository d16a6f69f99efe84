import { common } from 'node-mavlink';
import { type MavLinkConnection, ONE_MINUTE_TICKS } from '../mavlink/index.js';
import { isForVehicle, type VehicleIds } from './addressing.js';

export interface SetupSigningDeps {
  ids: VehicleIds;
  armed: () => boolean;
  text: (severity: common.MavSeverity, text: string) => void;
}

/**
 * SETUP_SIGNING as ArduPilot handles it (GCS_Signing.cpp): refused while armed; otherwise the key is
 * kept and signing starts at once, its timestamp one minute past the initial one; an all-zero key with
 * timestamp 0 turns signing off. Once signing, the link drops what is not signed with the key (the
 * simulator has no USB port, which ArduPilot trusts unsigned), so only the holder of the key may
 * give it a new one. Returns the unsubscribe function.
 */
export function serveSetupSigning(link: MavLinkConnection, deps: SetupSigningDeps): () => void {
  return link.onMessage(({ message }) => {
    if (!(message instanceof common.SetupSigning)) return;
    if (!isForVehicle(message.targetSystem, message.targetComponent, deps.ids)) return;
    if (deps.armed()) {
      deps.text(common.MavSeverity.WARNING, "ERROR: Won't setup signing when armed");
      return;
    }
    const key = Buffer.from(message.secretKey);
    const initialTicks = Number(message.initialTimestamp);
    if (initialTicks === 0 && key.every((b) => b === 0)) {
      link.setSigning(null);
      return;
    }
    link.setSigning({ key, initialTicks: initialTicks + ONE_MINUTE_TICKS });
  });
}
