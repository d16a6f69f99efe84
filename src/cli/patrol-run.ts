import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { formatUtcUs } from '../alerts/index.js';
import type { CameraSpec } from '../camera.js';
import { UserError } from '../errors.js';
import { loadPatrolPlan, type PatrolOutcome, type SortiePlan } from '../fleet/index.js';
import { parseConnectionUrl } from '../mavlink/index.js';
import { type PlanSettings, planSettings } from '../plan/index.js';
import { type HubEvent, type RunningServer, startServer } from '../server/index.js';
import { loadSiteFiles } from '../sites/index.js';
import { type OpenedFleet, openFleet } from './fleet-setup.js';
import { LiveLine, table } from './output.js';
import type { PatrolCliOptions } from './patrol.js';
import { PilotKeys } from './pilot-keys.js';
import { guardProcess } from './process-guard.js';
import { readSigningKeyFlag } from './signing-key.js';

/** Exit status of a patrol that landed before its last waypoint (a failsafe or the pilot's abort). */
const EXIT_PATROL_UNFINISHED = 3;

export async function runPatrol(file: string, opts: PatrolCliOptions): Promise<void> {
  const out = process.stdout;
  const line = new LiveLine(process.stderr);
  // With --json, stdout holds the summary alone (for machines); the pilot's lines go to stderr.
  const sayTo = opts.json ? process.stderr : out;
  const say = (text: string) => {
    line.done();
    sayTo.write(`${text}\n`);
  };
  // A malformed URL is the pilot's mistake, refused now: the fleet would retry it as a silent vehicle.
  parseConnectionUrl(opts.connect);
  const signingKey = readSigningKeyFlag(opts.signingKey);
  const plan = await loadPatrolPlan(file, { settings: patrolPlanSettings(opts), sortie: opts.sortie });
  const registry = opts.sites ? await loadSiteFiles(opts.sites) : plan.registry;
  if (!registry)
    throw new UserError(`${file} is a mission, not a site file: give --sites for attributing alerts`, 2);
  // The pilot's screen gets one line per fault; the log beside the flights gets everything, stacks too.
  const logFile = path.resolve(opts.dataDir, PATROL_LOG);
  const log = fileLog(logFile);
  const unguard = guardProcess((line, stack) => {
    log('error', `${line}\n${stack}`);
    say(`ERROR: internal error: ${line}; details in ${path.relative(process.cwd(), logFile)}`);
  });
  if (!opts.video) say('no --video: flying without live analytics');
  say(
    `patrol: ${plan.name}, ${plan.items.length - 1} mission items, vehicle ${opts.vehicle} on ${opts.connect}`,
  );

  const opened = await openFleet({
    registry,
    db: opts.db,
    dataDir: opts.dataDir,
    vehicles: [
      {
        id: opts.vehicle,
        connect: opts.connect,
        video: opts.video ?? null,
        camera: patrolCamera(opts),
        videoLatencyMs: opts.videoLatency,
        signingKey,
      },
    ],
    plans: new Map([[opts.vehicle, plan]]),
    analysisFps: opts.fps,
    patrol: {
      minBatteryPct: opts.minBattery,
      reserveBatteryPct: opts.reserve,
      linkLossWarnAfterS: opts.linkLossWarn,
    },
    log,
  });
  const { fleet } = opened;
  let server: RunningServer | null = null;
  const keys = new PilotKeys(opts.vehicle, fleet, say, () => void fleet.close());
  try {
    if (opts.serve !== undefined) {
      const served = await serveDashboard(
        opened,
        opts.serve,
        (level, text) => level !== 'info' && say(`server: ${text}`),
      );
      server = served;
      const url = `${served.url}/?token=${served.token}`;
      say(`dashboard: ${url}`);
    }
    fleet.subscribe((event) => onHubEvent(event, say, line));
    keys.start();
    const outcome = await fleet.patrol(opts.vehicle, plan, { resume: opts.resume ?? false });
    line.done();
    out.write(
      opts.json
        ? `${JSON.stringify(summaryJson(outcome, plan), null, 2)}\n`
        : formatSummary(outcome, plan, opened),
    );
    if (outcome.result.ending !== 'completed') {
      throw new UserError(
        `the patrol did not finish (${outcome.result.endingText}): after a battery swap, add --resume to continue from waypoint ${outcome.record.lastReachedSeq ?? 0}`,
        EXIT_PATROL_UNFINISHED,
      );
    }
  } finally {
    keys.stop();
    line.done();
    await server?.close();
    await opened.close();
    unguard();
  }
}

/** The patrol's log, beside its flights: every event, and the stack of every fault. */
const PATROL_LOG = 'patrol.log';

/** Appends timestamped lines to `file`; a line that cannot be written (a full disk) is skipped. */
function fileLog(file: string): (level: string, text: string) => void {
  return (level, text) => {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.appendFileSync(file, `${new Date().toISOString()} ${level.padEnd(7)} ${text}\n`);
    } catch {
      // The pilot has had the line on screen; the log keeps what its disk allows.
    }
  };
}

/** The camera the flags describe: geotagging uses it, and a patrol planned here spaces its swaths for it. */
export function patrolCamera(opts: Pick<PatrolCliOptions, 'cameraSize' | 'cameraHfov'>): CameraSpec {
  return { ...opts.cameraSize, hfovDeg: opts.cameraHfov };
}

/** Settings for planning a site file here: the defaults, the pilot's flags and camera. */
export function patrolPlanSettings(
  opts: Pick<PatrolCliOptions, 'altitude' | 'pattern' | 'reserve' | 'cameraSize' | 'cameraHfov'>,
): PlanSettings {
  const overrides = {
    altitudeRelM: opts.altitude,
    patternOverride: opts.pattern,
    reservePct: opts.reserve,
    cameraHfovDeg: patrolCamera(opts).hfovDeg,
  };
  return planSettings(Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)));
}

/** The pilot's view of the hub: events and alerts as lines, telemetry as the live status line. */
function onHubEvent(event: HubEvent, say: (text: string) => void, line: LiveLine): void {
  if (event.type === 'event')
    say(`${event.level === 'info' ? '' : `${event.level.toUpperCase()}: `}${event.text}`);
  else if (event.type === 'store' && event.text)
    say(`${event.level === 'info' ? '' : `${event.level.toUpperCase()}: `}${event.text}`);
  else if (event.type === 'alert' && event.change === 'created') {
    const a = event.alert;
    say(
      `ALERT ${a.code} ${a.siteId ?? 'no site'}${a.contractor ? ` (${a.contractor})` : ''} ${a.severity} ` +
        `at ${a.latDeg.toFixed(6)},${a.lonDeg.toFixed(6)} ±${a.uncertaintyM.toFixed(0)} m, ${formatUtcUs(a.firstSeenUs)}`,
    );
  } else if (event.type === 'telemetry') {
    const v = event.vehicle;
    const wp = v.waypoint ? `wp ${v.waypoint.current}/${v.waypoint.total}` : 'wp -';
    const video = v.video
      ? `video ${v.video.live ? 'live' : 'DOWN'} ${v.video.framesAnalysed} frames` +
        (v.video.framesSkipped > 0 ? ` (${v.video.framesSkipped} skipped)` : '')
      : 'no video';
    line.update(
      [
        `${v.patrolStatus} ${v.modeName}`,
        v.altRelM === null ? 'alt ?' : `alt ${v.altRelM.toFixed(0)} m`,
        `bat ${v.batteryPct ?? '?'} %`,
        wp,
        `alerts ${v.alertsRaised}`,
        video,
        v.connected ? 'link ok' : 'LINK LOST',
      ].join(' | '),
      v.patrolStatus,
    );
  }
}

/** The dashboard for this run, on loopback with a fresh pilot token. */
async function serveDashboard(
  opened: OpenedFleet,
  port: number,
  log: (level: string, text: string) => void,
): Promise<RunningServer & { token: string }> {
  const token = randomBytes(16).toString('hex');
  const server = await startServer({
    hub: opened.fleet,
    port,
    tokens: [{ token, role: 'pilot', name: 'pilot' }],
    log,
  });
  return Object.assign(server, { token });
}

function formatSummary(o: PatrolOutcome, plan: SortiePlan, opened: OpenedFleet): string {
  const r = o.result;
  const alerts = opened.alerts.store.listAlerts({ flightId: o.record.flightId });
  const rows: string[][] = [
    ['flight', o.record.flightId],
    ['ended', `${o.record.status}: ${r.endingText}`],
    ['waypoints', `${o.record.lastReachedSeq ?? 0}/${plan.items.length - 1} reached`],
    ['time', `${r.durationS.toFixed(0)} s, max ${r.maxAltRelM.toFixed(0)} m above home`],
    ['battery used', r.batteryUsedPct === null ? '?' : `${r.batteryUsedPct} %`],
    [
      'alerts',
      alerts.length === 0 ? 'none' : alerts.map((a) => `${a.code} ${a.siteId ?? 'no site'}`).join(', '),
    ],
    ['tlog', path.relative(process.cwd(), o.tlogPath)],
    ...o.videoFiles.map((f, i) => [i === 0 ? 'video' : '', path.relative(process.cwd(), f)]),
  ];
  return `${table(['patrol', ''], rows)}\n`;
}

function summaryJson(o: PatrolOutcome, plan: SortiePlan) {
  return {
    flightId: o.record.flightId,
    plan: plan.name,
    status: o.record.status,
    ending: o.result.ending,
    endingText: o.result.endingText,
    lastReachedSeq: o.record.lastReachedSeq,
    missionItems: plan.items.length - 1,
    durationS: o.result.durationS,
    batteryUsedPct: o.result.batteryUsedPct,
    alertsRaised: o.alertsRaised,
    tlog: o.tlogPath,
    video: o.videoFiles,
  };
}
