import {
  MavLinkConnection,
  openTransport,
  parseConnectionUrl,
  type Target,
} from '../../src/mavlink/index.js';
import { seededRandom } from '../../src/random.js';
import { FaultyTransport, type LinkFaults } from '../../src/sim/faults.js';
import { freeUdpPort } from './ports.js';

/** A ground station and a stand-in vehicle (system 1, component 1) over real UDP on 127.0.0.1. */
export interface LinkPair {
  gcs: MavLinkConnection;
  vehicle: MavLinkConnection;
  /** The vehicle's transport: faults apply to everything it sends and receives. */
  faults: FaultyTransport;
  target: Target;
  close(): Promise<void>;
}

export async function openLinkPair(faults: Partial<LinkFaults> = {}, seed = 1): Promise<LinkPair> {
  const port = await freeUdpPort();
  const inner = await openTransport(parseConnectionUrl(`udpin://127.0.0.1:${port}`));
  const faulty = new FaultyTransport(inner, faults, seededRandom(seed));
  const vehicle = new MavLinkConnection(faulty, { systemId: 1, componentId: 1, gcsHeartbeat: false });
  // The GCS heartbeat goes out first and tells the udpin side where to answer.
  const gcs = await MavLinkConnection.open(`udpout://127.0.0.1:${port}`);
  return {
    gcs,
    vehicle,
    faults: faulty,
    target: { sysid: 1, compid: 1 },
    close: async () => {
      await gcs.close();
      await vehicle.close();
    },
  };
}
