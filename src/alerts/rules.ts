/**
 * The tunables of alerting, in one place. Severity works from two bands:
 *
 * - footprint area: small < `areaMediumM2` ≤ medium < `areaLargeM2` ≤ large (0, 1, 2 points);
 * - opacity, the model's mean score over the plume's frames: faint < `scoreModerate` ≤ moderate <
 *   `scoreDense` ≤ dense (0, 1, 2 points).
 *
 * The points add up: 0–1 low, 2 medium, 3–4 high. So a large dense plume, a large moderate one and a
 * medium dense one are high; a small faint one is low. A footprint that could not be projected
 * (area unknown) is judged on opacity alone (its points counted twice).
 */
export interface AlertRules {
  /** A sighting outside every site is attributed to the nearest site within this distance, m. */
  nearestSiteMaxM: number;
  /** A sighting this close (m, plus both positions' uncertainties, at most twice this) to an alert of the same site … */
  dedupRadiusM: number;
  /** … within this time (s) of that alert's last sighting updates it instead of raising a new one. */
  dedupWindowS: number;
  areaMediumM2: number;
  areaLargeM2: number;
  scoreModerate: number;
  scoreDense: number;
  /** Position weights are 1/uncertainty²; an uncertainty below this (m) counts as this. */
  minUncertaintyM: number;
  /** A site with at least this many confirmed alerts (dismissed and pending ones do not count) … */
  flagThreshold: number;
  /** … first seen within this time (s) is a candidate for the supervision blacklist. */
  flagWindowS: number;
}

export const DEFAULT_ALERT_RULES: Readonly<AlertRules> = Object.freeze({
  nearestSiteMaxM: 50,
  dedupRadiusM: 30,
  dedupWindowS: 15 * 60,
  areaMediumM2: 100,
  areaLargeM2: 500,
  scoreModerate: 0.6,
  scoreDense: 0.85,
  minUncertaintyM: 0.5,
  flagThreshold: 3,
  flagWindowS: 30 * 86_400,
});
