// The footage page in headless Chromium (Debian's package, driven by playwright-core) against the real
// server over a real store: a real H.264 Matroska clip made by ffmpeg, indexed as having seen site D-01
// from its second 1 to 4 with the camera moving north. The page finds the range, plays the recording
// from the range's start (the browser fetching it in byte ranges), and draws what the camera saw.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { offset, tempDir } from '../alerts/sightings.js';
import { launchChromium } from '../helpers/browser.js';
import { footageView, squareAround } from '../helpers/footage-views.js';
import { makeClip } from '../video/ffmpeg-helpers.js';
import { FakeHub } from './fake-hub.js';
import { startTestServer, type TestServer, VIEWER_TOKEN } from './harness.js';

const WAIT_MS = 30_000;
/** Inside D-01. */
const D01 = { latDeg: 34.7262023, lonDeg: 113.6317302 };

let dir: string;
let hub: FakeHub;
let t: TestServer;
let browser: Browser;
const pageErrors: string[] = [];

/** A second's view over D-01, `northM` north of it. */
function view(fromS: number, northM: number) {
  const centre = offset(D01, northM, 0);
  return footageView(fromS, fromS + 1, squareAround(centre, 50), centre);
}

beforeAll(async () => {
  dir = tempDir('footage-page');
  hub = await FakeHub.create(dir);
  const video = path.join(dir, 'F-1-video-1.mkv');
  await makeClip(video, 6, '320x240');
  hub.alerts.replaceFootage({ flightId: 'F-1', path: video }, [view(1, -20), view(2, 0), view(3, 20)]);
  t = await startTestServer(hub);
  browser = await launchChromium('the footage page test');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  hub?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 30_000);

async function openPage(): Promise<{ page: Page; videoStatuses: number[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (err) => pageErrors.push(`page error: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  const videoStatuses: number[] = [];
  page.on('response', (res) => {
    if (res.url().includes('/api/recordings/1/video')) videoStatuses.push(res.status());
  });
  await page.goto(`${t.url}/footage.html?token=${VIEWER_TOKEN}`);
  return { page, videoStatuses };
}

const currentTime = (page: Page) =>
  page.locator('#video').evaluate((v) => (v as unknown as { currentTime: number }).currentTime);

it('finds the flight that saw D-01, plays its recording from there, and draws what the camera saw as it moves', async () => {
  const { page, videoStatuses } = await openPage();
  await expect.poll(() => page.url(), { timeout: WAIT_MS }).not.toContain('token');
  await page.waitForSelector('#site option[value="D-01"]', { state: 'attached', timeout: WAIT_MS });

  await page.selectOption('#site', 'D-01');
  await page.click('#query button[type="submit"]');
  const row = page.locator('#ranges tbody tr');
  await row.first().waitFor({ timeout: WAIT_MS });
  expect(await row.count()).toBe(1);
  expect(await row.first().textContent()).toContain('F-1');

  await row.first().click();
  // The recording plays from the range's start: the browser has read it, in byte ranges.
  await expect.poll(() => currentTime(page), { timeout: WAIT_MS }).toBeCloseTo(1, 1);
  await expect
    .poll(() => page.locator('#video').evaluate((v) => (v as unknown as { readyState: number }).readyState), {
      timeout: WAIT_MS,
    })
    .toBeGreaterThanOrEqual(1);
  expect(videoStatuses).toContain(206);
  expect(await page.locator('path.footprint').getAttribute('data-offset')).toBe('1');
  expect(await page.locator('path.camera').count()).toBe(1);

  // The slider moves the video, and the footprint follows it north.
  const southY = await footprintTopY(page);
  await page.locator('#slider').fill('3.2');
  await expect.poll(() => currentTime(page), { timeout: WAIT_MS }).toBeCloseTo(3.2, 1);
  await expect.poll(() => page.locator('path.footprint').getAttribute('data-offset')).toBe('3');
  expect(await footprintTopY(page)).toBeLessThan(southY);
  expect(await page.locator('#clock').textContent()).toMatch(/^2024-05-03 08:00:03 UTC$/);

  // A site nobody filmed: said so.
  await page.selectOption('#site', 'D-05');
  await page.click('#query button[type="submit"]');
  await expect.poll(() => page.locator('#ranges-empty').isVisible(), { timeout: WAIT_MS }).toBe(true);
  expect(await page.locator('#ranges-empty').textContent()).toBe('No footage of D-05.');
  expect(await page.locator('#ranges tbody tr').count()).toBe(0);
  expect(pageErrors).toEqual([]);
}, 120_000);

/** The footprint's top edge on the screen, px (smaller is further north). */
async function footprintTopY(page: Page): Promise<number> {
  const box = await page.locator('path.footprint').boundingBox();
  if (!box) throw new Error('no footprint drawn');
  return box.y;
}
