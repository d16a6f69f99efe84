import { type AlertFields, alertFields } from './export-fields.js';
import type { Alert } from './types.js';
import { writeFileAtomic } from './write-file.js';

const COLUMNS: (keyof AlertFields)[] = [
  'code',
  'id',
  'siteId',
  'siteName',
  'contractor',
  'siteDistanceM',
  'severity',
  'firstSeenUtc',
  'lastSeenUtc',
  'frames',
  'sightings',
  'latDeg',
  'lonDeg',
  'uncertaintyM',
  'areaM2',
  'meanScore',
  'peakScore',
  'flightId',
  'caption',
  'reviewState',
  'reviewReason',
];

/** One RFC 4180 field: quoted (quotes doubled) when it holds a comma, quote, CR or LF; null is empty. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Alerts as CSV (RFC 4180: a header row, CRLF line ends). */
export function alertsToCsv(alerts: readonly Alert[]): string {
  const lines = [COLUMNS.join(',')];
  for (const a of alerts) {
    const f = alertFields(a);
    lines.push(COLUMNS.map((c) => csvField(f[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function writeAlertsCsv(file: string, alerts: readonly Alert[]): void {
  writeFileAtomic(file, alertsToCsv(alerts));
}
