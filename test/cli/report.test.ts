// `dustpatrol report` end to end: the real CLI over a real store, the HTML opened in headless Chromium
// as a reader would, and the PDF printed by that Chromium.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Alert, AlertService, openAlertStore } from '../../src/alerts/index.js';
import { pdfPageCount } from '../../src/report/index.js';
import { DAY_US, S1_CENTRE, sighting, smallSites, T0_US, tempDir, testFrame } from '../alerts/sightings.js';
import { launchChromium } from '../helpers/browser.js';
import { expectOneCleanLine, runCli } from '../helpers/cli.js';

const HOUR_US = 3_600e6;
/** Inside S-2 (L yard, Acme Build) and S-3 (Courtyard, Borough Works) of the small fixture. */
const IN_S2 = { latDeg: 34.7302, lonDeg: 113.6228 };
const IN_S3 = { latDeg: 34.7319, lonDeg: 113.6201 };
const UNTIL = '2024-05-06';

let dir: string;
let db: string;
let browser: Browser;
let s1: Alert[];

beforeAll(async () => {
  browser = await launchChromium('the report test');
  dir = tempDir('report-cli');
  db = path.join(dir, 'patrol.db');
  const store = openAlertStore(db);
  const service = new AlertService({ store, sites: await smallSites() });
  for (const n of [1, 2, 3]) service.registerFlight({ id: `F-${n}`, startedUs: T0_US + (n - 1) * DAY_US });
  service.registerFlight({ id: 'F-S2', startedUs: T0_US + HOUR_US });
  // A patrol that flew a waypoint in S-2 and found nothing there.
  const at = (p: { latDeg: number; lonDeg: number }, command = 16) => ({
    command,
    frame: 3,
    x: p.latDeg,
    y: p.lonDeg,
  });
  store.savePatrol({
    flightId: 'F-S2',
    vehicleId: 'drone-7',
    planName: 'yard sweep',
    planDigest: 'd'.repeat(64),
    missionJson: JSON.stringify({
      items: [at(IN_S2), at(IN_S2, 22), at(IN_S2), { command: 20, frame: 2, x: 0, y: 0 }],
    }),
    status: 'landed',
    lastReachedSeq: 3,
    outcome: 'completed',
    startedUs: T0_US + HOUR_US,
    updatedUs: T0_US + 2 * HOUR_US,
    endedUs: T0_US + 2 * HOUR_US,
  });
  // S-1: three plumes on three days: two confirmed, one dismissed; S-3: one left pending.
  s1 = [];
  for (let day = 0; day < 3; day++) {
    s1.push(
      (
        await service.raise(
          sighting({ ...S1_CENTRE, firstSeenUs: T0_US + day * DAY_US, flightId: `F-${day + 1}` }),
        )
      ).alert,
    );
  }
  await service.raise(sighting({ ...IN_S3, firstSeenUs: T0_US + HOUR_US, flightId: 'F-1' }));
  const by = { reviewer: 'Ana Inspector', role: 'reviewer', via: 'api' as const };
  const [a1, a2, a3] = s1 as [Alert, Alert, Alert];
  service.review(a1.id, { verdict: 'confirmed', reason: 'dust', note: 'brown plume off the spoil heap' }, by);
  service.review(a2.id, { verdict: 'confirmed', reason: 'dust', note: '' }, by);
  service.review(a3.id, { verdict: 'dismissed', reason: 'soil', note: 'bare soil, no plume' }, by);
  store.close();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const report = (...args: string[]) => runCli(['report', '--db', db, '--until', UNTIL, ...args]);

async function openReport(file: string): Promise<Page> {
  const page = await browser.newPage();
  // Nothing but the file itself may load: a report holds all it shows.
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) fetched.push(r.url());
  });
  await page.goto(`file://${file}`);
  expect(fetched).toEqual([]);
  return page;
}

describe('dustpatrol report', () => {
  it("writes a contractor's report as HTML: the rule, the map, the confirmed alerts with their evidence, the quiet patrols", async () => {
    const out = path.join(dir, 'acme.html');
    const r = await report('--contractor', 'acme build', '--threshold', '2', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^wrote Contractor Acme Build report to ${out} \\(HTML, \\d+ KiB\\): 2 sites, 2 confirmed, 0 pending, 1 dismissed, 2 patrols that found nothing; breaking the rule: S-1\\n$`,
      ),
    );
    const page = await openReport(out);
    expect(await page.title()).toBe('Dust enforcement report: Contractor Acme Build');
    expect(await page.locator('li.breaks').allTextContents()).toEqual([
      'S-1 North block breaks the rule: 2 confirmed alerts in the window (2 flag a site).',
    ]);
    expect(await page.locator('li.within[data-site-id="S-2"]').textContent()).toBe(
      'S-2 L yard is within the rule: 0 confirmed alerts in the window.',
    );
    // The map: both sites, the confirmed alerts numbered, the dismissed one crossed.
    const siteIds = await page
      .locator('svg.map path.site')
      .evaluateAll((ps) => ps.map((p) => p.getAttribute('data-site-id')));
    expect(siteIds).toEqual(['S-1', 'S-2']);
    expect(await page.locator('svg.map circle.alert.confirmed').count()).toBe(2);
    expect(await page.locator('svg.map .alert-label').allTextContents()).toEqual(['1', '2']);
    expect(await page.locator('svg.map path.alert.dismissed').getAttribute('data-alert')).toBe(
      (s1[2] as Alert).code,
    );
    // Each confirmed alert with its evidence picture (decoded), time, place and uncertainty.
    const articles = page.locator('article.alert');
    expect(await articles.evaluateAll((as) => as.map((a) => a.getAttribute('data-alert')))).toEqual([
      (s1[0] as Alert).code,
      (s1[1] as Alert).code,
    ]);
    const widths = await page
      .locator('article.alert img')
      .evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
    expect(widths).toEqual([testFrame().width, testFrame().width]);
    const first = await articles.first().textContent();
    expect(first).toContain('first seen2024-05-03 08:00:00 UTC');
    expect(first).toContain('place34.730359, 113.620547 ± 6.0 m');
    expect(first).toContain('confirmed byAna Inspector');
    expect(first).toContain('notebrown plume off the spoil heap');
    // The dismissed alert does not count, and says why.
    expect(await page.locator(`tr[data-alert="${(s1[2] as Alert).code}"]`).textContent()).toContain(
      'dismissed: soil (Ana Inspector): bare soil, no plume',
    );
    // The patrol over S-2 that found nothing, and the flight whose one alert at S-1 was dismissed.
    const quiet = page.locator('section:has(h3:text("Patrols that found nothing")) tbody tr');
    expect(
      await quiet.evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent))),
    ).toEqual([
      ['2024-05-03 09:00:00 UTC', 'S-2', 'F-S2', 'drone-7', 'yard sweep', 'completed'],
      ['2024-05-05 08:00:00 UTC', 'S-1', 'F-3', '—', '—', '— (1 dismissed)'],
    ]);
    await page.close();
  });

  it("prints one site's report to PDF, and says its pages and size", async () => {
    const out = path.join(dir, 's3.pdf');
    const r = await report('--site', 'S-3', '--out', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    const pdf = fs.readFileSync(out);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(summary).toMatchObject({
      file: out,
      format: 'pdf',
      bytes: pdf.length,
      pages: pdfPageCount(pdf),
      sites: 1,
      confirmed: 0,
      pending: 1,
      flagged: [],
    });
    expect(summary.pages).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('refuses what it cannot make in one line, writing nothing', async () => {
    const cases: [string[], number, RegExp][] = [
      [['--out', path.join(dir, 'x.html')], 2, /give --contractor NAME or --site ID/],
      [
        ['--site', 'S-1', '--contractor', 'Acme Build', '--out', path.join(dir, 'x.html')],
        2,
        /cannot be used with/,
      ],
      [
        ['--contractor', 'Nobody Ltd', '--out', path.join(dir, 'x.html')],
        1,
        /no site of contractor "Nobody Ltd" in .*patrol\.db \(or the site files given with --sites\); contractors known: Acme Build, Borough Works/,
      ],
      [['--site', 'S-9', '--out', path.join(dir, 'x.html')], 1, /no site S-9 in /],
      [
        ['--site', 'S-1', '--out', path.join(dir, 'x.docx')],
        1,
        /x\.docx: a report is written as \.html or \.pdf/,
      ],
      [
        ['--site', 'S-1', '--out', path.join(dir, 'x.pdf'), '--chromium', '/no/chromium'],
        1,
        /\/no\/chromium: no Chromium there to print the PDF/,
      ],
      [['--site', 'S-1', '--out', path.join(dir, 'missing', 'x.html')], 1, /folder .*missing does not exist/],
    ];
    for (const [args, code, message] of cases) {
      const r = await report(...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(message);
      expectOneCleanLine(r.stderr);
    }
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('x.'))).toEqual([]);
  }, 120_000);
});
