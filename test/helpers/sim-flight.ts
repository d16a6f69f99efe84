import path from 'node:path';
import { common } from 'node-mavlink';
import { AlertService, openAlertStore } from '../../src/alerts/index.js';
import { replayFlight } from '../../src/analytics/index.js';
import { loadDetector } from '../../src/detect/index.js';
import { cameraFromFov } from '../../src/geotag/index.js';
import { MavLinkConnection, type MissionItem, TlogWriter } from '../../src/mavlink/index.js';
import {
  type GroundTruth,
  groundTruth,
  loadWorld,
  RECORDING_FILES,
  SimCamera,
  type SimCameraSpec,
  type World,
  writeGroundTruth,
} from '../../src/sim/camera/index.js';
import { startSimulator } from '../../src/sim/index.js';
import { loadSiteFiles } from '../../src/sites/index.js';
import { flyMission, Vehicle } from '../../src/vehicle/index.js';
import { REPO_ROOT } from './cli.js';
import { freeUdpPort } from './ports.js';

/** The demo world's launch point (missions/demo-world.geojson), at the demo's home elevation. */
export const DEMO_HOME = { latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 };
export const DEMO_WORLD = path.join(REPO_ROOT, 'missions/demo-world.geojson');
export const DEMO_SITES = path.join(REPO_ROOT, 'missions/demo-sites.geojson');
/** Over every demo site: D-01's, D-04's plumes, plume-free D-03, D-02's, then D-05's over pale soil. */
export const DEMO_ROUTE = [
  { latDeg: 34.7261, lonDeg: 113.63155 }, // D-01's plume
  { latDeg: 34.7283, lonDeg: 113.6349 }, // D-04's
  { latDeg: 34.7209203, lonDeg: 113.6331461 }, // D-03, no plume
  { latDeg: 34.724, lonDeg: 113.6256 }, // D-02's
  { latDeg: 34.7196, lonDeg: 113.6266 }, // D-05's, over pale soil
];

const { MavCmd, MavFrame } = common;
const MAV_MOUNT_MODE_MAVLINK_TARGETING = 2;

export interface SimFlightOptions {
  dir: string;
  /** Points to fly over in order, at altRelM, camera straight down. */
  route: { latDeg: number; lonDeg: number }[];
  /** The mission to fly instead of the route's (item 0 home, DEMO_HOME); altRelM is then unused. */
  mission?: MissionItem[];
  /** Seconds to hover over each point (a patrol's point watch); default 0. */
  holdS?: number;
  altRelM: number;
  camera: Partial<SimCameraSpec>;
  speedup: number;
  worldFile?: string;
  /** Wind speed, m/s, blowing from the world's wind direction (the way its plumes drift); default 3. */
  windSpeedMs?: number;
  /** σ of the errors in the reported position (m) and attitude (°). */
  positionNoiseM?: number;
  attitudeNoiseDeg?: number;
  seed?: number;
}

export interface SimFlight {
  tlog: string;
  video: string;
  truth: GroundTruth;
}

/**
 * Flies the simulator with its camera over a route, as a pilot would with `dustpatrol fly`: upload,
 * checks, arm, take off, AUTO, land. Leaves DIR/flight.tlog (the vehicle's packets on its own clock),
 * DIR/video.mkv and DIR/truth.json — a recorded flight for replay.
 */
export async function flySimFlight(opts: SimFlightOptions): Promise<SimFlight> {
  const world = await loadWorld(opts.worldFile ?? DEMO_WORLD);
  const tlogPath = path.join(opts.dir, RECORDING_FILES.tlog);
  const videoPath = path.join(opts.dir, RECORDING_FILES.video);
  const tlog = new TlogWriter(tlogPath);
  const port = await freeUdpPort();
  const noise = { positionNoiseM: opts.positionNoiseM ?? 0, attitudeNoiseDeg: opts.attitudeNoiseDeg ?? 0 };
  const sim = await startSimulator({
    connect: `udpin://127.0.0.1:${port}`,
    home: DEMO_HOME,
    speedup: opts.speedup,
    seed: opts.seed ?? 1,
    windSpeedMs: opts.windSpeedMs ?? 3,
    windFromDeg: world.windFromDeg,
    tlog,
    ...noise,
  });
  const camera = new SimCamera(sim, { world, camera: opts.camera, recordFile: videoPath });
  const link = await MavLinkConnection.open(`udpout://127.0.0.1:${port}`);
  try {
    const vehicle = await Vehicle.connect(link);
    const mission = opts.mission ?? missionOver(opts.route, opts.altRelM, opts.holdS ?? 0);
    await flyMission(vehicle, mission, { minBatteryPct: 30 });
  } finally {
    await link.close();
    await camera.close();
    await sim.close();
    tlog.close();
  }
  if (camera.error) throw camera.error;
  const truth = groundTruth(world, camera, noise);
  await writeGroundTruth(opts.dir, truth);
  return { tlog: tlogPath, video: videoPath, truth };
}

function item(command: number, frame: number, params: number[], x = 0, y = 0, z = 0): MissionItem {
  const [param1 = 0, param2 = 0, param3 = 0, param4 = 0] = params;
  return { command, frame, param1, param2, param3, param4, x, y, z, autocontinue: true };
}

/** Camera down, take off, each point in turn, camera up, return and land. Item 0 is home (the vehicle's own). */
export function missionOver(
  route: { latDeg: number; lonDeg: number }[],
  altRelM: number,
  holdS: number,
): MissionItem[] {
  const relative = MavFrame.GLOBAL_RELATIVE_ALT;
  const last = route[route.length - 1];
  return [
    item(MavCmd.NAV_WAYPOINT, MavFrame.GLOBAL, [], DEMO_HOME.latDeg, DEMO_HOME.lonDeg, DEMO_HOME.altAmslM),
    item(MavCmd.DO_MOUNT_CONTROL, MavFrame.MISSION, [-90], 0, 0, MAV_MOUNT_MODE_MAVLINK_TARGETING),
    item(MavCmd.NAV_TAKEOFF, relative, [], DEMO_HOME.latDeg, DEMO_HOME.lonDeg, altRelM),
    ...route.map((p) => item(MavCmd.NAV_WAYPOINT, relative, [holdS], p.latDeg, p.lonDeg, altRelM)),
    // The way home is not patrolled: camera up to the horizon, where nothing is placed (the model's
    // false alarms on the bare ground around the launch point are the detector's, see models/README.md).
    // A DO command runs when the waypoint before it starts, so it follows a second, zero-hold visit of
    // the last point: the camera goes up only once that point's hold is over.
    item(MavCmd.NAV_WAYPOINT, relative, [0], last.latDeg, last.lonDeg, altRelM),
    item(MavCmd.DO_MOUNT_CONTROL, MavFrame.MISSION, [10], 0, 0, MAV_MOUNT_MODE_MAVLINK_TARGETING),
    item(MavCmd.NAV_RETURN_TO_LAUNCH, MavFrame.MISSION, []),
  ];
}

/** The planner's point watch (src/plan/patterns/point-watch.ts) hovers this far beyond the site's edge. */
const POINT_WATCH_OFFSET_M = 30;

/**
 * A patrol's point watches, as the planner makes them: for each site in turn, hover south of its centre
 * POINT_WATCH_OFFSET_M beyond its edge at the watch's altitude for holdS, the camera on the site's
 * centre (ROI, set as the drone sets off for it, so it looks on the way there too); then home with the
 * camera up. Item 0 is home (DEMO_HOME).
 */
export function pointWatchMission(
  world: World,
  watches: { siteId: string; altRelM: number }[],
  holdS: number,
): MissionItem[] {
  const relative = MavFrame.GLOBAL_RELATIVE_ALT;
  const points = watches.map(({ siteId, altRelM }) => {
    const site = world.sites.find((s) => s.id === siteId);
    if (!site) throw new Error(`${world.source} has no site ${siteId}`);
    const centreE = (site.minE + site.maxE) / 2;
    const centreN = (site.minN + site.maxN) / 2;
    const target = world.frame.toGeo({ eastM: centreE, northM: centreN, upM: 0 });
    const hover = world.frame.toGeo({ eastM: centreE, northM: site.minN - POINT_WATCH_OFFSET_M, upM: 0 });
    return { target, hover, altRelM };
  });
  const last = points[points.length - 1];
  return [
    item(MavCmd.NAV_WAYPOINT, MavFrame.GLOBAL, [], DEMO_HOME.latDeg, DEMO_HOME.lonDeg, DEMO_HOME.altAmslM),
    item(MavCmd.NAV_TAKEOFF, relative, [], DEMO_HOME.latDeg, DEMO_HOME.lonDeg, points[0].altRelM),
    // A DO item runs when the navigation item before it starts.
    ...points.flatMap((p) => [
      item(MavCmd.NAV_WAYPOINT, relative, [holdS], p.hover.latDeg, p.hover.lonDeg, p.altRelM),
      item(MavCmd.DO_SET_ROI_LOCATION, relative, [], p.target.latDeg, p.target.lonDeg, 0),
    ]),
    item(MavCmd.NAV_WAYPOINT, relative, [0], last.hover.latDeg, last.hover.lonDeg, last.altRelM),
    item(MavCmd.DO_SET_ROI_NONE, MavFrame.MISSION, []),
    item(MavCmd.DO_MOUNT_CONTROL, MavFrame.MISSION, [10], 0, 0, MAV_MOUNT_MODE_MAVLINK_TARGETING),
    item(MavCmd.NAV_RETURN_TO_LAUNCH, MavFrame.MISSION, []),
  ];
}

/**
 * Replays a simulated flight into the SQLite alert store at `db` (the site file `sites`, default the
 * demo sites, `fps` frames a second) with the model at `modelPath` (default the committed one); returns
 * the summary and the alerts.
 */
export async function replaySimFlight(
  flight: SimFlight,
  opts: {
    db: string;
    fps: number;
    camera: { widthPx: number; heightPx: number; hfovDeg: number };
    modelPath?: string;
    sites?: string;
  },
) {
  const store = openAlertStore(opts.db);
  const detector = await loadDetector({ modelPath: opts.modelPath });
  try {
    const summary = await replayFlight({
      tlogPath: flight.tlog,
      videoPath: flight.video,
      fps: opts.fps,
      camera: cameraFromFov({
        widthPx: opts.camera.widthPx,
        heightPx: opts.camera.heightPx,
        horizontalFovDeg: opts.camera.hfovDeg,
      }),
      detector,
      alerts: new AlertService({ store, sites: await loadSiteFiles([opts.sites ?? DEMO_SITES]) }),
    });
    return { summary, alerts: store.listAlerts() };
  } finally {
    store.close();
    await detector.close();
  }
}
