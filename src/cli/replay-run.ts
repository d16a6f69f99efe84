import fs from 'node:fs';
import {
  type Alert,
  type AlertChange,
  AlertService,
  type AlertStore,
  formatUtcUs,
  openAlertStore,
  removeAlertStore,
} from '../alerts/index.js';
import { type ReplaySummary, replayFlight } from '../analytics/index.js';
import { DEFAULT_CAMERA } from '../camera.js';
import { loadDetector } from '../detect/index.js';
import { cameraFromSpec } from '../geotag/index.js';
import { loadSiteFiles } from '../sites/index.js';
import { interruptSignal } from './interrupt.js';
import { LiveLine, printable, progressBar, table } from './output.js';
import type { ReplayCliOptions } from './replay.js';

export async function runReplay(opts: ReplayCliOptions): Promise<void> {
  const registry = await loadSiteFiles(opts.sites);
  const detector = await loadDetector({ modelPath: opts.model, threads: opts.threads });
  const storeIsNew = !fs.existsSync(opts.db);
  let store: AlertStore;
  try {
    store = openAlertStore(opts.db);
  } catch (err) {
    // A new file SQLite made before failing (a full disk while creating the schema).
    if (storeIsNew) removeAlertStore(opts.db);
    throw err;
  }
  const line = new LiveLine(process.stderr);
  let summary: ReplaySummary;
  let failed = true;
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
    failed = false;
  } finally {
    line.done();
    closeStore(store, failed && storeIsNew);
    await detector.close();
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(jsonOf(summary))}\n`);
  else printSummary(summary, opts.db);
  if (summary.videoDamage !== undefined) {
    // As for an unreadable photo in a folder: what could be read is analysed and stored, then status 1.
    process.stderr.write(
      `dustpatrol: ${printable(opts.video)}: damaged or cut short (ffmpeg: ${printable(summary.videoDamage)}); ` +
        `analysed up to ${summary.lastFrameS.toFixed(1)} s of ${summary.videoDurationS.toFixed(1)} s\n`,
    );
    process.exitCode = 1;
  }
}

/**
 * Closes the store; one this run created and that failed before a flight was stored in it (a missing
 * tlog, a video that cannot be read) is removed, so a failed replay leaves no empty store behind.
 */
function closeStore(store: AlertStore, removeIfUnused: boolean): void {
  let unused = false;
  try {
    unused = removeIfUnused && store.listFlights(1).length === 0;
  } catch {
    // Unreadable now: keep it, and let the replay's own error be the one told.
  }
  store.close();
  if (unused) removeAlertStore(store.file);
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
      `${s.videoDamage === undefined ? '' : `; video damaged or cut short, analysed up to ${s.lastFrameS.toFixed(1)} s`}` +
      ` → ${db}\n` +
      `footage index: ${s.footageViews} view${s.footageViews === 1 ? '' : 's'} of the ground in the video\n`,
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
    videoDamage: s.videoDamage ?? null,
    lastFrameS: s.lastFrameS,
    footageViews: s.footageViews,
  };
}
