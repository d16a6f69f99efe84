import { describe, expect, it } from 'vitest';
import { dilateSquare, EDGE_DIRECTIONS, findBlobs, labelComponents } from '../../src/detect/index.js';
import { seededRandom } from '../../src/random.js';

/** A mask from rows of '#' (on) and '.' (off). */
function mask(rows: string[]): { data: Uint8Array; widthPx: number; heightPx: number } {
  const widthPx = rows[0].length;
  const data = Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0));
  return { data, widthPx, heightPx: rows.length };
}

function labelRows(rows: string[]): { count: number; picture: string[] } {
  const { data, widthPx, heightPx } = mask(rows);
  const { labels, count } = labelComponents(data, widthPx, heightPx);
  const picture = rows.map((_, y) =>
    Array.from(labels.subarray(y * widthPx, (y + 1) * widthPx), (l) => (l === 0 ? '.' : String(l))).join(''),
  );
  return { count, picture };
}

/** Reference: flood fill, 8-connected. */
function floodCount(data: Uint8Array, widthPx: number, heightPx: number): number {
  const seen = new Uint8Array(data.length);
  let count = 0;
  for (let start = 0; start < data.length; start++) {
    if (!data[start] || seen[start]) continue;
    count++;
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop() as number;
      const x = i % widthPx;
      const y = Math.floor(i / widthPx);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= widthPx || ny >= heightPx) continue;
          const j = ny * widthPx + nx;
          if (data[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
  }
  return count;
}

describe('labelComponents', () => {
  it('finds nothing in an empty mask', () => {
    expect(labelRows(['....', '....'])).toEqual({ count: 0, picture: ['....', '....'] });
  });

  it('labels separate blobs in order of first appearance', () => {
    expect(labelRows(['##..#', '##..#', '.....', '..##.']).picture).toEqual([
      '11..2',
      '11..2',
      '.....',
      '..33.',
    ]);
  });

  it('joins diagonal neighbours (8-connected)', () => {
    expect(labelRows(['#...', '.#..', '..#.', '.#.#']).count).toBe(1);
    expect(labelRows(['...#', '..#.', '.#..']).count).toBe(1);
  });

  it('merges labels that meet lower down (a U and a W shape)', () => {
    const u = labelRows(['#...#', '#...#', '#####']);
    expect(u.count).toBe(1);
    expect(u.picture).toEqual(['1...1', '1...1', '11111']);
    expect(labelRows(['#.#.#.#', '#.#.#.#', '.#...#.', '..###..']).count).toBe(1);
  });

  it('agrees with a flood fill on random masks', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 30; trial++) {
      const widthPx = 5 + Math.floor(random() * 60);
      const heightPx = 5 + Math.floor(random() * 60);
      const density = 0.2 + random() * 0.5;
      const data = Uint8Array.from({ length: widthPx * heightPx }, () => (random() < density ? 1 : 0));
      const { labels, count } = labelComponents(data, widthPx, heightPx);
      expect(count).toBe(floodCount(data, widthPx, heightPx));
      for (let i = 0; i < data.length; i++) expect(labels[i] > 0).toBe(data[i] === 1);
    }
  });
});

describe('dilateSquare', () => {
  it('agrees with a brute-force square dilation on random masks', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 20; trial++) {
      const widthPx = 3 + Math.floor(random() * 40);
      const heightPx = 3 + Math.floor(random() * 40);
      const radiusPx = Math.floor(random() * 5);
      const data = Uint8Array.from({ length: widthPx * heightPx }, () => (random() < 0.05 ? 1 : 0));
      const dilated = dilateSquare(data, widthPx, heightPx, radiusPx);
      for (let y = 0; y < heightPx; y++) {
        for (let x = 0; x < widthPx; x++) {
          let any = 0;
          for (let dy = -radiusPx; dy <= radiusPx; dy++) {
            for (let dx = -radiusPx; dx <= radiusPx; dx++) {
              const nx = x + dx;
              const ny = y + dy;
              if (nx >= 0 && ny >= 0 && nx < widthPx && ny < heightPx) any |= data[ny * widthPx + nx];
            }
          }
          expect(dilated[y * widthPx + x]).toBe(any);
        }
      }
    }
  });
});

describe('findBlobs', () => {
  it('gives box, area, scores, peak and base of each blob, largest first, small ones dropped', () => {
    const widthPx = 8;
    const heightPx = 6;
    const prob = new Float32Array(widthPx * heightPx);
    const set = (x: number, y: number, p: number) => {
      prob[y * widthPx + x] = p;
    };
    // A 3×3 blob with a peak in its middle, and a lone pixel (dropped at min area 2).
    for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) set(x, y, 0.6);
    set(2, 2, 0.9);
    set(6, 5, 0.8);
    set(7, 0, 0.4); // below the threshold
    const blobs = findBlobs(prob, widthPx, heightPx, { threshold: 0.5, minAreaPx: 2, mergeGapPx: 0 });
    expect(blobs).toHaveLength(1);
    const [blob] = blobs;
    expect(blob.box).toEqual({ x0: 1, y0: 1, x1: 4, y1: 4 });
    expect(blob.areaPx).toBe(9);
    expect(blob.meanScore).toBeCloseTo((8 * 0.6 + 0.9) / 9, 5);
    expect(blob.peakScore).toBeCloseTo(0.9, 5);
    expect(blob.peakXy).toEqual([2, 2]);
    expect(blob.baseXy).toEqual([2, 3]);
    expect(
      findBlobs(prob, widthPx, heightPx, { threshold: 0.5, minAreaPx: 1, mergeGapPx: 0 }).map(
        (b) => b.areaPx,
      ),
    ).toEqual([9, 1]);
  });

  it('takes the base from the lowest row only', () => {
    const { data, widthPx, heightPx } = mask(['.###.', '..#..', '..##.']);
    const blobs = findBlobs(Float32Array.from(data), widthPx, heightPx, {
      threshold: 0.5,
      minAreaPx: 1,
      mergeGapPx: 0,
    });
    expect(blobs[0].baseXy).toEqual([2.5, 2]);
  });

  it("finds a blob's outermost points by direction", () => {
    // A plume seen from above: it leaves its source at the left, widens to the right.
    const { data, widthPx, heightPx } = mask([
      '......................',
      '.........#############',
      '...###################',
      '######################',
      '...###################',
      '.........#############',
    ]);
    const [plume] = findBlobs(Float32Array.from(data), widthPx, heightPx, {
      threshold: 0.5,
      minAreaPx: 1,
      mergeGapPx: 0,
    });
    expect(plume.edgesXy).toHaveLength(EDGE_DIRECTIONS);
    // Left (k = 12): the outermost tenth of 22 columns, columns 0–2, only row 3 reaches there.
    const left = plume.edgesXy[12];
    expect(left[0]).toBeLessThanOrEqual(2);
    expect(left[1]).toBeCloseTo(3, 5);
    // Right (k = 4): the last columns, centred on the plume's broad end.
    const right = plume.edgesXy[4];
    expect(right[0]).toBeGreaterThanOrEqual(19);
    expect(right[1]).toBeCloseTo(3, 5);
    // Up (k = 0): the top row of the blob.
    expect(plume.edgesXy[0][1]).toBe(1);
  });

  it('merges fragments within the gap into one blob, counting only their own pixels', () => {
    const { data, widthPx, heightPx } = mask(['##...##.......##', '##...##.......##']);
    const prob = Float32Array.from(data);
    const options = { threshold: 0.5, minAreaPx: 1 };
    expect(findBlobs(prob, widthPx, heightPx, { ...options, mergeGapPx: 0 })).toHaveLength(3);
    // Gap 2 bridges the 3-pixel hole (2 × 2 ≥ 3) but not the 7-pixel one.
    const merged = findBlobs(prob, widthPx, heightPx, { ...options, mergeGapPx: 2 });
    expect(merged.map((b) => [b.box, b.areaPx])).toEqual([
      [{ x0: 0, y0: 0, x1: 7, y1: 2 }, 8],
      [{ x0: 14, y0: 0, x1: 16, y1: 2 }, 4],
    ]);
  });
});
