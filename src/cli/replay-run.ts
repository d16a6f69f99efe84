import { type Alert, type AlertChange, AlertService, formatUtcUs, openAlertStore } from '../alerts/index.js';
import { type ReplaySummary, replayFlight } from '../analytics/index.js';
import { DEFAULT_CAMERA } from '../camera.js';
import { loadDetector } from '../detect/index.js';
import { cameraFromSpec } from '../geotag/index.js';
import { loadSiteFiles } from '../sites/index.js';
import { interruptSignal } from './interrupt.js';
import { LiveLine, progressBar, table } from './output.js';
import type { ReplayCliOptions } from './replay.js';

export async function runReplay(opts: ReplayCliOptions): Promise<void> {
  const registry = await loadSiteFiles(opts.sites);
  const detector = await loadDetector({ modelPath: opts.model, threads: opts.threads });
  const store = openAlertStore(opts.db);
  const line = new LiveLine(process.stderr);
  let summary: ReplaySummary;
  try {
    const alerts = new AlertService({ store, sites: registry });
    // Each alert as it is committed, so a person (or a watcher) sees it before the replay ends.
    alerts.onAlert(({ alert: a, change }) => {
      line.done();
      process.stderr.write(
        `${change === 'created' ? 'alert' : 'again'} ${a.code} ${a.siteId ?? 'no site'} ` +
          `${formatUtcUs(a.firstSeenUs)} ${a.latDeg.toFixed(6)},${a.lonDeg.toFixed(6)} ±${a.uncertaintyM.toFixed(1)} m\n`,
      );
    });
    // The camera is described at any size; geotag scales it to the analysed frames.
    const camera = cameraFromSpec({ ...DEFAULT_CAMERA, hfovDeg: opts.hfov });
    summary = await replayFlight({
      tlogPath: opts.tlog,
      videoPath: opts.video,
      videoStartUs: opts.videoStart,
      offsetS: opts.offset,
      fps: opts.fps,
      analysisWidthPx: opts.width,
      camera,
      detector,
      alerts,
      signal: interruptSignal(),
      onProgress: ({ videoS, durationS, alerts: raised }) => {
        const total = Math.max(1, Math.round(durationS));
        const done = Math.min(total, Math.round(videoS));
        line.update(
          `replay ${progressBar(done, total)} s | alerts ${raised}`,
          String(Math.floor((4 * done) / total)),
        );
      },
    });
  } finally {
    line.done();
    store.close();
    await detector.close();
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(jsonOf(summary))}\n`);
    return;
  }
  printSummary(summary, opts.db);
}

/**
 * Each alert the replay touched, as it stands now: a plume's first alert and its revision are one,
 * "created" when this replay created it, "updated" when it joined one already stored.
 */
function alertsTouched(s: ReplaySummary): { alert: Alert; change: AlertChange }[] {
  const rank: Record<AlertChange, number> = { unchanged: 0, updated: 1, created: 2 };
  const byId = new Map<number, { alert: Alert; change: AlertChange }>();
  for (const { alert, change } of s.raised) {
    const before = byId.get(alert.id)?.change ?? 'unchanged';
    byId.set(alert.id, { alert, change: rank[change] > rank[before] ? change : before });
  }
  return [...byId.values()];
}

function printSummary(s: ReplaySummary, db: string): void {
  const touched = alertsTouched(s);
  const rows = touched
    .filter((r) => r.change !== 'unchanged')
    .map(({ alert: a, change }) => [
      a.code,
      change === 'created' ? 'new' : 'seen again',
      a.siteId ?? 'no site',
      a.contractor ?? '',
      formatUtcUs(a.firstSeenUs),
      a.severity,
      `${a.latDeg.toFixed(6)},${a.lonDeg.toFixed(6)}`,
      `±${a.uncertaintyM.toFixed(1)} m`,
    ]);
  if (rows.length > 0) {
    const header = [
      'alert',
      'change',
      'site',
      'contractor',
      'first seen UTC',
      'severity',
      'lat,lon',
      'error',
    ];
    process.stdout.write(`${table(header, rows)}\n`);
  }
  const speed = s.wallS > 0 ? s.videoDurationS / s.wallS : 0;
  const unchanged = touched.filter((r) => r.change === 'unchanged').length;
  process.stdout.write(
    `flight ${s.flightId}: ${s.videoDurationS.toFixed(0)} s of video, ${s.framesAnalysed} frames in ` +
      `${s.wallS.toFixed(1)} s (${speed.toFixed(1)}× real time); ${s.plumesConfirmed} plumes confirmed, ` +
      `${rows.length} alerts raised or updated${unchanged ? `, ${unchanged} already stored` : ''}` +
      ` → ${db}\n`,
  );
  for (const u of s.untagged) {
    process.stdout.write(`plume ${u.trackId} at ${u.atS.toFixed(1)} s not geotagged: ${u.reason}\n`);
  }
}

function jsonOf(s: ReplaySummary) {
  return {
    flightId: s.flightId,
    sysid: s.sysid,
    videoStartUs: s.videoStartUs,
    videoDurationS: s.videoDurationS,
    framesAnalysed: s.framesAnalysed,
    plumesConfirmed: s.plumesConfirmed,
    wallS: s.wallS,
    alerts: alertsTouched(s).map(({ alert, change }) => ({ change, ...alert })),
    untagged: s.untagged,
  };
}
