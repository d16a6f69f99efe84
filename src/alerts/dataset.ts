import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ioFailure, UserError } from '../errors.js';
import { csvField } from './export-csv.js';
import type { DismissReason } from './review-terms.js';
import type { AlertStore } from './store.js';
import { isoUtcUs } from './time.js';
import type { AlertFilter } from './types.js';
import { outputTarget, writeFileAtomic } from './write-file.js';

/**
 * The reviewed alerts' evidence frames as a labelled set for the detector's training, in the layout of
 * ../shared/data/real/index.csv (scripts/dust/real_data.py reads it): DIR/images/A-000123.jpg and
 * DIR/index.csv. A confirmed alert is `plume` with its mask `unknown` (no pixel mask is drawn for an
 * alert); a dismissed one is `neg`, a hard negative, with what it was instead as its reason.
 */
export const DATASET_COLUMNS = [
  'path',
  'label',
  'mask',
  'split',
  'source',
  'reason',
  'alert',
  'flight',
  'site',
  'reviewer',
  'reviewed_utc',
  'note',
] as const;

/** The share of flights, in percent, whose frames go to `val` (as the real set keeps about 15 % of each source). */
const VAL_PERCENT = 15;
const SOURCE = 'dustpatrol-review';
const IMAGES = 'images';

export interface DatasetSummary {
  dir: string;
  index: string;
  plumes: number;
  negatives: number;
  /** Hard negatives by the reason they were dismissed. */
  negativesByReason: Partial<Record<DismissReason, number>>;
}

/**
 * Writes the set for the reviewed alerts the filter selects (pending ones are left out). The split
 * is by flight, so that frames of one flight never fall on both sides. The folder is created if
 * missing (its parent must exist); what else it holds is left alone.
 */
export function writeReviewDataset(store: AlertStore, dir: string, filter: AlertFilter = {}): DatasetSummary {
  const alerts = store.listAlerts({ ...filter, reviewStates: ['confirmed', 'dismissed'] });
  const index = path.join(dir, 'index.csv');
  makeFolder(dir);
  makeFolder(path.join(dir, IMAGES));
  // Checked before any picture is written: a folder or a pipe where the index goes is refused first.
  outputTarget(index);
  const lines = [DATASET_COLUMNS.join(',')];
  const summary: DatasetSummary = { dir, index, plumes: 0, negatives: 0, negativesByReason: {} };
  for (const a of alerts) {
    const jpeg = store.evidenceJpeg(a.id);
    const review = a.review;
    if (!jpeg || !review) continue;
    const file = `${IMAGES}/${a.code}.jpg`;
    writeFileAtomic(path.join(dir, file), jpeg);
    const plume = review.verdict === 'confirmed';
    if (plume) summary.plumes++;
    else {
      summary.negatives++;
      const reason = review.reason as DismissReason;
      summary.negativesByReason[reason] = (summary.negativesByReason[reason] ?? 0) + 1;
    }
    const row: Record<(typeof DATASET_COLUMNS)[number], string> = {
      path: file,
      label: plume ? 'plume' : 'neg',
      mask: plume ? 'unknown' : '',
      split: splitOf(a.flightId),
      source: SOURCE,
      reason: review.reason,
      alert: a.code,
      flight: a.flightId,
      site: a.siteId ?? '',
      reviewer: review.reviewer,
      reviewed_utc: isoUtcUs(review.createdUs),
      note: review.note,
    };
    lines.push(DATASET_COLUMNS.map((c) => csvField(row[c])).join(','));
  }
  writeFileAtomic(index, `${lines.join('\r\n')}\r\n`);
  return summary;
}

/** `val` for about VAL_PERCENT % of flights (by a hash of the id, the same on every run), else `train`. */
function splitOf(flightId: string): 'train' | 'val' {
  const h = createHash('sha1').update(flightId).digest().readUInt32BE(0);
  return h % 100 < VAL_PERCENT ? 'val' : 'train';
}

function makeFolder(dir: string): void {
  const stats = fs.statSync(dir, { throwIfNoEntry: false });
  if (stats?.isDirectory()) return;
  if (stats) throw new UserError(`${dir}: is not a folder; give a folder to write the set to`);
  const parent = path.dirname(path.resolve(dir));
  if (!fs.statSync(parent, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError(`${dir}: folder ${parent} does not exist; create it first`);
  }
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    throw (
      ioFailure(dir, 'create the folder', err) ??
      new UserError(`${dir}: cannot create: ${(err as NodeJS.ErrnoException).code}`)
    );
  }
}
