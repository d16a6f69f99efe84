import { MavLinkConnection, TlogWriter } from '../mavlink/index.js';
import { Vehicle } from '../vehicle/index.js';
import { readSigningKeyFlag } from './signing-key.js';

export interface Connected {
  link: MavLinkConnection;
  vehicle: Vehicle;
  tlog: TlogWriter | null;
  close(): Promise<void>;
}

/**
 * Opens the link (with an optional tlog, signed with the key of `signingKeyFile` when given), waits
 * for the vehicle's heartbeat, and asks for telemetry.
 */
export async function connectVehicle(
  url: string,
  tlogPath?: string,
  signal?: AbortSignal,
  signingKeyFile?: string,
): Promise<Connected> {
  const key = readSigningKeyFlag(signingKeyFile);
  const tlog = tlogPath ? new TlogWriter(tlogPath) : null;
  const link = await MavLinkConnection.open(url, {
    tlog: tlog ?? undefined,
    signing: key ? { key } : undefined,
  });
  try {
    const vehicle = await Vehicle.connect(link, signal);
    return {
      link,
      vehicle,
      tlog,
      async close() {
        vehicle.close();
        await link.close();
        tlog?.close();
      },
    };
  } catch (err) {
    await link.close();
    tlog?.close();
    throw err;
  }
}
