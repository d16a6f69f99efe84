import { EventEmitter } from 'node:events';
import type { Clock } from '../../src/clock.js';
import {
  type ConnectionUrl,
  MavLinkConnection,
  openTransport,
  parseConnectionUrl,
  type Target,
  type Transport,
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

/**
 * One end of an in-memory link whose packets take `latencyMs` of `clock` time to reach the other end,
 * so that a test's simulated clock governs the round trip as well as the protocol's timers. An end
 * that `answersLatest` (a vehicle's) sends to the end it last heard from, as a vehicle's udpin answers
 * the ground station that spoke last: a second ground-station end (a restarted daemon) takes it over.
 */
class SimulatedTransport extends EventEmitter implements Transport {
  peer: SimulatedTransport | undefined;
  private closed = false;

  constructor(
    readonly url: ConnectionUrl,
    private readonly clock: Clock,
    private readonly latencyMs: number,
    private readonly answersLatest = false,
  ) {
    super();
  }

  write(bytes: Buffer): boolean {
    const peer = this.peer;
    if (this.closed || !peer) return false;
    const copy = Buffer.from(bytes);
    this.clock.setTimeout(() => {
      if (peer.closed) return;
      if (peer.answersLatest) peer.peer = this;
      peer.emit('data', copy);
    }, this.latencyMs);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/**
 * The two ends of an in-memory link whose packets take `latencyMs` of `clock` time each way: for a
 * simulator (on the same clock) and a ground-station link. `connectGcs` opens another ground-station
 * end to the same vehicle end (a restarted daemon's new link): the vehicle answers it once it hears it.
 */
export function openSimulatedTransportPair(
  clock: Clock,
  latencyMs = 5,
): { gcs: Transport; vehicle: Transport; connectGcs(): Transport } {
  const url: ConnectionUrl = { kind: 'udpout', host: 'simulated', port: 0 };
  const vehicle = new SimulatedTransport(url, clock, latencyMs, true);
  const connectGcs = () => {
    const gcs = new SimulatedTransport(url, clock, latencyMs);
    gcs.peer = vehicle;
    return gcs;
  };
  const gcs = connectGcs();
  vehicle.peer = gcs;
  return { gcs, vehicle, connectGcs };
}

/**
 * Like openLinkPair, but in memory and in simulated time: every packet travels `latencyMs` on `clock`
 * (a FakeClock), and the vehicle side drops or duplicates packets as `faults` say (seeded).
 */
export function openSimulatedLinkPair(
  clock: Clock,
  {
    latencyMs = 5,
    ...faults
  }: Partial<Pick<LinkFaults, 'lossIn' | 'lossOut' | 'duplicate' | 'latencyMs'>> = {},
  seed = 1,
): LinkPair {
  const { gcs: gcsEnd, vehicle: vehicleEnd } = openSimulatedTransportPair(clock, latencyMs);
  // FaultyTransport applies loss and duplicates at once; latency is the simulated transport's.
  const faulty = new FaultyTransport(vehicleEnd, faults, seededRandom(seed));
  const vehicle = new MavLinkConnection(faulty, { systemId: 1, componentId: 1, gcsHeartbeat: false });
  const gcs = new MavLinkConnection(gcsEnd, { gcsHeartbeat: false });
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
