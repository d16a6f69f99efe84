import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { MissionItem } from '../../../src/mavlink/mission-item.js';
import {
  loadMissionFile,
  planPatrol,
  planSettings,
  toMissionItems,
  writePlanFiles,
} from '../../../src/plan/index.js';
import { loadSiteFiles } from '../../../src/sites/index.js';
import { flyMission, Vehicle } from '../../../src/vehicle/index.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { type SimAndGcs, startSimulatedSimAndGcs } from '../../helpers/sim-gcs.js';
import { patrolPlan, registry, shortSortie } from './sorties.js';

let s: SimAndGcs | null = null;
let vehicle: Vehicle | null = null;
const dirs: string[] = [];
afterEach(async () => {
  vehicle?.close();
  await s?.close();
  s = null;
  vehicle = null;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The seqs ArduPilot reports reached: every navigation item after home. */
function navSeqs(items: MissionItem[]): number[] {
  return items.flatMap((item, seq) => (seq > 0 && item.command < 95 ? [seq] : []));
}

/**
 * Uploads `file` to a fresh simulator, arms, takes off, flies it in AUTO and waits for the landing: in
 * simulated time (the simulator, the link and the Vehicle on one fake clock), as fast as the CPU flies it.
 */
async function fly(file: string) {
  const sim = await startSimulatedSimAndGcs(new FakeClock());
  s = sim;
  vehicle = await sim.run(Vehicle.connect(sim.gcs));
  const items = toMissionItems(await loadMissionFile(file));
  const summary = await sim.run(flyMission(vehicle, items, { minBatteryPct: 50 }));
  // The simulator's own state: telemetry may still be on its way when the disarm arrives.
  return { items, summary, texts: s.texts, simState: s.sim.state(), armed: vehicle.state.armed };
}

it('flies an exported sortie-01.plan: every waypoint, the camera items, home, landed and disarmed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-fly-export-'));
  dirs.push(dir);
  await writePlanFiles(patrolPlan([shortSortie()]), registry(), dir);

  const { items, summary, texts, simState, armed } = await fly(path.join(dir, 'sortie-01.plan'));

  expect(summary.reachedSeqs).toEqual(navSeqs(items));
  expect(summary.reachedSeqs.at(-1)).toBe(items.length - 1);
  // The vehicle ran the speed, ROI, ROI-cancel and gimbal items where the mission put them.
  for (const [seq, name] of [
    [2, 'ChangeSpeed'],
    [5, 'SetROI'],
    [10, 'SetROINone'],
    [11, 'MountControl'],
  ] as const) {
    expect(texts).toContain(`Mission: ${seq} ${name}`);
  }
  expect(summary.maxAltRelM).toBeLessThan(45);
  expect(armed).toBe(false);
  expect(simState).toMatchObject({ armed: false });
  expect(simState.altRelM).toBeLessThan(0.5);
});

it('flies sortie-01.plan as planned for one demo site: perimeter watch with the camera on the site', async () => {
  const demo = await loadSiteFiles([path.join(REPO_ROOT, 'missions/demo-sites.geojson')]);
  const registry = { ...demo, sites: demo.sites.filter((site) => site.id === 'D-01') };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-fly-planned-'));
  dirs.push(dir);
  const planned = planPatrol(registry, planSettings({ patternOverride: 'perimeter' }));
  await writePlanFiles(planned, registry, dir);

  const { items, summary, texts, simState, armed } = await fly(path.join(dir, 'sortie-01.plan'));

  expect(summary.reachedSeqs).toEqual(navSeqs(items));
  expect(texts.some((t) => / SetROI$/.test(t))).toBe(true);
  expect(summary.maxAltRelM).toBeLessThanOrEqual(planned.settings.maxAltitudeAglM);
  expect(armed).toBe(false);
  expect(simState.altRelM).toBeLessThan(0.5);
});

it('flies the QGroundControl-written survey plan, survey items included', async () => {
  const { items, summary, simState, armed } = await fly(
    path.join(REPO_ROOT, 'fixtures/plans/site-survey.plan'),
  );

  // Takeoff, one waypoint, the 16 survey legs and RTL.
  expect(navSeqs(items)).toHaveLength(19);
  expect(summary.reachedSeqs).toEqual(navSeqs(items));
  expect(armed).toBe(false);
  expect(simState).toMatchObject({ armed: false });
  expect(simState.altRelM).toBeLessThan(0.5);
});
