import { describe, expect, it } from 'vitest';
import { type Ring, signedAreaM2 } from '../../../src/geo/index.js';
import { bandOf } from '../../../src/plan/patterns/sweep/band.js';
import { decompose } from '../../../src/plan/patterns/sweep/decompose.js';
import { placeSwaths } from '../../../src/plan/patterns/sweep/swaths.js';
import { randomStar, rect, seeded } from '../../geo/shapes.js';

/** A cell's area from its edge pieces, pushed left then right for each slab. */
function cellAreaM2(edges: { ax: number; ay: number; bx: number; by: number }[]): number {
  let areaM2 = 0;
  for (let i = 0; i + 1 < edges.length; i += 2) {
    const [l, r] = [edges[i], edges[i + 1]];
    areaM2 += ((r.ax - l.ax + (r.bx - l.bx)) / 2) * (l.by - l.ay);
  }
  return areaM2;
}

describe('boustrophedon cells', () => {
  const random = seeded(5);
  const shapes: Ring[][] = [
    ...Array.from({ length: 30 }, () => [randomStar(random, 6 + Math.floor(random() * 10), 30, 150)]),
    [rect(0, 0, 400, 300), [...rect(80, 80, 200, 180)].reverse(), [...rect(260, 150, 340, 240)].reverse()],
  ];

  it('tile the region exactly', () => {
    for (const rings of shapes) {
      const areaM2 = rings.reduce((s, r) => s + signedAreaM2(r), 0);
      const cells = decompose(rings);
      expect(cells.reduce((s, c) => s + cellAreaM2(c.edges), 0)).toBeCloseTo(areaM2, 6);
    }
  });

  it('split a rectangle with two holes where the holes begin and end', () => {
    // Bottom, then beside the first hole (left, right), between holes, beside the second, top.
    const cells = decompose(shapes[shapes.length - 1]);
    expect(cells.length).toBeGreaterThanOrEqual(4);
    for (const c of cells) expect(c.yMaxM).toBeGreaterThan(c.yMinM);
  });
});

describe('placeSwaths', () => {
  const band = bandOf([rect(0, 0, 200, 300)]);

  it.each([30, 80.6, 100, 299, 301])(
    'spacing %f m: as few transects as cover, half a strip in from each edge',
    (spacingM) => {
      const swaths = placeSwaths(band, spacingM, 10, []) ?? [];
      const count = Math.ceil(300 / spacingM);
      expect(swaths).toHaveLength(count);
      const stripM = 300 / count;
      expect(stripM).toBeLessThanOrEqual(spacingM);
      swaths.forEach((s, j) => {
        expect(s.yM).toBeCloseTo(stripM * (j + 0.5), 9);
        expect(s.fromXM).toBe(-10);
        expect(s.toXM).toBe(210);
      });
    },
  );

  it('span the whole strip where an edge slopes, so no corner is left uncovered', () => {
    const triangle = bandOf([
      [
        { x: 0, y: 0 },
        { x: 200, y: 0 },
        { x: 0, y: 200 },
      ],
    ]);
    const swaths = placeSwaths(triangle, 100, 0, []) ?? [];
    // The strip 0..100 reaches x = 200 at its foot, not 150 where its middle line meets the edge.
    expect(swaths[0].toXM).toBeCloseTo(200, 9);
    expect(swaths[1].toXM).toBeCloseTo(100, 9);
  });

  it('cut the turnaround short of a keep-out area, and fail when it cuts the site itself', () => {
    const beside = [rect(205, -50, 260, 350)];
    for (const s of placeSwaths(band, 80, 10, beside) ?? []) expect(s.toXM).toBeCloseTo(204.9, 9);
    expect(placeSwaths(band, 80, 10, [rect(90, -50, 110, 350)])).toBeNull();
  });
});
