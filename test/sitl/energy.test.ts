import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planPatrol, planSettings, writePlanFiles } from '../../src/plan/index.js';
import { loadSiteFiles } from '../../src/sites/index.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { SITL_BATTERY, type Sitl, sitlMissing, startSitl } from '../helpers/sitl.js';

// The planner's battery estimate against the real autopilot: a short point-watch sortie over demo site
// D-01 planned for SITL's battery (a full one hovers 3300 mAh / 28.1 A, no head-wind allowance: SITL
// flies in calm air), flown with `dustpatrol fly`; what SITL reports used must match the plan.

const SITES = path.join(REPO_ROOT, 'missions/demo-sites.geojson');
/** About 2.5 min of flight after a 40 s boot: some 40 s at ×5 on an idle machine. */
const SPEEDUP = 5;
const FLY_TIMEOUT_MS = 240_000;
/** Percentage points the planner may be off what SITL used. */
const TOLERANCE_PCT = 5;

const missing = sitlMissing();
if (missing) console.log(`test/sitl skipped: ${missing}`);

describe.skipIf(missing !== null)('battery used on ArduPilot SITL against the plan', () => {
  let sitl: Sitl | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-sitl-energy-'));
  afterAll(async () => {
    await sitl?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    `uses what the planner said, within ${TOLERANCE_PCT} points`,
    async () => {
      const registry = await loadSiteFiles([SITES]);
      const settings = planSettings({
        enduranceS: SITL_BATTERY.hoverEnduranceS,
        headwindMs: 0,
        patternOverride: 'point',
        altitudeRelM: 30,
        transitAltitudeRelM: 40,
      });
      const plan = planPatrol(
        { ...registry, sites: registry.sites.filter((s) => s.id === 'D-01') },
        settings,
      );
      expect(plan.sorties).toHaveLength(1);
      await writePlanFiles(plan, registry, dir);
      const launch = registry.launchPoints[0];
      sitl = await startSitl({
        home: { latDeg: launch.latDeg, lonDeg: launch.lonDeg, altAmslM: launch.altAmslM ?? 0 },
        speedup: SPEEDUP,
      });

      const r = await runCli(
        ['fly', path.join(dir, 'sortie-01.plan'), '--connect', sitl.url],
        FLY_TIMEOUT_MS,
      );

      const context = `fly stdout:\n${r.stdout}\nfly stderr:\n${r.stderr}\nSITL:\n${sitl.log().slice(-2000)}`;
      expect(r.code, context).toBe(0);
      const used = /landed and disarmed: .*battery used (\d+) %/.exec(r.stdout);
      expect(used, context).not.toBeNull();
      const plannedPct = plan.sorties[0].batteryPct;
      const usedPct = Number(used?.[1]);
      console.log(`SITL used ${usedPct} % of its battery; the plan said ${plannedPct.toFixed(1)} %`);
      expect(Math.abs(usedPct - plannedPct), context).toBeLessThanOrEqual(TOLERANCE_PCT);
    },
    FLY_TIMEOUT_MS + 10_000,
  );
});
