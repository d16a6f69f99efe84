import type { Alert } from '../alerts/index.js';
import { LocalFrame } from '../geo/index.js';
import type { Site } from '../sites/index.js';
import { escapeMarkup } from './escape.js';

/** An alert on the map: its number in the report's list (confirmed ones), or null. */
export interface MapAlert {
  alert: Alert;
  label: string | null;
}

export interface MapSize {
  widthPx: number;
  maxHeightPx: number;
}

const PAD_SHARE = 0.08;
const MIN_SPAN_M = 40;
const NICE_STEPS = [1, 2, 5];
const LABEL_PX = 14;

/**
 * The sites and alerts as an inline SVG map, north up, to scale (a local flat frame around them: the
 * sites of one district span a few kilometres): site polygons with their ids, each alert at its
 * position with its uncertainty circle (confirmed numbered and red, pending orange, dismissed grey),
 * a scale bar and a north arrow. No tiles: a report is read where no tile server can be reached.
 */
export function reportMapSvg(sites: readonly Site[], alerts: readonly MapAlert[], size: MapSize): string {
  const polygons = sites.map((s) => ({
    site: s,
    rings: (s.geometry.type === 'Polygon' ? [s.geometry.coordinates] : s.geometry.coordinates).flat(),
  }));
  const lonLats = [
    ...polygons.flatMap((p) => p.rings.flat()),
    ...alerts.map(({ alert }) => [alert.lonDeg, alert.latDeg]),
  ];
  const lats = lonLats.map(([, lat]) => lat as number);
  const lons = lonLats.map(([lon]) => lon as number);
  const frame = new LocalFrame({
    latDeg: (Math.min(...lats) + Math.max(...lats)) / 2,
    lonDeg: (Math.min(...lons) + Math.max(...lons)) / 2,
    altAmslM: 0,
  });
  const local = (lon: number, lat: number) => frame.toLocal(lat, lon, 0);
  let minE = Number.POSITIVE_INFINITY;
  let maxE = Number.NEGATIVE_INFINITY;
  let minN = Number.POSITIVE_INFINITY;
  let maxN = Number.NEGATIVE_INFINITY;
  const extend = (e: number, n: number, r = 0) => {
    minE = Math.min(minE, e - r);
    maxE = Math.max(maxE, e + r);
    minN = Math.min(minN, n - r);
    maxN = Math.max(maxN, n + r);
  };
  for (const [lon, lat] of lonLats) {
    const p = local(lon as number, lat as number);
    extend(p.eastM, p.northM);
  }
  for (const { alert } of alerts) {
    const p = local(alert.lonDeg, alert.latDeg);
    extend(p.eastM, p.northM, alert.uncertaintyM);
  }
  const padM = Math.max(MIN_SPAN_M / 2, PAD_SHARE * Math.max(maxE - minE, maxN - minN));
  minE -= padM;
  maxE += padM;
  minN -= padM;
  maxN += padM;
  const pxPerM = Math.min(size.widthPx / (maxE - minE), size.maxHeightPx / (maxN - minN));
  const widthPx = Math.round((maxE - minE) * pxPerM);
  const heightPx = Math.round((maxN - minN) * pxPerM);
  const xy = (lon: number, lat: number): [number, number] => {
    const p = local(lon, lat);
    return [round((p.eastM - minE) * pxPerM), round((maxN - p.northM) * pxPerM)];
  };

  const parts: string[] = [];
  for (const { site, rings } of polygons) {
    const d = rings
      .map((ring) => `M${ring.map(([lon, lat]) => xy(lon as number, lat as number).join(',')).join('L')}Z`)
      .join(' ');
    parts.push(`<path class="site" data-site-id="${escapeMarkup(site.id)}" d="${d}"/>`);
  }
  for (const { site, rings } of polygons) {
    // Above the site (below it at the map's top edge), where no alert inside it is hidden.
    const points = (rings[0] ?? []).map(([lon, lat]) => xy(lon as number, lat as number));
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const x = (Math.min(...xs) + Math.max(...xs)) / 2;
    const top = Math.min(...ys);
    const y = top >= LABEL_PX ? top - 4 : Math.max(...ys) + LABEL_PX;
    parts.push(`<text class="site-label" x="${round(x)}" y="${round(y)}">${escapeMarkup(site.id)}</text>`);
  }
  // Dismissed under pending under confirmed: what the report is about is drawn last, on top.
  const order = { dismissed: 0, pending: 1, confirmed: 2 } as const;
  for (const { alert, label } of [...alerts].sort(
    (a, b) => order[a.alert.reviewState] - order[b.alert.reviewState],
  )) {
    const [x, y] = xy(alert.lonDeg, alert.latDeg);
    const state = alert.reviewState;
    const code = escapeMarkup(alert.code);
    parts.push(
      `<circle class="uncertainty ${state}" cx="${x}" cy="${y}" r="${round(Math.max(alert.uncertaintyM * pxPerM, 2))}"/>`,
    );
    if (state === 'dismissed') {
      parts.push(
        `<path class="alert dismissed" data-alert="${code}" d="M${x - 4},${y - 4}L${x + 4},${y + 4}M${x - 4},${y + 4}L${x + 4},${y - 4}"/>`,
      );
    } else {
      parts.push(
        `<circle class="alert ${state}" data-alert="${code}" cx="${x}" cy="${y}" r="${label ? 8 : 5}"/>`,
      );
      if (label)
        parts.push(`<text class="alert-label" x="${x}" y="${round(y + 3.5)}">${escapeMarkup(label)}</text>`);
    }
  }
  parts.push(scaleBar(pxPerM, heightPx), northArrow(widthPx));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="map" width="${widthPx}" height="${heightPx}" ` +
    `viewBox="0 0 ${widthPx} ${heightPx}" role="img" aria-label="map of the sites and alerts">` +
    `<rect class="ground" width="${widthPx}" height="${heightPx}"/>${parts.join('')}</svg>`
  );
}

/** A bar of a round length (1, 2 or 5 × 10^k m) about a fifth of the map wide, bottom left. */
function scaleBar(pxPerM: number, heightPx: number): string {
  const targetM = 120 / pxPerM;
  const power = 10 ** Math.floor(Math.log10(targetM));
  const lengthM = Math.max(...NICE_STEPS.map((s) => s * power).filter((m) => m <= targetM), power);
  const lengthPx = round(lengthM * pxPerM);
  const y = heightPx - 12;
  const text = lengthM >= 1000 ? `${lengthM / 1000} km` : `${lengthM} m`;
  return (
    `<g class="scale"><path d="M10,${y - 5}V${y}H${10 + lengthPx}V${y - 5}"/>` +
    `<text x="${10 + lengthPx / 2}" y="${y - 8}">${text}</text></g>`
  );
}

function northArrow(widthPx: number): string {
  const x = widthPx - 20;
  return `<g class="north"><path d="M${x},10L${x + 6},28L${x},24L${x - 6},28Z"/><text x="${x}" y="40">N</text></g>`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
