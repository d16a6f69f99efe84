import type { AlertRules } from './rules.js';
import type { Severity } from './types.js';

/** Severity from footprint and opacity; the bands are documented with AlertRules. */
export function severityOf(
  areaM2: number | null,
  meanScore: number,
  rules: Pick<AlertRules, 'areaMediumM2' | 'areaLargeM2' | 'scoreModerate' | 'scoreDense'>,
): Severity {
  const opacity = meanScore >= rules.scoreDense ? 2 : meanScore >= rules.scoreModerate ? 1 : 0;
  const size =
    areaM2 === null ? opacity : areaM2 >= rules.areaLargeM2 ? 2 : areaM2 >= rules.areaMediumM2 ? 1 : 0;
  const points = size + opacity;
  return points >= 3 ? 'high' : points === 2 ? 'medium' : 'low';
}

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };

export function worseSeverity(a: Severity, b: Severity): Severity {
  return RANK[b] > RANK[a] ? b : a;
}
