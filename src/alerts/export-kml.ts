import fs from 'node:fs';
import path from 'node:path';
import { ioFailure, UserError } from '../errors.js';
import { formatUtcUs } from './time.js';
import type { Alert, Severity } from './types.js';
import { outputTarget, writeFileAtomic } from './write-file.js';

/** KML colours are aabbggrr. */
const SEVERITY_COLOUR: Record<Severity, string> = { low: 'ff00d7ff', medium: 'ff0080ff', high: 'ff0000ff' };

export interface KmlExport {
  file: string;
  /** The folder of JPEGs beside the KML (`alerts-snapshots/` for `alerts.kml`). */
  snapshotsDir: string;
  placemarks: number;
  snapshots: number;
}

/** The snapshot folder for a KML file: its name without the extension, plus `-snapshots`. */
export function snapshotsDirFor(kmlFile: string): string {
  const stem = path.basename(kmlFile, path.extname(kmlFile));
  return path.join(path.dirname(kmlFile), `${stem}-snapshots`);
}

/**
 * Alerts as a KML document: a Placemark per alert, styled by severity, whose description shows the
 * facts and the snapshot at `snapshotHref(alert)` (a path relative to the KML; null: no image).
 */
export function alertsToKml(alerts: readonly Alert[], snapshotHref: (a: Alert) => string | null): string {
  const styles = (Object.keys(SEVERITY_COLOUR) as Severity[]).map(
    (s) =>
      `<Style id="severity-${s}"><IconStyle><color>${SEVERITY_COLOUR[s]}</color><scale>1.1</scale></IconStyle></Style>`,
  );
  const placemarks = alerts.map((a) => {
    const href = snapshotHref(a);
    const rows: [string, string][] = [
      ['site', a.siteId === null ? 'no site' : `${a.siteName ?? ''} (${a.siteId})`],
      ['contractor', a.contractor ?? '—'],
      ['severity', a.severity],
      ['first seen', formatUtcUs(a.firstSeenUs)],
      ['last seen', formatUtcUs(a.lastSeenUs)],
      ['frames', String(a.frames)],
      ['position', `${a.latDeg.toFixed(6)}, ${a.lonDeg.toFixed(6)} ±${a.uncertaintyM.toFixed(1)} m`],
      ['area', a.areaM2 === null ? 'unknown' : `${a.areaM2.toFixed(0)} m²`],
      ['peak score', a.peakScore.toFixed(2)],
      ['flight', a.flightId],
      ['review', a.review ? `${a.reviewState} (${a.review.reason})` : 'pending'],
    ];
    const html =
      `<table>${rows.map(([k, v]) => `<tr><th align="left">${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`).join('')}</table>` +
      (href ? `<img src="${escapeXml(href)}" width="480"/>` : '');
    const name = `${a.code} ${a.siteId ?? 'no site'} ${a.severity}`;
    return (
      `<Placemark id="${escapeXml(a.code)}"><name>${escapeXml(name)}</name>` +
      `<TimeSpan><begin>${new Date(a.firstSeenUs / 1000).toISOString()}</begin>` +
      `<end>${new Date(a.lastSeenUs / 1000).toISOString()}</end></TimeSpan>` +
      `<styleUrl>#severity-${a.severity}</styleUrl>` +
      `<description>${cdata(html)}</description>` +
      `<Point><coordinates>${a.lonDeg},${a.latDeg},0</coordinates></Point></Placemark>`
    );
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<kml xmlns="http://www.opengis.net/kml/2.2">',
    '<Document>',
    '<name>dustpatrol alerts</name>',
    ...styles,
    ...placemarks,
    '</Document>',
    '</kml>',
    '',
  ].join('\n');
}

/**
 * Writes the KML and, beside it, a folder of the alerts' evidence JPEGs (`<code>.jpg`) that the
 * placemarks show by relative path. The JPEGs go first, so the KML never points at a missing one.
 */
export function writeAlertsKml(
  file: string,
  alerts: readonly Alert[],
  evidenceOf: (a: Alert) => Buffer | null,
): KmlExport {
  // Beside the KML itself (a link's target), so that the placemarks' relative paths find the JPEGs.
  const snapshotsDir = snapshotsDirFor(outputTarget(file));
  const folder = path.basename(snapshotsDir);
  try {
    // Its parent exists (outputTarget checked): this makes the one folder, or finds it made.
    fs.mkdirSync(snapshotsDir, { recursive: true });
  } catch (err) {
    throw (
      ioFailure(snapshotsDir, 'create the folder', err) ??
      new UserError(`${snapshotsDir}: cannot create: ${(err as NodeJS.ErrnoException).code}`)
    );
  }
  const hrefs = new Map<number, string>();
  for (const a of alerts) {
    const jpeg = evidenceOf(a);
    if (!jpeg) continue;
    writeFileAtomic(path.join(snapshotsDir, `${a.code}.jpg`), jpeg);
    hrefs.set(a.id, `${folder}/${a.code}.jpg`);
  }
  writeFileAtomic(
    file,
    alertsToKml(alerts, (a) => hrefs.get(a.id) ?? null),
  );
  return { file, snapshotsDir, placemarks: alerts.length, snapshots: hrefs.size };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cdata(text: string): string {
  return `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}
