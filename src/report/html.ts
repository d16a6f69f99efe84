import { type Alert, formatUtcUs } from '../alerts/index.js';
import { escapeMarkup as esc } from './escape.js';
import { type MapAlert, reportMapSvg } from './map-svg.js';
import type { ReportData, ReportSiteRow } from './types.js';

const S_PER_DAY = 86_400;
const MAP_SIZE = { widthPx: 700, maxHeightPx: 460 };

/**
 * The report as one self-contained HTML page (styles inline, pictures as data: URIs, no script, nothing
 * fetched), laid out for A4: who and what it is about, the rule and where each site stands against it,
 * the map, every confirmed alert with its evidence, the alerts that do not count, and the patrols that
 * found nothing.
 */
export function renderReportHtml(d: ReportData): string {
  const mapAlerts: MapAlert[] = [
    ...d.confirmed.map(({ alert }, i) => ({ alert, label: String(i + 1) })),
    ...d.pending.map((alert) => ({ alert, label: null })),
    ...d.dismissed.map((alert) => ({ alert, label: null })),
  ];
  const period = `${d.sinceUs === null ? 'all records' : `from ${formatUtcUs(d.sinceUs)}`} to ${formatUtcUs(d.untilUs)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(`Dust enforcement report: ${d.title}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Dust enforcement report</h1>
<h2>${esc(d.title)}</h2>
<dl class="meta">
<dt>period</dt><dd>${esc(period)}</dd>
<dt>sites</dt><dd>${d.sites.length}</dd>
<dt>made</dt><dd>${esc(formatUtcUs(d.generatedUs))} from ${esc(d.storeFile)}</dd>
</dl>
</header>

<section class="rule">
<h3>The rule</h3>
<p>${esc(ruleText(d))}</p>
${ruleVerdicts(d)}
</section>

<section>
<h3>Sites</h3>
${sitesTable(d.siteRows)}
</section>

<section class="map-section">
<h3>Map</h3>
${reportMapSvg(d.sites, mapAlerts, MAP_SIZE)}
<p class="legend"><span class="key confirmed"></span>confirmed alert (numbered as below)
<span class="key pending"></span>pending review <span class="key dismissed">×</span>dismissed
<span class="key circle"></span>position uncertainty</p>
</section>

<section>
<h3>Confirmed alerts (${d.confirmed.length})</h3>
${d.confirmed.length === 0 ? '<p class="none">No confirmed alert in the period.</p>' : d.confirmed.map((c, i) => confirmedAlert(i + 1, c.alert, c.evidenceJpeg)).join('\n')}
</section>

<section>
<h3>Alerts that do not count (${d.pending.length + d.dismissed.length})</h3>
${notCounted(d)}
</section>

<section>
<h3>Patrols that found nothing (${d.quietPatrols.length})</h3>
${quietPatrols(d)}
</section>

<footer>
<p>Times are UTC. Positions are WGS84; ± is the radius within which the plume's source lies by the
geotag's estimate. Only confirmed alerts count toward the rule: a pending alert waits for a reviewer,
and a dismissed one was judged not to be dust. A patrol covered a site when its recorded mission
reached a waypoint inside the site or pointed the camera at it, or when its flight sighted an alert there.</p>
</footer>
</body>
</html>
`;
}

function ruleText(d: ReportData): string {
  const days = d.rule.windowS / S_PER_DAY;
  return (
    `A site with ${d.rule.confirmedAlerts} or more confirmed dust alerts first seen within ${days} day` +
    `${days === 1 ? '' : 's'} is flagged for the district's supervision blacklist. Judged over the ` +
    `${days} day${days === 1 ? '' : 's'} to ${formatUtcUs(d.untilUs)}.`
  );
}

function ruleVerdicts(d: ReportData): string {
  const items = d.siteRows.map(({ site, ledger }) => {
    const name = `${site.id} ${site.name}`;
    const counted = `${ledger.windowConfirmed} confirmed alert${ledger.windowConfirmed === 1 ? '' : 's'} in the window`;
    if (ledger.flagged) {
      return `<li class="breaks" data-site-id="${esc(site.id)}"><strong>${esc(name)} breaks the rule:</strong> ${esc(counted)} (${d.rule.confirmedAlerts} flag a site).</li>`;
    }
    const pending = ledger.reviewNeeded
      ? ` ${ledger.windowPending} pending alert${ledger.windowPending === 1 ? '' : 's'} could break it once reviewed.`
      : '';
    return `<li class="within" data-site-id="${esc(site.id)}">${esc(name)} is within the rule: ${esc(counted)}.${esc(pending)}</li>`;
  });
  return `<ul class="verdicts">${items.join('')}</ul>`;
}

function sitesTable(rows: readonly ReportSiteRow[]): string {
  const body = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.site.id)}</td><td>${esc(r.site.name)}</td><td>${esc(r.site.contractor ?? '—')}</td>` +
        `<td>${esc(r.site.riskLevel ?? '—')}</td><td class="num">${r.patrols}</td><td class="num">${r.confirmed}</td>` +
        `<td class="num">${r.pending}</td><td class="num">${r.dismissed}</td>` +
        `<td>${r.ledger.flagged ? '<strong>flagged</strong>' : ''}</td></tr>`,
    )
    .join('');
  return (
    '<table class="sites"><thead><tr><th>site</th><th>name</th><th>contractor</th><th>risk</th>' +
    '<th>patrols</th><th>confirmed</th><th>pending</th><th>dismissed</th><th>rule</th></tr></thead>' +
    `<tbody>${body}</tbody></table><p class="note">Patrols and alerts in the period; the rule as it stands at its end.</p>`
  );
}

function confirmedAlert(n: number, a: Alert, jpeg: Buffer): string {
  const review = a.review;
  const rows: [string, string][] = [
    ['site', a.siteId === null ? 'no site' : `${a.siteId} ${a.siteName ?? ''}`.trim()],
    ['contractor', a.contractor ?? '—'],
    ['first seen', formatUtcUs(a.firstSeenUs)],
    ['last seen', formatUtcUs(a.lastSeenUs)],
    ['place', `${a.latDeg.toFixed(6)}, ${a.lonDeg.toFixed(6)} ± ${a.uncertaintyM.toFixed(1)} m`],
    [
      'site distance',
      a.siteDistanceM === null
        ? '—'
        : a.siteDistanceM === 0
          ? 'inside'
          : `${a.siteDistanceM.toFixed(1)} m outside`,
    ],
    ['severity', a.severity],
    ['plume area', a.areaM2 === null ? 'unknown' : `${a.areaM2.toFixed(0)} m²`],
    ['model score', `mean ${a.meanScore.toFixed(2)}, peak ${a.peakScore.toFixed(2)} over ${a.frames} frames`],
    ['flight', a.flightId],
    [
      'camera',
      `${a.pose.altRelM.toFixed(0)} m above home, heading ${a.pose.headingDeg.toFixed(0)}°, gimbal ${a.pose.gimbalPitchDeg.toFixed(0)}°`,
    ],
  ];
  if (review) {
    rows.push(['confirmed by', `${review.reviewer}, ${formatUtcUs(review.createdUs)}`]);
    if (review.note) rows.push(['note', review.note]);
  }
  return (
    `<article class="alert" data-alert="${esc(a.code)}"><h4>${n}. ${esc(a.code)}</h4>` +
    `<img src="data:image/jpeg;base64,${jpeg.toString('base64')}" alt="${esc(`evidence frame of ${a.code}`)}">` +
    `<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl></article>`
  );
}

function notCounted(d: ReportData): string {
  const rows = [...d.pending, ...d.dismissed]
    .sort((a, b) => a.firstSeenUs - b.firstSeenUs || a.id - b.id)
    .map((a) => {
      const state =
        a.review?.verdict === 'dismissed'
          ? `dismissed: ${a.review.reason} (${a.review.reviewer})${a.review.note ? `: ${a.review.note}` : ''}`
          : 'pending review';
      return (
        `<tr data-alert="${esc(a.code)}"><td>${esc(a.code)}</td><td>${esc(a.siteId ?? 'no site')}</td>` +
        `<td>${esc(formatUtcUs(a.firstSeenUs))}</td><td>${esc(state)}</td></tr>`
      );
    });
  if (rows.length === 0) return '<p class="none">None.</p>';
  return `<table><thead><tr><th>alert</th><th>site</th><th>first seen</th><th>state</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function quietPatrols(d: ReportData): string {
  if (d.quietPatrols.length === 0)
    return '<p class="none">None: every patrol in the period found an alert.</p>';
  const rows = d.quietPatrols.map(({ site, patrol: p }) => {
    const dismissed = p.alerts.dismissed > 0 ? ` (${p.alerts.dismissed} dismissed)` : '';
    return (
      `<tr><td>${esc(formatUtcUs(p.startedUs))}</td><td>${esc(site.id)}</td><td>${esc(p.flightId)}</td>` +
      `<td>${esc(p.vehicleId ?? '—')}</td><td>${esc(p.planName ?? '—')}</td>` +
      `<td>${esc(`${p.outcome ?? '—'}${dismissed}`)}</td></tr>`
    );
  });
  return (
    '<table><thead><tr><th>started</th><th>site</th><th>flight</th><th>vehicle</th><th>plan</th>' +
    `<th>outcome</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

const STYLE = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.4 "DejaVu Sans", Arial, sans-serif; color: #1d2327; margin: 0 auto; max-width: 186mm; }
h1 { font-size: 18pt; margin: 0; }
h2 { font-size: 14pt; margin: 2pt 0 6pt; font-weight: normal; }
h3 { font-size: 12pt; border-bottom: 1px solid #9aa5ab; margin: 14pt 0 6pt; padding-bottom: 2pt; }
h4 { font-size: 11pt; margin: 0 0 4pt; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 1pt 10pt; margin: 0; }
dt { color: #5b666c; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border-bottom: 1px solid #d5dadd; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eef1f3; }
td.num { text-align: right; }
table.sites td:first-child, table td.nowrap { white-space: nowrap; }
.note, .none, footer { color: #5b666c; font-size: 9pt; }
ul.verdicts { padding-left: 14pt; }
li.breaks { color: #a4161a; }
article.alert { break-inside: avoid; border: 1px solid #d5dadd; border-radius: 3pt; padding: 6pt; margin: 0 0 8pt; }
article.alert img { display: block; width: 100%; max-height: 95mm; object-fit: contain; background: #000; margin-bottom: 4pt; }
article.alert dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 10pt; margin: 0; font-size: 9.5pt; }
.map-section { break-inside: avoid; }
svg.map { display: block; margin: 0 auto; border: 1px solid #9aa5ab; }
svg.map .ground { fill: #f7f7f2; }
svg.map .site { fill: #c39bd3; fill-opacity: 0.35; fill-rule: evenodd; stroke: #7d3c98; stroke-width: 1.5; }
svg.map .site-label { font: bold 10px sans-serif; fill: #4a235a; text-anchor: middle; }
svg.map .uncertainty { fill-opacity: 0.12; stroke-width: 1; }
svg.map .uncertainty.confirmed { fill: #c0271e; stroke: #c0271e; }
svg.map .uncertainty.pending { fill: #e07020; stroke: #e07020; }
svg.map .uncertainty.dismissed { fill: #7f8c8d; stroke: #7f8c8d; stroke-dasharray: 2 2; }
svg.map .alert.confirmed { fill: #c0271e; stroke: #fff; stroke-width: 1.5; }
svg.map .alert.pending { fill: #fff; stroke: #e07020; stroke-width: 2.5; }
svg.map .alert.dismissed { stroke: #5b666c; stroke-width: 2; }
svg.map .alert-label { font: bold 10px sans-serif; fill: #fff; text-anchor: middle; }
svg.map .scale path, svg.map .north path { stroke: #1d2327; stroke-width: 1.5; fill: none; }
svg.map .north path { fill: #1d2327; }
svg.map .scale text, svg.map .north text { font: 10px sans-serif; text-anchor: middle; fill: #1d2327; }
.legend { font-size: 9pt; color: #5b666c; text-align: center; }
.key { display: inline-block; width: 10pt; height: 10pt; border-radius: 50%; vertical-align: middle; margin: 0 3pt 0 10pt; }
.key.confirmed { background: #c0271e; }
.key.pending { border: 2.5px solid #e07020; }
.key.dismissed { width: auto; height: auto; border-radius: 0; color: #5b666c; font-weight: bold; }
.key.circle { background: rgba(192, 39, 30, 0.12); border: 1px solid #c0271e; }
footer { margin-top: 14pt; border-top: 1px solid #d5dadd; }
`;
