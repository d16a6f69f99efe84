import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type Sitl, sitlMissing, startSitl } from '../helpers/sitl.js';

// dustpatrol against the real autopilot: ArduPilot Copter SITL (../shared/ardupilot), started the way a
// pilot starts it and flown at once, so the vehicle is still booting when `fly` connects.

/** The demo plan's launch point, where QGroundControl planned it (home 110 m AMSL). */
const HOME = { latDeg: 34.7245, lonDeg: 113.6302, altAmslM: 110 };
/** Boot to EKF ~40 sim s, the plan ~2 min: ~35 s at ×5 on an idle machine; a loaded one runs SITL slower. */
const SPEEDUP = 5;
const FLY_TIMEOUT_MS = 240_000;

const missing = sitlMissing();
if (missing) console.log(`test/sitl skipped: ${missing}`);

describe.skipIf(missing !== null)('dustpatrol fly on ArduPilot SITL', () => {
  let sitl: Sitl | undefined;
  afterAll(async () => {
    await sitl?.stop();
  });

  it(
    'flies a QGroundControl plan with null params from boot to landed and disarmed',
    async () => {
      sitl = await startSitl({ home: HOME, speedup: SPEEDUP });

      const r = await runCli(['fly', 'missions/demo.plan', '--connect', sitl.url], FLY_TIMEOUT_MS);

      const context = `fly stdout:\n${r.stdout}\nfly stderr:\n${r.stderr}\nSITL:\n${sitl.log().slice(-2000)}`;
      expect(r.code, context).toBe(0);
      expect(r.stderr, context).not.toContain('dustpatrol:');
      // The mission read back matched the plan (null params stored as 0) and every check passed.
      expect(r.stdout, context).toMatch(/mission on board\s+yes\s+6 items match the plan/);
      const reached = [...r.stdout.matchAll(/reached waypoint (\d+)\/6/g)].map((m) => Number(m[1]));
      expect(reached, context).toEqual([1, 2, 3, 4, 5, 6]);
      expect(r.stdout, context).toMatch(/landed and disarmed: 6 waypoints reached/);
    },
    FLY_TIMEOUT_MS + 10_000,
  );
});
