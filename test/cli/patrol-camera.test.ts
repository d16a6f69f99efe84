import { describe, expect, it } from 'vitest';
import { DEFAULT_CAMERA } from '../../src/camera.js';
import { patrolCamera, patrolPlanSettings } from '../../src/cli/patrol-run.js';
import { cameraFromSpec, horizontalFovRad } from '../../src/geotag/index.js';
import { DEFAULT_PLAN_SETTINGS, type PatrolPlan, planPatrol } from '../../src/plan/index.js';
import { loadSiteFiles, type SiteRegistry } from '../../src/sites/index.js';
import { transects, uncoveredPct } from '../plan/patterns/footprint.js';
import { MetricView } from '../plan/patterns/shapes.js';

const DEMO_SITES = 'missions/demo-sites.geojson';
const DEG = Math.PI / 180;

/** `patrol SITES --camera-hfov DEG --pattern coverage`, the rest as the pilot gets them. */
function flags(cameraHfov: number) {
  return {
    cameraSize: { widthPx: DEFAULT_CAMERA.widthPx, heightPx: DEFAULT_CAMERA.heightPx },
    cameraHfov,
    pattern: 'coverage' as const,
    reserve: DEFAULT_PLAN_SETTINGS.reservePct,
  };
}

/** Widest gap across the track between neighbouring transects of any site, metres. */
function widestSpacingM(plan: PatrolPlan, registry: SiteRegistry): number {
  let widestM = 0;
  for (const pattern of plan.patterns) {
    const site = registry.sites.find((s) => s.id === pattern.siteId);
    if (!site) throw new Error(`no site ${pattern.siteId}`);
    const h = (pattern.sweepHeadingDeg ?? 0) * DEG;
    const across = transects(pattern, new MetricView(site.geometry))
      .map(([a]) => a.x * Math.cos(h) - a.y * Math.sin(h))
      .sort((a, b) => a - b);
    for (let i = 1; i < across.length; i++) widestM = Math.max(widestM, across[i] - across[i - 1]);
  }
  return widestM;
}

/** The most of any site's area that a camera with this field of view misses along the plan, percent. */
function worstUncoveredPct(plan: PatrolPlan, registry: SiteRegistry, hfovDeg: number): number {
  const swathM = 2 * plan.settings.altitudeRelM * Math.tan((hfovDeg * DEG) / 2);
  return Math.max(
    ...plan.patterns.map((pattern) => {
      const site = registry.sites.find((s) => s.id === pattern.siteId);
      if (!site) throw new Error(`no site ${pattern.siteId}`);
      return uncoveredPct(pattern, new MetricView(site.geometry), site.geometry, swathM);
    }),
  );
}

describe('patrol --camera-hfov', () => {
  it('one default: the planner spaces its swaths for the camera the simulator renders and geotag models', () => {
    expect(DEFAULT_PLAN_SETTINGS.cameraHfovDeg).toBe(DEFAULT_CAMERA.hfovDeg);
    expect(patrolPlanSettings(flags(DEFAULT_CAMERA.hfovDeg))).toEqual({
      ...DEFAULT_PLAN_SETTINGS,
      patternOverride: 'coverage',
    });
    expect(horizontalFovRad(cameraFromSpec(DEFAULT_CAMERA)) / DEG).toBeCloseTo(DEFAULT_CAMERA.hfovDeg, 9);
  });

  it('a 60° camera: narrower swath spacing than the default, and geotagging with the same 60°', async () => {
    const registry = await loadSiteFiles([DEMO_SITES]);
    const narrow = planPatrol(registry, patrolPlanSettings(flags(60)));
    const standard = planPatrol(registry, patrolPlanSettings(flags(DEFAULT_CAMERA.hfovDeg)));

    // 60 m up, 20 % side overlap: a 60° camera sees 69.3 m across, so lines at most 55.4 m apart.
    const narrowSpacingM = 2 * 60 * Math.tan(30 * DEG) * 0.8;
    expect(widestSpacingM(narrow, registry)).toBeLessThanOrEqual(narrowSpacingM + 0.5);
    expect(widestSpacingM(standard, registry)).toBeGreaterThan(narrowSpacingM + 5);
    // Flown with a 60° camera, the 60° plan sees every site; the default plan leaves strips unseen.
    expect(worstUncoveredPct(narrow, registry, 60)).toBeLessThanOrEqual(1);
    expect(worstUncoveredPct(standard, registry, 60)).toBeGreaterThan(1);

    // The video of that patrol is geotagged with the same camera.
    const camera = patrolCamera(flags(60));
    expect(camera).toEqual({ ...flags(60).cameraSize, hfovDeg: 60 });
    expect(horizontalFovRad(cameraFromSpec(camera)) / DEG).toBeCloseTo(60, 9);
  });
});
