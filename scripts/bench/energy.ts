/**
 * Energy calibration, one table: the planner's battery estimate for a sortie against what the vehicle
 * really used flying it, on our simulator and on ArduPilot Copter SITL (the real firmware,
 * ../shared/ardupilot). Each sortie is planned from missions/demo-sites.geojson (one site, one pattern:
 * a perimeter, a coverage survey, a point watch at the far site; and two hold-outs the model's
 * constants were not fitted on: a survey at another altitude and speed, and the perimeter in a 3 m/s
 * wind planned with a 3 m/s head-wind allowance, which the estimate should exceed), written to its
 * .plan as `dustpatrol plan` writes it, and flown with `dustpatrol fly` (the built CLI, so build first)
 * against each vehicle. Calm sorties are planned without a head-wind allowance: the estimate is then
 * what the model expects them to use.
 *
 * Both vehicles carry SITL's battery (test/helpers/sitl.ts, SITL_BATTERY: BATT_CAPACITY 3300 mAh at
 * SITL's hover current), and the planner is told so: `--endurance` is the pilot's statement of how long
 * a full battery hovers, which for SITL's default quad is 3300 mAh / 28.1 A = 7.0 min.
 *
 * Per sortie: planned minutes and battery %; on each vehicle the battery used as `fly` prints it
 * (SYS_STATUS battery_remaining at the start less at the end, whole percent), BATTERY_STATUS
 * current_consumed (mAh, from the tlog) and the flight's minutes (arming to disarming, on the vehicle's
 * own clock); then the differences in percentage points. SITL is skipped with one line when it is absent.
 *
 * Run: `npm run build && npx tsx scripts/bench/energy.ts [--no-sitl] [--no-sim] [--only TEXT] [--keep DIR]`
 * (`--only`: the sorties whose name holds TEXT; `--keep`: leave the plans and tlogs in DIR)
 * (on a loaded 2-core machine about 1.5 min per SITL flight at ×5 and 20 s per simulator flight at
 * ×20; progress on stderr).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { common, minimal } from 'node-mavlink';
import { table } from '../../src/cli/output.js';
import { readTlog } from '../../src/mavlink/index.js';
import { type PlanSettings, planPatrol, planSettings, writePlanFiles } from '../../src/plan/index.js';
import { startSimulator } from '../../src/sim/index.js';
import { loadSiteFiles, type PatternKind } from '../../src/sites/index.js';
import { REPO_ROOT, runCli } from '../../test/helpers/cli.js';
import { freeUdpPort } from '../../test/helpers/ports.js';
import { SITL_BATTERY, sitlMissing, startSitl } from '../../test/helpers/sitl.js';

const SITES = path.join(REPO_ROOT, 'missions/demo-sites.geojson');
const SIM_SPEEDUP = 20;
const SITL_SPEEDUP = 5;
/** Boot, EKF and a sortie of up to 7 min at ×5 on a loaded machine. */
const FLY_TIMEOUT_MS = 600_000;

interface SortieSpec {
  name: string;
  siteId: string;
  pattern: PatternKind;
  /** Settings beyond SITL's battery and the head-wind allowance; the hold-outs fly lower and slower. */
  settings?: Partial<PlanSettings>;
  /**
   * A steady wind both vehicles fly in, the same at every height (SITL: SIM_WIND_T 1, no turbulence),
   * planned with an allowance of its speed; without one, calm air planned without an allowance.
   */
  wind?: { speedMs: number; fromDeg: number };
}

const SORTIES: SortieSpec[] = [
  { name: 'perimeter D-01', siteId: 'D-01', pattern: 'perimeter' },
  { name: 'coverage D-03', siteId: 'D-03', pattern: 'coverage' },
  { name: 'point watch D-04 (far)', siteId: 'D-04', pattern: 'point' },
  {
    name: 'hold-out: coverage D-01, 40 m, 6 m/s',
    siteId: 'D-01',
    pattern: 'coverage',
    settings: { altitudeRelM: 40, transitAltitudeRelM: 50, cruiseSpeedMs: 6 },
  },
  {
    name: 'hold-out: perimeter D-01, 3 m/s wind',
    siteId: 'D-01',
    pattern: 'perimeter',
    wind: { speedMs: 3, fromDeg: 0 },
  },
];

interface Flown {
  /** What `fly` printed: battery_remaining at the start less at the end, whole percent. */
  usedPct: number | null;
  /** BATTERY_STATUS current_consumed at the end, mAh. */
  consumedMah: number | null;
  /** Arming to disarming on the vehicle's clock (GLOBAL_POSITION_INT time_boot_ms). */
  airborneS: number | null;
}

function progress(text: string): void {
  process.stderr.write(`energy: ${text}\n`);
}

/** The tlog's battery and the armed span on the vehicle's own clock. */
async function readFlight(tlog: string): Promise<Pick<Flown, 'consumedMah' | 'airborneS'>> {
  let bootS = 0;
  let armedAtS: number | null = null;
  let disarmedAtS: number | null = null;
  let consumedMah: number | null = null;
  for await (const rx of readTlog(tlog)) {
    const m = rx.message;
    if (rx.sysid !== 1 || rx.compid !== 1) continue;
    if (m instanceof common.GlobalPositionInt) bootS = m.timeBootMs / 1000;
    else if (m instanceof common.BatteryStatus && m.currentConsumed >= 0) consumedMah = m.currentConsumed;
    else if (m instanceof minimal.Heartbeat) {
      const armed = (m.baseMode & minimal.MavModeFlag.SAFETY_ARMED) !== 0;
      if (armed && armedAtS === null) armedAtS = bootS;
      if (!armed && armedAtS !== null && disarmedAtS === null) disarmedAtS = bootS;
    }
  }
  const airborneS = armedAtS !== null && disarmedAtS !== null ? disarmedAtS - armedAtS : null;
  return { consumedMah, airborneS };
}

async function fly(planFile: string, url: string, tlog: string, what: string): Promise<Flown> {
  const r = await runCli(['fly', planFile, '--connect', url, '--tlog', tlog], FLY_TIMEOUT_MS);
  if (r.code !== 0) {
    throw new Error(`fly on ${what} failed (${r.code}):\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`);
  }
  const used = /battery used (-?\d+) %/.exec(r.stdout);
  return { usedPct: used ? Number(used[1]) : null, ...(await readFlight(tlog)) };
}

async function flySim(planFile: string, home: Home, tlog: string, wind: SortieSpec['wind']): Promise<Flown> {
  const port = await freeUdpPort();
  const sim = await startSimulator({
    connect: `udpin://127.0.0.1:${port}`,
    home,
    speedup: SIM_SPEEDUP,
    batteryEnduranceS: SITL_BATTERY.hoverEnduranceS,
    windSpeedMs: wind?.speedMs ?? 0,
    windFromDeg: wind?.fromDeg ?? 0,
  });
  try {
    return await fly(planFile, `udpout://127.0.0.1:${port}`, tlog, 'the simulator');
  } finally {
    await sim.close();
  }
}

async function flySitl(planFile: string, home: Home, tlog: string, wind: SortieSpec['wind']): Promise<Flown> {
  const params = wind
    ? { SIM_WIND_SPD: wind.speedMs, SIM_WIND_DIR: wind.fromDeg, SIM_WIND_T: 1, SIM_WIND_TURB: 0 }
    : undefined;
  const sitl = await startSitl({ home, speedup: SITL_SPEEDUP, params });
  try {
    return await fly(planFile, sitl.url, tlog, `SITL -I ${sitl.instance}`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nSITL:\n${sitl.log().slice(-1500)}`);
  } finally {
    await sitl.stop();
  }
}

interface Home {
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
}

interface Row {
  spec: SortieSpec;
  plannedMin: number;
  plannedPct: number;
  sim: Flown | null;
  sitl: Flown | null;
}

const { values: args } = parseArgs({
  options: {
    'no-sitl': { type: 'boolean', default: false },
    'no-sim': { type: 'boolean', default: false },
    only: { type: 'string' },
    keep: { type: 'string' },
  },
});
const sitlAbsent = args['no-sitl'] ? 'not asked for (--no-sitl)' : sitlMissing();
if (sitlAbsent) process.stdout.write(`SITL skipped: ${sitlAbsent}\n`);

const registry = await loadSiteFiles([SITES]);
const launch = registry.launchPoints[0];
const home: Home = { latDeg: launch.latDeg, lonDeg: launch.lonDeg, altAmslM: launch.altAmslM ?? 0 };
const dir = args.keep
  ? path.resolve(args.keep)
  : fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-energy-'));
const rows: Row[] = [];
try {
  for (const spec of SORTIES.filter((s) => !args.only || s.name.includes(args.only))) {
    const site = registry.sites.find((s) => s.id === spec.siteId);
    if (!site) throw new Error(`${SITES} has no site ${spec.siteId}`);
    const settings = planSettings({
      enduranceS: SITL_BATTERY.hoverEnduranceS,
      headwindMs: spec.wind?.speedMs ?? 0,
      patternOverride: spec.pattern,
      ...spec.settings,
    });
    const plan = planPatrol({ ...registry, sites: [site] }, settings);
    const out = path.join(dir, `${rows.length + 1}-${spec.siteId}-${spec.pattern}`);
    await writePlanFiles(plan, registry, out);
    const sortie = plan.sorties[0];
    const planFile = path.join(out, 'sortie-01.plan');
    const row: Row = {
      spec,
      plannedMin: sortie.timeS / 60,
      plannedPct: sortie.batteryPct,
      sim: null,
      sitl: null,
    };
    progress(
      `${spec.name}: planned ${(sortie.timeS / 60).toFixed(1)} min, ${sortie.batteryPct.toFixed(0)} % ` +
        `(${plan.sorties.length} sortie(s), flying the first)`,
    );
    if (!args['no-sim']) {
      row.sim = await flySim(planFile, home, path.join(out, 'sim.tlog'), spec.wind);
      progress(`${spec.name}: simulator used ${row.sim.usedPct} %`);
    }
    if (!sitlAbsent) {
      row.sitl = await flySitl(planFile, home, path.join(out, 'sitl.tlog'), spec.wind);
      progress(`${spec.name}: SITL used ${row.sitl.usedPct} %`);
    }
    rows.push(row);
  }
} finally {
  if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(0));
const min = (s: number | null | undefined) => (s === null || s === undefined ? '-' : (s / 60).toFixed(1));
const diff = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || a === undefined || b === null || b === undefined
    ? '-'
    : `${a - b >= 0 ? '+' : ''}${(a - b).toFixed(0)}`;

process.stdout.write(
  `Energy: planned vs used, battery ${SITL_BATTERY.capacityMah} mAh hovering ` +
    `${(SITL_BATTERY.hoverEnduranceS / 60).toFixed(2)} min (SITL's), reserve excluded; ` +
    `simulator ×${SIM_SPEEDUP}, SITL ×${SITL_SPEEDUP}; differences in percentage points\n` +
    `${table(
      [
        'sortie',
        'planned min',
        'sim min',
        'SITL min',
        'planned %',
        'sim %',
        'SITL %',
        'sim mAh',
        'SITL mAh',
        'sim-planned',
        'SITL-planned',
        'sim-SITL',
      ],
      rows.map((r) => [
        r.spec.name,
        r.plannedMin.toFixed(1),
        min(r.sim?.airborneS),
        min(r.sitl?.airborneS),
        pct(r.plannedPct),
        pct(r.sim?.usedPct),
        pct(r.sitl?.usedPct),
        pct(r.sim?.consumedMah),
        pct(r.sitl?.consumedMah),
        diff(r.sim?.usedPct, r.plannedPct),
        diff(r.sitl?.usedPct, r.plannedPct),
        diff(r.sim?.usedPct, r.sitl?.usedPct),
      ]),
    )}\n`,
);
