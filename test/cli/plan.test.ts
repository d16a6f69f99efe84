import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMissionFile, type PlanSummary, toMissionItems } from '../../src/plan/index.js';
import { runCli } from '../helpers/cli.js';

const DEMO_SITES = 'missions/demo-sites.geojson';
const DEMO_SITE_IDS = ['D-01', 'D-02', 'D-03', 'D-04', 'D-05'];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dustpatrol-plan-cli-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const summaryIn = (out: string): PlanSummary =>
  JSON.parse(fs.readFileSync(path.join(out, 'plan.json'), 'utf8'));

describe('dustpatrol plan', () => {
  it('plans the demo sites: a table of sorties and a total, one file set per sortie, plan.json', async () => {
    const out = path.join(dir, 'demo');
    const r = await runCli(['plan', DEMO_SITES, '--out', out]);
    expect(r.stderr).not.toContain('dustpatrol:');
    expect(r.code).toBe(0);

    const summary = summaryIn(out);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['sortie', 'launch', 'sites', 'km', 'minutes', 'battery %']);
    const rows = lines.slice(1, 1 + summary.sorties.length).map((line) => line.split(/\s{2,}/));
    summary.sorties.forEach((sortie, i) => {
      const [name, launch, sites, km, minutes, battery] = rows[i];
      expect([name, launch]).toEqual([sortie.name, 'L-HOME']);
      expect(sites.startsWith(`${sortie.siteIds.length}: `)).toBe(true);
      expect(Number(km)).toBeCloseTo(sortie.distanceM / 1000, 2);
      expect(Number(minutes)).toBeCloseTo(sortie.timeS / 60, 1);
      expect(Number(battery)).toBeCloseTo(sortie.batteryPct, 0);
      // Within the battery once the reserve is kept.
      expect(sortie.batteryPct + summary.settings.reservePct).toBeLessThanOrEqual(100);
      for (const file of Object.values(sortie.files)) expect(fs.existsSync(path.join(out, file))).toBe(true);
    });
    expect(lines[1 + summary.sorties.length]).toMatch(/^total\s+5\s+\d+\.\d\d\s+\d+\.\d$/);
    expect(lines.at(-1)).toMatch(/^\d+ sorties? written to /);
    expect([...new Set(summary.sorties.flatMap((s) => s.siteIds))].sort()).toEqual(DEMO_SITE_IDS);
    // Progress goes to stderr, away from the table.
    expect(r.stderr).toContain('planning 5 sites from 1 launch point');

    const plan = await loadMissionFile(path.join(out, 'sortie-01.plan'));
    expect(plan.fence.polygons.filter((p) => !p.inclusion)).toHaveLength(1);
    expect(plan.rally).toHaveLength(1);
    expect(toMissionItems(await loadMissionFile(path.join(out, 'sortie-01.waypoints')))).toEqual(
      toMissionItems(plan),
    );
  });

  it('--json prints plan.json; --launch replaces the launch points and flags change the settings', async () => {
    const out = path.join(dir, 'json');
    const r = await runCli([
      'plan',
      DEMO_SITES,
      '--out',
      out,
      '--json',
      '--launch',
      '34.7245,113.6302',
      '--launch',
      '34.7290, 113.6350',
      '--speed',
      '8',
      '--altitude',
      '50',
      '--endurance',
      '20',
      '--reserve',
      '30',
      '--pattern',
      'point',
    ]);
    expect(r.stderr).not.toContain('dustpatrol:');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as PlanSummary;
    expect(printed).toEqual(summaryIn(out));
    expect(printed.settings).toMatchObject({
      cruiseSpeedMs: 8,
      altitudeRelM: 50,
      enduranceS: 1200,
      reservePct: 30,
      patternOverride: 'point',
    });
    expect(printed.sites.every((s) => s.pattern === 'point')).toBe(true);
    for (const sortie of printed.sorties) expect(['launch-1', 'launch-2']).toContain(sortie.launchId);
    const plan = await loadMissionFile(path.join(out, printed.sorties[0].files.plan));
    expect(plan.rally.map((p) => [p.latDeg, p.lonDeg])).toEqual([
      [34.7245, 113.6302],
      [34.729, 113.635],
    ]);
  });

  it.each([
    [
      ['--speed', 'fast'],
      "error: option '--speed <m/s>' argument 'fast' is invalid. expected a number from 1 to 25, got 'fast'",
    ],
    [
      ['--reserve', '95'],
      "error: option '--reserve <pct>' argument '95' is invalid. expected a number from 0 to 90, got '95'",
    ],
    [
      ['--launch', '34.7'],
      "error: option '--launch <lat,lon>' argument '34.7' is invalid. expected LAT,LON in degrees, got '34.7'",
    ],
    [
      ['--launch', '113.6,34.7'],
      "error: option '--launch <lat,lon>' argument '113.6,34.7' is invalid. latitude 113.6 is outside -90..90",
    ],
    [
      ['--pattern', 'spiral'],
      "error: option '--pattern <kind>' argument 'spiral' is invalid. Allowed choices are perimeter, coverage, point.",
    ],
  ])('refuses %j with exit 2 and one line saying why', async (flags, message) => {
    const r = await runCli(['plan', DEMO_SITES, '--out', path.join(dir, 'bad'), ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
    expect(r.stdout).toBe('');
    expect(fs.existsSync(path.join(dir, 'bad'))).toBe(false);
  });

  it('needs --out and a site file that exists', async () => {
    const noOut = await runCli(['plan', DEMO_SITES]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr.split('\n')[0]).toBe("error: required option '--out <dir>' not specified");

    const missing = await runCli(['plan', 'missions/nope.geojson', '--out', path.join(dir, 'missing')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^dustpatrol: .*missions\/nope\.geojson/m);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(dir, 'missing'))).toBe(false);
  });
});
