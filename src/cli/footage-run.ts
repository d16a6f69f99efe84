import fs from 'node:fs';
import path from 'node:path';
import {
  type AlertStore,
  type FootagePlace,
  type FootageRange,
  findFootage,
  formatUtcUs,
  isoUtcUs,
  openAlertStore,
} from '../alerts/index.js';
import { UserError } from '../errors.js';
import { loadAreaFile, loadSiteFiles } from '../sites/index.js';
import { type ClipCut, cutClip } from '../video/index.js';
import type { FootageCliOptions } from './footage.js';
import { printable, table } from './output.js';

interface Found extends FootageRange {
  missing: boolean;
  clip: ClipCut | null;
}

export async function runFootage(opts: FootageCliOptions): Promise<void> {
  if (opts.since !== undefined && opts.until !== undefined && opts.since > opts.until) {
    throw new UserError(`--since ${isoUtcUs(opts.since)} is after --until ${isoUtcUs(opts.until)}`);
  }
  const store = openAlertStore(opts.db, { readOnly: true });
  let found: Found[];
  let indexed: number;
  try {
    const place = await placeOf(opts, store);
    indexed = store.footage.recordings().length;
    found = findFootage(store.footage, place, { sinceUs: opts.since, untilUs: opts.until }).map((r) => ({
      ...r,
      missing: !isFile(r.recording.path),
      clip: null,
    }));
  } finally {
    store.close();
  }
  const warn = (text: string) => process.stderr.write(`dustpatrol: warning: ${printable(text)}\n`);
  let skipped = 0;
  if (opts.clip !== undefined) skipped = await cutClips(found, opts.clip, placeTag(opts), warn);
  else {
    for (const file of new Set(found.filter((r) => r.missing).map((r) => r.recording.path))) {
      warn(`${file}: the recording is missing (moved or deleted since it was indexed)`);
    }
  }

  if (opts.json) process.stdout.write(`${JSON.stringify(jsonOf(found))}\n`);
  else printRanges(found, describePlace(opts), opts.db, indexed);
  if (skipped > 0) {
    process.stderr.write(`dustpatrol: ${skipped} clip${skipped === 1 ? '' : 's'} not written (see above)\n`);
    process.exitCode = 1;
  }
}

/** The place asked about, as an area or a point; an unknown site or a bad area file is one UserError. */
async function placeOf(opts: FootageCliOptions, store: AlertStore): Promise<FootagePlace> {
  if (opts.at) return { kind: 'point', ...opts.at };
  if (opts.area !== undefined) return { kind: 'area', geometry: await loadAreaFile(opts.area) };
  const id = opts.site as string;
  if (opts.sites) {
    const site = (await loadSiteFiles(opts.sites)).sites.find((s) => s.id === id);
    if (!site) throw new UserError(`--site ${id}: no such site in ${opts.sites.join(', ')}`);
    return { kind: 'area', geometry: site.geometry };
  }
  const site = store.storedSites().find((s) => s.id === id);
  if (!site)
    throw new UserError(`--site ${id}: no such site in ${store.file} (give its site file with --sites)`);
  return { kind: 'area', geometry: site.geometry };
}

/**
 * Cuts each range of a recording that is there into DIR, one line each as it is written; a missing
 * recording, or one ffmpeg cannot cut, is skipped with a warning. Returns how many were skipped.
 */
async function cutClips(
  found: Found[],
  dir: string,
  tag: string,
  warn: (text: string) => void,
): Promise<number> {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`--clip ${dir}: cannot make the folder: ${(err as Error).message}`);
  }
  let skipped = 0;
  // Two ranges of a recording whose keyframe before them is the same one (a long GOP) start alike.
  const taken = new Set<string>();
  const nameFor = (stem: string) => {
    let name = `${stem}.mp4`;
    for (let n = 2; taken.has(name); n++) name = `${stem}_${n}.mp4`;
    taken.add(name);
    return path.join(dir, name);
  };
  for (const range of found) {
    const what = `${range.recording.flightId} ${formatUtcUs(range.startUs)}`;
    if (range.missing) {
      warn(`clip of ${what} skipped: ${range.recording.path}: the recording is missing`);
      skipped++;
      continue;
    }
    try {
      const cut = await cutClip(range.recording.path, range.startOffsetS, range.endOffsetS, (startS) => {
        const startUs = range.startUs - (range.startOffsetS - startS) * 1e6;
        return nameFor(`${tag}_${safeName(range.recording.flightId)}_${compactUtc(startUs)}`);
      });
      range.clip = cut;
      const file = cut.file;
      process.stderr.write(
        `clip ${printable(file)}: ${cut.durationS.toFixed(1)} s from ${offset(cut.startS)} of ${printable(range.recording.path)}\n`,
      );
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      warn(`clip of ${what} skipped: ${err.message}`);
      skipped++;
    }
  }
  return skipped;
}

function printRanges(found: Found[], place: string, db: string, indexed: number): void {
  if (found.length === 0) {
    const hint = indexed === 0 ? ' (the index is empty: replay recorded flights to index them)' : '';
    process.stdout.write(`no footage of ${place} in ${db}${hint}\n`);
    return;
  }
  const rows = found.map((r) => [
    r.recording.flightId,
    `${shownPath(r.recording.path)}${r.missing ? ' (missing)' : ''}`,
    formatUtcUs(r.startUs).replace(' UTC', ''),
    formatUtcUs(r.endUs).replace(' UTC', ''),
    `${offset(r.startOffsetS)}–${offset(r.endOffsetS)}`,
    share(r.viewShare),
    r.clip ? shownPath(r.clip.file) : '',
  ]);
  const header = ['flight', 'video', 'from UTC', 'to UTC', 'in the video', 'in view', 'clip'];
  const flights = new Set(found.map((r) => r.recording.flightId)).size;
  process.stdout.write(
    `${table(header, rows)}\n${found.length} range${found.length === 1 ? '' : 's'} of ${place} in ` +
      `${flights} flight${flights === 1 ? '' : 's'}\n`,
  );
}

function jsonOf(found: Found[]) {
  return found.map((r) => ({
    flightId: r.recording.flightId,
    recordingId: r.recording.id,
    videoPath: r.recording.path,
    missing: r.missing,
    startUs: r.startUs,
    endUs: r.endUs,
    startUtc: isoUtcUs(r.startUs),
    endUtc: isoUtcUs(r.endUs),
    startOffsetS: r.startOffsetS,
    endOffsetS: r.endOffsetS,
    viewShare: r.viewShare,
    clip: r.clip,
  }));
}

function describePlace(opts: FootageCliOptions): string {
  if (opts.at) return `${opts.at.latDeg},${opts.at.lonDeg}`;
  return opts.area ?? (opts.site as string);
}

/** What clips of this place are named by: the site, the area file's name, or the point. */
function placeTag(opts: FootageCliOptions): string {
  if (opts.at) return `${opts.at.latDeg.toFixed(5)}_${opts.at.lonDeg.toFixed(5)}`;
  if (opts.area !== undefined) return safeName(path.basename(opts.area, path.extname(opts.area)));
  return safeName(opts.site as string);
}

/** A name safe in a file name: anything but letters, digits, '.', '_' and '-' becomes '-'. */
function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** `20261208T101500Z` */
function compactUtc(us: number): string {
  return isoUtcUs(us).replace(/[-:]|\.\d+/g, '');
}

/** Seconds into a video as `1:07.5` (`1:02:07.5` past an hour). */
function offset(s: number): string {
  const tenths = Math.max(0, Math.round(s * 10));
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const rest = ((tenths % 600) / 10).toFixed(1).padStart(4, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

function share(s: number): string {
  const pct = s * 100;
  return pct >= 1 ? `${pct.toFixed(0)}%` : `${pct.toFixed(1)}%`;
}

function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
