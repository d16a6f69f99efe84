/**
 * Planning benchmark, one table: the 278-site district (missions/district.geojson) planned with plain
 * nearest-neighbour ordering (the baseline, ratio 1.00) and with the planner's local search and
 * rebalancing, patterns given; then the whole job with the patterns built too, and the first such
 * call in this process (before the JIT has warmed up). Each row notes sorties, total km and total km
 * over a lower bound on any plan's distance (patrolLowerBound).
 * Run: `npx tsx scripts/bench/plan.ts`.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  type PatrolPlan,
  type PlanOptions,
  patrolLowerBound,
  planPatrol,
  planSettings,
} from '../../src/plan/index.js';
import { loadSiteFiles } from '../../src/sites/index.js';
import { type BenchRow, formatBenchTable } from './table.js';

const DISTRICT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../missions/district.geojson',
);
const ROUNDS = 7;
const SETTINGS = planSettings();

const registry = await loadSiteFiles([DISTRICT]);
const input = `district: ${registry.sites.length} sites, ${registry.launchPoints.length} launch points`;

function timed(run: () => PatrolPlan): { plan: PatrolPlan; ms: number } {
  const start = performance.now();
  const plan = run();
  return { plan, ms: performance.now() - start };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function note(plan: PatrolPlan): string {
  const km = plan.sorties.reduce((sum, s) => sum + s.distanceM, 0) / 1000;
  const bound = patrolLowerBound(plan, registry.launchPoints);
  const maxBattery = Math.max(...plan.sorties.map((s) => s.batteryPct));
  return (
    `${plan.sorties.length} sorties, ${km.toFixed(1)} km, ${(km / (bound.boundM / 1000)).toFixed(2)} x bound, ` +
    `max battery ${maxBattery.toFixed(0)} %`
  );
}

const cold = timed(() => planPatrol(registry, SETTINGS));
const patterns = cold.plan.patterns;

function measure(condition: string, run: () => PatrolPlan): Omit<BenchRow, 'ratio'> {
  const runs = Array.from({ length: ROUNDS }, () => timed(run));
  return {
    benchmark: 'plan',
    input,
    condition,
    medianMs: median(runs.map((r) => r.ms)),
    note: note(runs[0].plan),
  };
}

const withPatterns = (options: PlanOptions) => () => planPatrol(registry, SETTINGS, patterns, options);
const measured = [
  measure('nearest neighbour, patterns given', withPatterns({ ordering: 'nearest-neighbour' })),
  measure('local search + rebalance, patterns given', withPatterns({})),
  measure('the same, patterns built too', () => planPatrol(registry, SETTINGS)),
  {
    benchmark: 'plan',
    input,
    condition: 'first call, patterns built (cold)',
    medianMs: cold.ms,
    note: note(cold.plan),
  },
];
const rows: BenchRow[] = measured.map((r) => ({ ...r, ratio: r.medianMs / measured[0].medianMs }));

const bound = patrolLowerBound(cold.plan, registry.launchPoints);
process.stdout.write(
  `Planning benchmark, median of ${ROUNDS} rounds, cruise ${SETTINGS.cruiseSpeedMs} m/s, ` +
    `${SETTINGS.headwindMs} m/s head-wind margin, ${SETTINGS.enduranceS / 60} min battery, ` +
    `${SETTINGS.reservePct} % reserve\n` +
    `bound: ${(bound.boundM / 1000).toFixed(1)} km = max(patterns ${(bound.patternsM / 1000).toFixed(1)} km + ` +
    `spanning tree = ${(bound.treeM / 1000).toFixed(1)} km, radial ${(bound.radialM / 1000).toFixed(1)} km)\n` +
    `${formatBenchTable(rows)}\n`,
);
