import { describe, expect, it } from 'vitest';
import { parseWorld, renderView, type World } from '../../../src/sim/index.js';
import { poseNear, projectPx } from './project.js';

const SOURCE = { latDeg: 34.7245, lonDeg: 113.6302 };
const CAMERA = { widthPx: 640, heightPx: 360, hfovDeg: 82 };

function worldWithPlume(windFromDeg: number): World {
  const features = [
    {
      type: 'Feature',
      properties: { kind: 'plume', id: 'P', lengthM: 12, widthM: 4, opacity: 0.95 },
      geometry: { type: 'Point', coordinates: [SOURCE.lonDeg, SOURCE.latDeg] },
    },
  ];
  return parseWorld({ type: 'FeatureCollection', seed: 3, windFromDeg, features }, 'test-world');
}

/** Pixels the plume changed (mean |Δ| over RGB above 12 of 255): their centroid and count. */
function changed(a: Buffer, b: Buffer): { x: number; y: number; count: number; xs: number[]; ys: number[] } {
  let sx = 0;
  let sy = 0;
  let count = 0;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0, p = 0; i < a.length; i += 3, p++) {
    const d = (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2])) / 3;
    if (d < 12) continue;
    const x = (p % CAMERA.widthPx) + 0.5;
    const y = Math.floor(p / CAMERA.widthPx) + 0.5;
    sx += x;
    sy += y;
    xs.push(x);
    ys.push(y);
    count++;
  }
  return { x: sx / count, y: sy / count, count, xs, ys };
}

/** Distance from point p to the line through a and b, pixels. */
function offLine(
  p: { x: number; y: number },
  a: { x: number; y: number },
  b: { x: number; y: number },
): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  return Math.abs((p.x - a.x) * dy - (p.y - a.y) * dx) / Math.hypot(dx, dy);
}

describe('renderView', () => {
  // Wind from the west: the dust drifts east of the source.
  const plumes = worldWithPlume(270);
  // The same world (same frame, same ground) without its plume.
  const bare: World = { ...plumes, plumes: [] };

  const cases = [
    { name: 'nadir, north up', dE: -15, dN: -10, altM: 80, headingDeg: 0, pitchDeg: -90 },
    { name: 'nadir, yawed 130°', dE: -5, dN: 12, altM: 70, headingDeg: 130, pitchDeg: -90 },
    // Looking east along the wind from behind the source: the plume runs up the image, away.
    { name: 'oblique 40° down, yawed east', dE: -70, dN: 3, altM: 55, headingDeg: 85, pitchDeg: -40 },
  ];
  for (const c of cases) {
    it(`draws the plume where the pinhole conventions put its source (${c.name})`, () => {
      const pose = poseNear(plumes, SOURCE, c.dE, c.dN, c.altM, c.headingDeg, c.pitchDeg);
      const withPlume = renderView(plumes, pose, CAMERA, 0);
      const without = renderView(bare, pose, CAMERA, 0);
      expect(withPlume.length).toBe(CAMERA.widthPx * CAMERA.heightPx * 3);
      const region = changed(withPlume, without);
      expect(region.count).toBeGreaterThan(200);
      // The source relative to the camera's ground point, and a point 10 m downwind.
      const source = projectPx(CAMERA, pose, -c.dE, -c.dN, -c.altM);
      const downwind = projectPx(CAMERA, pose, -c.dE + 10, -c.dN, -c.altM);
      const metrePx = Math.hypot(downwind.x - source.x, downwind.y - source.y) / 10;
      // The dust lies along the wind axis through the source...
      expect(offLine(region, source, downwind)).toBeLessThan(2 * metrePx + 3);
      // ...downwind of it, and it starts at the source (within the plume's width behind it).
      const along = (p: { x: number; y: number }) =>
        ((p.x - source.x) * (downwind.x - source.x) + (p.y - source.y) * (downwind.y - source.y)) /
        Math.hypot(downwind.x - source.x, downwind.y - source.y);
      expect(along(region)).toBeGreaterThan(0);
      const upwindMost = Math.min(...region.xs.map((x, i) => along({ x, y: region.ys[i] })));
      expect(upwindMost).toBeGreaterThan(-5 * metrePx);
      expect(upwindMost).toBeLessThan(2 * metrePx);
    });
  }

  it('draws sky above the horizon and ground below it', () => {
    const pose = poseNear(bare, SOURCE, 0, 0, 30, 45, 0);
    const image = renderView(bare, pose, CAMERA, 0);
    const pixel = (x: number, y: number) => [
      ...image.subarray((y * CAMERA.widthPx + x) * 3, (y * CAMERA.widthPx + x) * 3 + 3),
    ];
    // Level camera: the horizon is the middle row (the ground is 30 m below, nearly at infinity).
    for (const x of [10, 320, 630]) {
      const [r, g, b] = pixel(x, 5);
      expect(b).toBeGreaterThan(r + 20); // blue sky at the top
      expect(g).toBeGreaterThan(r);
    }
    const top = pixel(320, 5);
    const nearHorizon = pixel(320, 170);
    expect(nearHorizon[0]).toBeGreaterThan(top[0] + 30); // paler toward the horizon
    // Rows well below the horizon are ground: not the sky's colour, and varied.
    const row = Array.from({ length: 64 }, (_, i) => pixel(i * 10, 350)[0]);
    expect(Math.max(...row) - Math.min(...row)).toBeGreaterThan(20);
  });

  it('is deterministic: the same world, pose and time give the same frame', () => {
    const pose = poseNear(plumes, SOURCE, -20, 0, 60, 30, -60);
    expect(renderView(plumes, pose, CAMERA, 5).equals(renderView(worldWithPlume(270), pose, CAMERA, 5))).toBe(
      true,
    );
  });
});
