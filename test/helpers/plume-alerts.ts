import { expect } from 'vitest';
import type { Alert } from '../../src/alerts/index.js';
import { LocalFrame } from '../../src/geo/index.js';
import { DEMO_HOME } from './sim-flight.js';

/** What the end-to-end flights over the demo world (replayed or live) must make of its plumes. */

/** The demo world's plumes the test flights pass over (D-03 has none). */
export const FLOWN_OVER = ['P-D01-excavation', 'P-D04-haul-road', 'P-D02-stockpile', 'P-D05-demolition'];

/** Each plume's alert must lie within this of its source. */
const BOUND_M = 15;
/**
 * D-05's dust is the colour of the soil it rises from, so where its blob ends upwind (its source) is
 * uncertain: placed 12–16 m off in runs under load. Its own bound stays inside the alert store's 30 m
 * de-duplication radius, so one alert per plume still holds.
 */
const PALE_PLUME_BOUND_M: Record<string, number> = { 'P-D05-demolition': 25 };

export const boundFor = (plumeId: string): number => PALE_PLUME_BOUND_M[plumeId] ?? BOUND_M;

/**
 * An alert farther than this from every plume is the detector's false alarm, not a misplaced plume (the
 * de-duplication radius is 30 m, the worst placement in these flights 25 m).
 */
const FALSE_ALARM_M = 50;

type Place = { latDeg: number; lonDeg: number };

/** Ground distance between two places near the demo world's home, metres. */
export function distanceM(a: Place, b: Place): number {
  const frame = new LocalFrame(DEMO_HOME);
  const pa = frame.toLocal(a.latDeg, a.lonDeg, 0);
  const pb = frame.toLocal(b.latDeg, b.lonDeg, 0);
  return Math.hypot(pa.eastM - pb.eastM, pa.northM - pb.northM);
}

/**
 * One alert for each plume flown over, at its site and within its bound; no second alert near a plume;
 * no alert at a site away from its plumes (D-03 has none). The model false-alarms on pale roofs outside
 * the sites (models/README.md), and whether the tracker confirms such a blob hangs on which frames the
 * 2 fps sampling hits, which shifts with the machine's load: those alerts, blaming no site, are printed,
 * not failed.
 */
export function expectOneAlertPerPlume(
  plumes: (Place & { id: string; siteId: string | null })[],
  alerts: Alert[],
) {
  const matches = alerts.map((alert) => {
    const [nearest] = plumes
      .map((plume) => ({ plume, distanceM: distanceM(alert, plume) }))
      .sort((x, y) => x.distanceM - y.distanceM);
    return { alert, ...nearest };
  });
  const found = matches
    .map((m) => `${m.alert.code} ${m.alert.siteId} ${m.distanceM.toFixed(1)} m from ${m.plume.id}`)
    .join('; ');
  const flownOver = plumes.filter((p) => FLOWN_OVER.includes(p.id));
  expect(flownOver).toHaveLength(FLOWN_OVER.length);
  for (const plume of flownOver) {
    const mine = matches.filter((m) => m.plume.id === plume.id && m.distanceM <= boundFor(plume.id));
    expect(
      mine.map((m) => m.alert.siteId),
      `${plume.id} among ${found}`,
    ).toEqual([plume.siteId]);
  }
  const nearButOff = matches.filter(
    (m) => m.distanceM > boundFor(m.plume.id) && m.distanceM <= FALSE_ALARM_M,
  );
  expect(
    nearButOff.map((m) => [m.alert.code, m.alert.siteId]),
    found,
  ).toEqual([]);
  const falseAlarms = matches.filter((m) => m.distanceM > FALSE_ALARM_M);
  if (falseAlarms.length > 0) console.info(`false alarms away from every plume: ${found}`);
  expect(
    falseAlarms.filter((m) => m.alert.siteId !== null).map((m) => m.alert.code),
    found,
  ).toEqual([]);
  expect(alerts.filter((a) => a.siteId === 'D-03')).toEqual([]);
}

/**
 * For a sortie that sees each plume from several passes (a coverage sweep): each plume flown over has
 * an alert at its site within its bound, and no alert blames a site without a plume (D-03). A plume's
 * further alerts are printed, not failed: its drifted dust seen from a neighbouring swath is placed
 * 30–100 m from the source, beyond the store's 30 m de-duplication radius — on the built-in simulator
 * too (a coverage patrol over the demo world: D-01 48 m, D-02 62 m off).
 */
export function expectAlertNearEachPlume(
  plumes: (Place & { id: string; siteId: string | null })[],
  alerts: Alert[],
) {
  const found = alerts
    .map((a) => {
      const [nearest] = plumes.map((p) => ({ id: p.id, m: distanceM(a, p) })).sort((x, y) => x.m - y.m);
      return `${a.code} ${a.siteId ?? 'no site'} ${nearest.m.toFixed(1)} m from ${nearest.id}`;
    })
    .join('; ');
  const flownOver = plumes.filter((p) => FLOWN_OVER.includes(p.id));
  expect(flownOver).toHaveLength(FLOWN_OVER.length);
  for (const plume of flownOver) {
    const near = alerts.filter((a) => distanceM(a, plume) <= boundFor(plume.id));
    expect(
      near.map((a) => a.siteId),
      `${plume.id} among ${found}`,
    ).toContain(plume.siteId);
  }
  const plumeSites = new Set(plumes.map((p) => p.siteId));
  expect(
    alerts.filter((a) => a.siteId !== null && !plumeSites.has(a.siteId)).map((a) => [a.code, a.siteId]),
    found,
  ).toEqual([]);
  const beyond = alerts.filter((a) => !flownOver.some((p) => distanceM(a, p) <= boundFor(p.id)));
  if (beyond.length > 0) {
    console.info(`alerts beyond every plume's bound: ${beyond.map((a) => a.code).join(', ')} (${found})`);
  }
}
