import { MavLinkConnection, TlogWriter } from '../mavlink/index.js';
import { Vehicle } from '../vehicle/index.js';

export interface Connected {
  link: MavLinkConnection;
  vehicle: Vehicle;
  tlog: TlogWriter | null;
  close(): Promise<void>;
}

/** Opens the link (with an optional tlog), waits for the vehicle's heartbeat, and asks for telemetry. */
export async function connectVehicle(
  url: string,
  tlogPath?: string,
  signal?: AbortSignal,
): Promise<Connected> {
  const tlog = tlogPath ? new TlogWriter(tlogPath) : null;
  const link = await MavLinkConnection.open(url, { tlog: tlog ?? undefined });
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
