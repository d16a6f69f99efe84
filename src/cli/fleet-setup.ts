import { AlertService, formatUtcUs, openAlertStore } from '../alerts/index.js';
import { type CameraSpec, DEFAULT_CAMERA } from '../camera.js';
import { loadDetector } from '../detect/index.js';
import { PatrolFleet, type SortiePlan, type VehicleLinkConfig } from '../fleet/index.js';
import { cameraFromSpec } from '../geotag/index.js';
import type { SiteRegistry } from '../sites/index.js';
import { STORE_TIMING } from '../timing.js';
import type { PatrolOptions } from '../vehicle/index.js';
import { DEFAULT_VIDEO_LATENCY_MS } from './options.js';

export interface VehicleSpec {
  id: string;
  connect: string;
  video: string | null;
  /** The camera the patrol was planned for, as the pilot described it; default DEFAULT_CAMERA. */
  camera?: CameraSpec;
  videoLatencyMs?: number;
  /** The MAVLink 2 signing key of its link; none: unsigned. */
  signingKey?: Buffer;
}

export interface FleetSetup {
  registry: SiteRegistry;
  db: string;
  dataDir: string;
  vehicles: VehicleSpec[];
  plans: Map<string, SortiePlan>;
  analysisFps: number;
  patrol: Omit<PatrolOptions, 'fence' | 'rallyItems' | 'signal'>;
  log: (level: 'info' | 'warning' | 'error', text: string) => void;
}

export interface OpenedFleet {
  fleet: PatrolFleet;
  alerts: AlertService;
  /** Stops following the vehicles, closes the store and the model. */
  close(): Promise<void>;
}

/** The store, the model and the fleet of vehicles, as `patrol`, `serve` and `demo` run them. */
export async function openFleet(setup: FleetSetup): Promise<OpenedFleet> {
  const detector = await loadDetector();
  // The event loop flies the vehicles: a write waits briefly for another process's lock, and what the
  // store cannot take now (that lock, a full disk) is held in memory and written when it can.
  const store = openAlertStore(setup.db, { busyTimeoutMs: STORE_TIMING.daemonBusyTimeoutMs });
  const alerts = new AlertService({ store, sites: setup.registry, hold: {} });
  const vehicles: VehicleLinkConfig[] = setup.vehicles.map((v) => {
    return {
      id: v.id,
      connect: v.connect,
      videoUrl: v.video,
      camera: cameraFromSpec(v.camera ?? DEFAULT_CAMERA),
      videoLatencyMs: v.videoLatencyMs ?? DEFAULT_VIDEO_LATENCY_MS,
      signingKey: v.signingKey,
    };
  });
  const fleet = new PatrolFleet({
    registry: setup.registry,
    vehicles,
    plans: setup.plans,
    alerts,
    detector,
    dataDir: setup.dataDir,
    analysis: { fps: setup.analysisFps },
    patrol: setup.patrol,
    log: setup.log,
  });
  fleet.start();
  return {
    fleet,
    alerts,
    async close() {
      await fleet.close();
      // Held alerts die with the process: a last try, then their facts in the log, one line each.
      const lost = alerts.stopHolding();
      for (const p of lost) {
        const s = p.sighting;
        setup.log(
          'error',
          `alert not stored (the store is still unavailable): flight ${s.flightId}, ` +
            `${p.site.siteId ?? 'no site'} at ${s.latDeg.toFixed(6)},${s.lonDeg.toFixed(6)} ` +
            `±${s.uncertaintyM.toFixed(0)} m, ${formatUtcUs(s.firstSeenUs)}, peak ${s.peakScore.toFixed(2)}`,
        );
      }
      store.close();
      await detector.close();
    },
  };
}
