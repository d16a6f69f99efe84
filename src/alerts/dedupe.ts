import { LocalFrame } from '../geo/index.js';
import type { AlertRules } from './rules.js';
import { severityOf, worseSeverity } from './severity.js';
import type { PlumeState, SightingPlume } from './types.js';

const US_PER_S = 1e6;

/** Ground distance between two points a few hundred metres apart at most, m (flat earth). */
export function groundDistanceM(
  a: { latDeg: number; lonDeg: number },
  b: { latDeg: number; lonDeg: number },
): number {
  const p = new LocalFrame({ latDeg: a.latDeg, lonDeg: a.lonDeg, altAmslM: 0 }).toLocal(
    b.latDeg,
    b.lonDeg,
    0,
  );
  return Math.hypot(p.northM, p.eastM);
}

/** Time between the alert's sightings and this one, µs (0 when they overlap). */
export function gapUs(alert: Pick<PlumeState, 'firstSeenUs' | 'lastSeenUs'>, s: SightingPlume): number {
  return Math.max(0, s.firstSeenUs - alert.lastSeenUs, alert.firstSeenUs - s.lastSeenUs);
}

/**
 * Whether the sighting is the same plume as the alert, the site being the same (the caller's check):
 * within `dedupWindowS` of its sightings, and within `dedupRadiusM` of its position widened by both
 * positions' uncertainties (at most doubled): a plume first placed from afar (±15 m) and then from
 * overhead (±2 m) is one plume, not two.
 */
export function isSamePlume(
  alert: Pick<PlumeState, 'latDeg' | 'lonDeg' | 'uncertaintyM' | 'firstSeenUs' | 'lastSeenUs'>,
  s: SightingPlume,
  rules: Pick<AlertRules, 'dedupRadiusM' | 'dedupWindowS'>,
): boolean {
  const radiusM = rules.dedupRadiusM + Math.min(alert.uncertaintyM + s.uncertaintyM, rules.dedupRadiusM);
  return gapUs(alert, s) <= rules.dedupWindowS * US_PER_S && groundDistanceM(alert, s) <= radiusM;
}

/** The state of a new alert raised by this sighting. */
export function stateOf(s: SightingPlume, rules: AlertRules): PlumeState {
  return {
    latDeg: s.latDeg,
    lonDeg: s.lonDeg,
    uncertaintyM: s.uncertaintyM,
    firstSeenUs: s.firstSeenUs,
    lastSeenUs: s.lastSeenUs,
    frames: s.frames,
    meanScore: s.meanScore,
    peakScore: s.peakScore,
    areaM2: s.areaM2,
    severity: severityOf(s.areaM2, s.meanScore, rules),
  };
}

/**
 * The alert once the same plume was seen again: times widened, frames added, the mean score
 * frame-weighted, the peak and the largest footprint kept, the position the inverse-variance
 * (1/uncertainty²) weighted mean, whose uncertainty shrinks to 1/√(Σ 1/u²). Severity never drops.
 * `betterEvidence`: the sighting's peak beats the alert's, so its frame becomes the evidence.
 */
export function mergeSighting(
  alert: PlumeState,
  s: SightingPlume,
  rules: AlertRules,
): { state: PlumeState; betterEvidence: boolean } {
  const wa = 1 / Math.max(alert.uncertaintyM, rules.minUncertaintyM) ** 2;
  const ws = 1 / Math.max(s.uncertaintyM, rules.minUncertaintyM) ** 2;
  const frames = alert.frames + s.frames;
  const areas = [alert.areaM2, s.areaM2].filter((a): a is number => a !== null);
  const state: PlumeState = {
    latDeg: (alert.latDeg * wa + s.latDeg * ws) / (wa + ws),
    lonDeg: (alert.lonDeg * wa + s.lonDeg * ws) / (wa + ws),
    uncertaintyM: 1 / Math.sqrt(wa + ws),
    firstSeenUs: Math.min(alert.firstSeenUs, s.firstSeenUs),
    lastSeenUs: Math.max(alert.lastSeenUs, s.lastSeenUs),
    frames,
    meanScore: (alert.meanScore * alert.frames + s.meanScore * s.frames) / frames,
    peakScore: Math.max(alert.peakScore, s.peakScore),
    areaM2: areas.length > 0 ? Math.max(...areas) : null,
    severity: alert.severity,
  };
  state.severity = worseSeverity(alert.severity, severityOf(state.areaM2, state.meanScore, rules));
  return { state, betterEvidence: s.peakScore > alert.peakScore };
}

/** The state of an alert made of these sightings, merged in the order given (the first raised it). */
export function stateOfSightings(sightings: readonly SightingPlume[], rules: AlertRules): PlumeState {
  const [first, ...rest] = sightings;
  if (!first) throw new Error('an alert is made of one sighting at least');
  return rest.reduce<PlumeState>((state, s) => mergeSighting(state, s, rules).state, stateOf(first, rules));
}
