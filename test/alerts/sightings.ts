// Helpers for the alert tests: sites from the small fixture and sightings made to measure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PlumeSighting } from '../../src/alerts/index.js';
import { loadSiteFiles, registryFromFeatures, type Site } from '../../src/sites/index.js';
import type { Frame } from '../../src/video/index.js';

export const SITES_FILE = 'fixtures/sites/small-sites.geojson';

/** 2024-05-03 08:00:00 UTC, µs. */
export const T0_US = Date.UTC(2024, 4, 3, 8, 0, 0) * 1000;
export const MINUTE_US = 60e6;
export const DAY_US = 86_400e6;

const M_PER_DEG_LAT = 6_378_137 * (Math.PI / 180);

/** S-1 "North block" (Acme Build) spans lon 113.62…113.621093, lat 34.73…34.7307187 (about 100 × 80 m). */
export const S1_CENTRE = { latDeg: 34.7303594, lonDeg: 113.6205465 };

/** The point `northM` north and `eastM` east of `p` (flat earth, as the code under test). */
export function offset(p: { latDeg: number; lonDeg: number }, northM: number, eastM: number) {
  return {
    latDeg: p.latDeg + northM / M_PER_DEG_LAT,
    lonDeg: p.lonDeg + eastM / (M_PER_DEG_LAT * Math.cos((p.latDeg * Math.PI) / 180)),
  };
}

export async function smallSites(): Promise<Site[]> {
  return (await loadSiteFiles([SITES_FILE])).sites;
}

export function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `dustpatrol-${name}-`));
}

/** A frame with a gradient, so its JPEG is a real picture. */
export function testFrame(width = 96, height = 64): Frame {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 255) / width;
      data[i + 1] = (y * 255) / height;
      data[i + 2] = 90;
    }
  }
  return { data, width, height, ptsS: 12.5, index: 25, receivedAtMs: 0 };
}

let counter = 0;

/** A sighting at S-1's centre at T0 unless told otherwise; each gets its own key. */
export function sighting(over: Partial<PlumeSighting> = {}): PlumeSighting {
  counter++;
  const firstSeenUs = over.firstSeenUs ?? T0_US;
  return {
    flightId: 'F-1',
    sightingKey: `${counter}@${firstSeenUs}`,
    firstSeenUs,
    lastSeenUs: firstSeenUs + 4e6,
    frames: 8,
    ...S1_CENTRE,
    uncertaintyM: 6,
    areaM2: 150,
    meanScore: 0.7,
    peakScore: 0.8,
    pose: { latDeg: 34.7295, lonDeg: 113.6203, altRelM: 60, headingDeg: 10, gimbalPitchDeg: -45 },
    evidence: { frame: testFrame(), box: { x0: 20, y0: 10, x1: 60, y1: 40 } },
    ...over,
  };
}

export const AWKWARD_CONTRACTOR = 'Smith, "Dusty" & Sons <Ltd>';

/** A site around S-1's centre whose contractor's name needs quoting everywhere. */
export function awkwardSites() {
  const sw = offset(S1_CENTRE, -40, -50);
  const ne = offset(S1_CENTRE, 40, 50);
  return registryFromFeatures([
    {
      source: 'awkward',
      features: [
        {
          type: 'Feature',
          properties: { id: 'W-1', name: 'Wharf, east', contractor: AWKWARD_CONTRACTOR },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [sw.lonDeg, sw.latDeg],
                [ne.lonDeg, sw.latDeg],
                [ne.lonDeg, ne.latDeg],
                [sw.lonDeg, ne.latDeg],
                [sw.lonDeg, sw.latDeg],
              ],
            ],
          },
        },
      ],
    },
  ]).sites;
}
