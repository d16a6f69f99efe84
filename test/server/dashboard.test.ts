// The dashboard in headless Chromium (Debian's package, driven by playwright-core, which never
// downloads a browser) against the real server over a hub of real parts: the simulator flying, the
// demo sites, and alerts from a real AlertService on a SQLite file.
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sighting, tempDir } from '../alerts/sightings.js';
import { launchChromium } from '../helpers/browser.js';
import { PILOT_TOKEN, REVIEWER_TOKEN, startTestServer, type TestServer, VIEWER_TOKEN } from './harness.js';
import { SimHub } from './sim-hub.js';

const WAIT_MS = 30_000;
/** Points inside D-01 and D-02 (missions/demo-sites.geojson), a few hundred metres from home. */
const D01 = { latDeg: 34.7262023, lonDeg: 113.6317302 };
const D02 = { latDeg: 34.7238, lonDeg: 113.6262 };
const M_PER_DEG_LAT = 111_320;

let dir: string;
let hub: SimHub;
let t: TestServer;
let browser: Browser;
/** Errors the pages threw or logged; none are expected. */
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium('the dashboard test');
  dir = tempDir('server-dashboard');
  hub = await SimHub.start(dir, 10);
  t = await startTestServer(hub);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await hub?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 30_000);

async function openPage(token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(`page error: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  await page.goto(`${t.url}/?token=${token}`);
  return page;
}

/** The vehicle card's position attributes (the drone as the page shows it). */
async function shownPosition(page: Page): Promise<{ lat: number; lon: number } | null> {
  const card = page.locator('#vehicles [data-vehicle-id="V1"]');
  const lat = await card.getAttribute('data-drone-lat');
  const lon = await card.getAttribute('data-drone-lon');
  return lat && lon ? { lat: Number(lat), lon: Number(lon) } : null;
}

describe('the dashboard', () => {
  it('shows the sites, the route, the moving drone, a new alert and its evidence', async () => {
    const page = await openPage(PILOT_TOKEN);
    // The token leaves the address bar once the page has kept it.
    await expect.poll(() => page.url(), { timeout: WAIT_MS }).not.toContain('token');

    // One SVG path per site in the demo file, each labelled; the no-fly zone and operating area too.
    await page.waitForSelector('path.site', { timeout: WAIT_MS });
    const siteIds = await page
      .locator('path.site')
      .evaluateAll((paths) => paths.map((p) => p.getAttribute('data-site-id')));
    expect(siteIds.sort()).toEqual(['D-01', 'D-02', 'D-03', 'D-04', 'D-05']);
    expect(await page.locator('path.no-fly').count()).toBe(1);
    expect(await page.locator('path.operating-area').count()).toBe(1);
    expect(await page.locator('.site-label').allTextContents()).toHaveLength(5);
    expect(await page.locator('.leaflet-control-scale').count()).toBe(1);
    expect(await page.locator('.leaflet-tile').count()).toBe(0);
    await page.waitForSelector('#link-status[data-state="live"]', { timeout: WAIT_MS });

    // The pilot starts the patrol (and confirms): its plan is drawn, and the drone moves as telemetry arrives.
    hub.patrol = { points: [D01, D02], altRelM: 40 };
    page.on('dialog', (dialog) => void dialog.accept());
    await page.locator('#vehicles [data-vehicle-id="V1"] button[data-command="start"]').click();
    await page.waitForSelector('path.route', { timeout: WAIT_MS });
    expect(await page.locator('.waypoint').allTextContents()).toEqual(['2', '3']);

    await page.waitForSelector('#vehicles [data-vehicle-id="V1"][data-drone-lat]', { timeout: WAIT_MS });
    const start = await shownPosition(page);
    expect(start).not.toBeNull();
    await expect
      .poll(
        async () => {
          const now = await shownPosition(page);
          if (!now || !start) return 0;
          const northM = (now.lat - start.lat) * M_PER_DEG_LAT;
          const eastM = (now.lon - start.lon) * M_PER_DEG_LAT * Math.cos((start.lat * Math.PI) / 180);
          return Math.hypot(northM, eastM);
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBeGreaterThan(30);
    expect(await page.locator('.leaflet-marker-icon.drone').count()).toBe(1);
    expect(await page.locator('path.track').count()).toBe(1);
    const card = page.locator('#vehicles [data-vehicle-id="V1"]');
    expect(await card.getAttribute('data-armed')).toBe('true');
    expect(await card.locator('.v-battery').textContent()).toMatch(/battery \d+ %/);

    // An alert raised now appears in the list, newest first, and in the ledger.
    const { alert } = await hub.raise(sighting({ ...D01, firstSeenUs: Date.now() * 1000 }));
    const item = page.locator(`#alerts li[data-alert-id="${alert.id}"]`);
    await item.waitFor({ timeout: WAIT_MS });
    const text = await item.textContent();
    expect(text).toContain(alert.code);
    expect(text).toContain('D-01');
    expect(text).toContain('Songshan Construction Group');
    expect(text).toContain(alert.severity);
    await page.waitForSelector('#ledger tr[data-site-id="D-01"]', { timeout: WAIT_MS });

    // Clicking it opens its evidence picture (fetched with the token) and flies the map there.
    await item.click();
    const evidenceShown = () =>
      page.locator('#evidence-img').evaluate((img) => {
        const { complete, naturalWidth } = img as unknown as { complete: boolean; naturalWidth: number };
        return complete && naturalWidth > 0;
      });
    await expect.poll(evidenceShown, { timeout: WAIT_MS }).toBe(true);
    expect(await page.locator('#evidence-title').textContent()).toContain(alert.code);
    expect(await item.getAttribute('class')).toContain('selected');

    // A pilot's buttons reach the vehicle.
    await card.locator('button[data-command="pause"]').click();
    await page.waitForSelector('#vehicles [data-vehicle-id="V1"][data-mode="LOITER"]', { timeout: WAIT_MS });

    await page.close();
    expect(pageErrors).toEqual([]);
  }, 110_000);

  it('shows the supervisor a red line while the store holds alerts in memory, gone once it is back', async () => {
    const page = await openPage(VIEWER_TOKEN);
    await page.waitForSelector('#link-status[data-state="live"]', { timeout: WAIT_MS });
    expect(await page.locator('#store-status').isHidden()).toBe(true);
    const status = {
      available: false,
      reason: '/data/alerts.db: cannot write the alert database: no space left on the device (SQLITE_FULL)',
      heldAlerts: 2,
      heldRecords: 1,
      evidenceDropped: 0,
    };
    hub.emit({
      type: 'store',
      level: 'warning',
      text: 'alert held, not stored yet: D-01 at 34.72620,113.63173 (store unavailable: 2 alerts held)',
      status,
      timeUs: Date.now() * 1000,
    });
    const line = page.locator('#store-status');
    await line.waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(await line.textContent()).toBe('store unavailable: 2 alerts held, 1 patrol record held');
    expect(await line.getAttribute('title')).toBe(status.reason);
    expect(await page.locator('#events').textContent()).toContain('alert held, not stored yet: D-01');

    hub.emit({
      type: 'store',
      level: 'info',
      text: 'store available again: 2 held alerts and 1 record written',
      status: { ...status, available: true, reason: null, heldAlerts: 0, heldRecords: 0 },
      timeUs: Date.now() * 1000,
    });
    await line.waitFor({ state: 'hidden', timeout: WAIT_MS });
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('lets a reviewer confirm and then dismiss an alert: the ledger counts change, a viewer sees it live', async () => {
    const reviewer = await openPage(REVIEWER_TOKEN);
    const viewer = await openPage(VIEWER_TOKEN);
    for (const page of [reviewer, viewer])
      await page.waitForSelector('#link-status[data-state="live"]', { timeout: WAIT_MS });
    const { alert } = await hub.raise(sighting({ ...D02, firstSeenUs: Date.now() * 1000 }));
    const cell = (page: Page, count: string) =>
      page.locator(`#ledger tr[data-site-id="D-02"] td[data-count="${count}"]`);
    const counts = async (page: Page) =>
      Promise.all(
        ['confirmed', 'pending', 'dismissed'].map(async (c) => Number(await cell(page, c).textContent())),
      );
    await cell(reviewer, 'pending').waitFor({ timeout: WAIT_MS });
    await expect.poll(() => counts(reviewer), { timeout: WAIT_MS }).toEqual([0, 1, 0]);
    // A reviewer has no command buttons, but the review buttons.
    expect(await reviewer.locator('button[data-command]').count()).toBe(0);

    const item = reviewer.locator(`#alerts li[data-alert-id="${alert.id}"]`);
    await item.waitFor({ timeout: WAIT_MS });
    expect(await item.getAttribute('data-review-state')).toBe('pending');
    await item.click();
    await reviewer.locator('#review-actions').waitFor({ state: 'visible', timeout: WAIT_MS });
    await reviewer.locator('#review-note').fill('brown plume over the stockpile');
    await reviewer.locator('#review-confirm').click();
    await reviewer.waitForSelector('#review-state[data-review-state="confirmed"]', { timeout: WAIT_MS });
    expect(await reviewer.locator('#review-state').textContent()).toMatch(
      /^confirmed as dust by Rita Reviewer, /,
    );
    await expect.poll(() => counts(reviewer), { timeout: WAIT_MS }).toEqual([1, 0, 0]);
    // The viewer's page hears it on the feed: the alert's state and its ledger change without a reload.
    await viewer.waitForSelector(`#alerts li[data-alert-id="${alert.id}"][data-review-state="confirmed"]`, {
      timeout: WAIT_MS,
    });
    await expect.poll(() => counts(viewer), { timeout: WAIT_MS }).toEqual([1, 0, 0]);

    await reviewer.locator('#review-reason').selectOption('vehicle');
    await reviewer.locator('#review-dismiss').click();
    await reviewer.waitForSelector('#review-state[data-review-state="dismissed"]', { timeout: WAIT_MS });
    await expect.poll(() => counts(reviewer), { timeout: WAIT_MS }).toEqual([0, 0, 1]);
    // Both reviews in its history, newest first; the store kept both.
    await expect
      .poll(() => reviewer.locator('#review-history li').allTextContents(), { timeout: WAIT_MS })
      .toEqual([
        expect.stringMatching(/dismissed: vehicle by Rita Reviewer$/),
        expect.stringMatching(/confirmed by Rita Reviewer: brown plume over the stockpile$/),
      ]);
    expect(hub.store.reviewsOf(alert.id).map((r) => r.verdict)).toEqual(['confirmed', 'dismissed']);

    // A viewer sees the state but no buttons.
    await viewer.locator(`#alerts li[data-alert-id="${alert.id}"]`).click();
    await viewer.waitForSelector('#review-state[data-review-state="dismissed"]', { timeout: WAIT_MS });
    expect(await viewer.locator('#review-actions').isHidden()).toBe(true);
    await reviewer.close();
    await viewer.close();
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('shows a viewer no command buttons', async () => {
    const page = await openPage(VIEWER_TOKEN);
    await page.waitForSelector('#vehicles [data-vehicle-id="V1"]', { timeout: WAIT_MS });
    expect(await page.locator('#who').textContent()).toContain('viewer');
    expect(await page.locator('button[data-command]').count()).toBe(0);
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('tells a visitor without a token how to get in', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/`);
    await page.waitForSelector('#notice:not([hidden])', { timeout: WAIT_MS });
    expect(await page.locator('#notice').textContent()).toMatch(/No token/);
    await page.close();
  }, 60_000);
});
