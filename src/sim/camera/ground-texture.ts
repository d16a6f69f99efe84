import { fractalNoise, hash2, hashString, Rng } from './noise.js';
import { insideSite, type World, type WorldSite } from './world.js';

/**
 * The ground as a procedural texture, in the look of scripts/dust/synth.py's scenes: construction
 * sites are bare soil (two soil colours mixed by noise, fine grain) with tyre tracks, machines,
 * vehicles, concrete slabs, green dust nets, site offices and a fence along the boundary; the rest is
 * a district of roads, roofs (with shadows), paving, grass and trees.
 *
 * Tiles are made lazily, deterministically from the world seed, in a pyramid: a level-L tile covers
 * TILE_M · 2^L metres with TILE_TEXELS texels (plus one apron texel, so bilinear sampling never crosses
 * tiles), and the least recently used tiles are dropped.
 */
export const TILE_TEXELS = 256;
/** Texel size at level 0, metres. */
export const BASE_TEXEL_M = 0.25;
export const TILE_M = TILE_TEXELS * BASE_TEXEL_M;
export const MAX_LEVEL = 7;
const CACHE_TILES = 160;
/** Objects are placed per cell of this size; none reaches further than OBJECT_REACH_M from its cell. */
const OBJECT_CELL_M = 32;
const OBJECT_REACH_M = 24;
/** District blocks: road spacing and width, metres. */
const BLOCK_M = 112;
const ROAD_HALF_M = 5;

const SOIL_RGB = [
  [0.58, 0.46, 0.34],
  [0.72, 0.62, 0.46],
  [0.45, 0.36, 0.28],
  [0.66, 0.42, 0.3],
  [0.62, 0.58, 0.52],
  [0.8, 0.74, 0.6],
] as const;
const ROOF_RGB = [
  [0.92, 0.92, 0.9],
  [0.8, 0.81, 0.82],
  [0.55, 0.56, 0.58],
  [0.62, 0.3, 0.24],
  [0.3, 0.4, 0.6],
  [0.35, 0.5, 0.4],
] as const;
const MACHINE_RGB = [
  [0.85, 0.65, 0.1],
  [0.9, 0.5, 0.1],
  [0.8, 0.78, 0.2],
  [0.75, 0.75, 0.75],
] as const;
const FENCE_RGB = [
  [0.25, 0.45, 0.75],
  [0.9, 0.9, 0.9],
  [0.2, 0.45, 0.25],
  [0.55, 0.55, 0.55],
] as const;

type Rgb = readonly [number, number, number] | number[];

/** A rotated rectangle to paint (or darken) onto the ground; positions in local metres. */
interface Rect {
  e: number;
  n: number;
  /** Length along `angle` and width across, metres. */
  lengthM: number;
  widthM: number;
  /** Radians, counter-clockwise from east. */
  angle: number;
  layer: number;
  /** A colour to paint, or null to darken by `factor`. */
  rgb: Rgb | null;
  factor: number;
  textureAmp: number;
  /** A dust net's mesh period, metres (0: none). */
  meshM: number;
}

interface SiteLook {
  soil0: number[];
  soil1: number[];
  mixCellM: number;
  grainCellM: number;
  grainAmp: number;
  fence: Rect[];
}

interface Tile {
  key: string;
  rgb: Uint8Array;
}

export class GroundTexture {
  private readonly cache = new Map<string, Tile>();
  private readonly looks: SiteLook[];
  private readonly sun: { de: number; dn: number; shadow: number };
  private readonly seed: number;
  private readonly sites: WorldSite[];

  constructor(world: World) {
    this.seed = world.seed;
    this.sites = world.sites;
    const rng = new Rng(world.seed * 7919 + 17);
    const sunAngle = rng.uniform(0, 2 * Math.PI);
    const sunLengthM = rng.uniform(1, 3);
    this.sun = {
      de: Math.cos(sunAngle) * sunLengthM,
      dn: Math.sin(sunAngle) * sunLengthM,
      shadow: rng.uniform(0.5, 0.7),
    };
    this.looks = world.sites.map((site) => this.siteLook(site));
  }

  /** The RGB texels (TILE_TEXELS + 1 square, row j north of row j-1) of a tile, made on first use. */
  tile(level: number, tx: number, ty: number): Uint8Array {
    const key = `${level}/${tx}/${ty}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit.rgb;
    }
    const rgb = this.paintTile(level, tx, ty);
    this.cache.set(key, { key, rgb });
    if (this.cache.size > CACHE_TILES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return rgb;
  }

  /** Bilinear sample of level `level` at local (east, north), 0..1 per channel, into out. */
  sample(level: number, e: number, n: number, out: Float64Array): void {
    const texelM = BASE_TEXEL_M * 2 ** level;
    const fx = e / texelM;
    const fy = n / texelM;
    const tx = Math.floor(fx / TILE_TEXELS);
    const ty = Math.floor(fy / TILE_TEXELS);
    const rgb = this.tile(level, tx, ty);
    const lx = fx - tx * TILE_TEXELS;
    const ly = fy - ty * TILE_TEXELS;
    const ix = Math.min(TILE_TEXELS - 1, Math.floor(lx));
    const iy = Math.min(TILE_TEXELS - 1, Math.floor(ly));
    const wx = lx - ix;
    const wy = ly - iy;
    const stride = (TILE_TEXELS + 1) * 3;
    const i00 = iy * stride + ix * 3;
    for (let c = 0; c < 3; c++) {
      const a = rgb[i00 + c] + (rgb[i00 + 3 + c] - rgb[i00 + c]) * wx;
      const b = rgb[i00 + stride + c] + (rgb[i00 + stride + 3 + c] - rgb[i00 + stride + c]) * wx;
      out[c] = (a + (b - a) * wy) / 255;
    }
  }

  /** The mean colour within radiusM of a point (what dust rising there takes its colour from). */
  meanColour(e: number, n: number, radiusM: number): number[] {
    const out = new Float64Array(3);
    const sum = [0, 0, 0];
    let count = 0;
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        this.sample(1, e + (dx * radiusM) / 2, n + (dy * radiusM) / 2, out);
        for (let c = 0; c < 3; c++) sum[c] += out[c];
        count++;
      }
    }
    return sum.map((s) => s / count);
  }

  private siteLook(site: WorldSite): SiteLook {
    const rng = new Rng(hashString(site.id) ^ (this.seed * 31));
    const soil0 = SOIL_RGB[rng.int(0, SOIL_RGB.length)].map((v) => v * rng.uniform(0.9, 1.1));
    // The second soil is the first, darker (moister, turned over): two soils of different colours
    // blotched together read as dust to the detector.
    const darker = rng.uniform(0.9, 0.97);
    const soil1 = soil0.map((v) => v * darker * rng.uniform(0.97, 1.03));
    const fenceRgb = rng.pick(FENCE_RGB);
    const fence: Rect[] = [];
    for (const ring of site.rings) {
      const count = ring.length / 2;
      for (let i = 0; i + 1 < count; i++) {
        const e0 = ring[2 * i];
        const n0 = ring[2 * i + 1];
        const e1 = ring[2 * i + 2];
        const n1 = ring[2 * i + 3];
        const lengthM = Math.hypot(e1 - e0, n1 - n0);
        if (lengthM < 0.1) continue;
        fence.push({
          e: (e0 + e1) / 2,
          n: (n0 + n1) / 2,
          lengthM,
          widthM: 0.35,
          angle: Math.atan2(n1 - n0, e1 - e0),
          layer: 3,
          rgb: fenceRgb,
          factor: 1,
          textureAmp: 0.1,
          meshM: 0,
        });
      }
    }
    return {
      soil0,
      soil1,
      mixCellM: rng.uniform(12, 36),
      grainCellM: rng.uniform(0.5, 1.5),
      grainAmp: rng.uniform(0.08, 0.25),
      fence,
    };
  }

  private paintTile(level: number, tx: number, ty: number): Uint8Array {
    const size = TILE_TEXELS + 1;
    const texelM = BASE_TEXEL_M * 2 ** level;
    const e0 = tx * TILE_TEXELS * texelM;
    const n0 = ty * TILE_TEXELS * texelM;
    const spanM = TILE_TEXELS * texelM;
    const canvas = new Float32Array(size * size * 3);
    const siteOf = this.siteMask(e0, n0, texelM, size);
    this.paintBase(canvas, siteOf, e0, n0, texelM, size);
    const rects = this.objectsIn(e0, n0, spanM, texelM);
    for (const [s, look] of this.looks.entries()) {
      const site = this.sites[s];
      if (
        site.maxE < e0 - 1 ||
        site.minE > e0 + spanM + 1 ||
        site.maxN < n0 - 1 ||
        site.minN > n0 + spanM + 1
      ) {
        continue;
      }
      for (const r of look.fence) rects.push(r);
    }
    rects.sort((a, b) => a.layer - b.layer);
    for (const r of rects) paintRect(canvas, size, e0, n0, texelM, r, this.seed);
    const rgb = new Uint8Array(size * size * 3);
    for (let i = 0; i < rgb.length; i++) {
      const v = canvas[i] * 255 + 0.5;
      rgb[i] = v < 0 ? 0 : Math.min(v, 255);
    }
    return rgb;
  }

  /** Per texel: the index of the site it lies in, or -1 (scanline fill, even-odd over each site's rings). */
  private siteMask(e0: number, n0: number, texelM: number, size: number): Int16Array {
    const mask = new Int16Array(size * size).fill(-1);
    const spanM = (size - 1) * texelM;
    const crossings: number[] = [];
    this.sites.forEach((site, s) => {
      if (site.maxE < e0 || site.minE > e0 + spanM || site.maxN < n0 || site.minN > n0 + spanM) return;
      for (let j = 0; j < size; j++) {
        const n = n0 + j * texelM;
        if (n < site.minN || n > site.maxN) continue;
        crossings.length = 0;
        for (const ring of site.rings) {
          const count = ring.length / 2;
          for (let i = 0, k = count - 1; i < count; k = i++) {
            const an = ring[2 * i + 1];
            const bn = ring[2 * k + 1];
            if (an > n !== bn > n) {
              const ae = ring[2 * i];
              const be = ring[2 * k];
              crossings.push(ae + ((be - ae) * (n - an)) / (bn - an));
            }
          }
        }
        crossings.sort((a, b) => a - b);
        for (let c = 0; c + 1 < crossings.length; c += 2) {
          const from = Math.max(0, Math.ceil((crossings[c] - e0) / texelM));
          const to = Math.min(size - 1, Math.floor((crossings[c + 1] - e0) / texelM));
          for (let i = from; i <= to; i++) mask[j * size + i] = s;
        }
      }
    });
    return mask;
  }

  private paintBase(
    canvas: Float32Array,
    siteOf: Int16Array,
    e0: number,
    n0: number,
    texelM: number,
    size: number,
  ): void {
    const seed = this.seed;
    const minCell = texelM * 1.5;
    const { de: sunE, dn: sunN, shadow } = this.sun;
    for (let j = 0; j < size; j++) {
      const n = n0 + j * texelM;
      for (let i = 0; i < size; i++) {
        const e = e0 + i * texelM;
        const p = (j * size + i) * 3;
        const s = siteOf[j * size + i];
        let r: number;
        let g: number;
        let b: number;
        if (s >= 0) {
          const look = this.looks[s];
          const mix = fractalNoise(e, n, look.mixCellM, 3, seed + 11 + s, minCell);
          const grain = fractalNoise(e, n, look.grainCellM * 2, 2, seed + 23, minCell) - 0.5;
          const k = 1 + look.grainAmp * grain;
          r = (look.soil0[0] * (1 - mix) + look.soil1[0] * mix) * k;
          g = (look.soil0[1] * (1 - mix) + look.soil1[1] * mix) * k;
          b = (look.soil0[2] * (1 - mix) + look.soil1[2] * mix) * k;
        } else {
          [r, g, b] = districtColour(e, n, seed, minCell, sunE, sunN, shadow);
        }
        canvas[p] = r;
        canvas[p + 1] = g;
        canvas[p + 2] = b;
      }
    }
  }

  /** The rectangles of every object placed near the tile, in drawing order later. */
  private objectsIn(e0: number, n0: number, spanM: number, texelM: number): Rect[] {
    const rects: Rect[] = [];
    const c0 = Math.floor((e0 - OBJECT_REACH_M) / OBJECT_CELL_M);
    const c1 = Math.floor((e0 + spanM + OBJECT_REACH_M) / OBJECT_CELL_M);
    const r0 = Math.floor((n0 - OBJECT_REACH_M) / OBJECT_CELL_M);
    const r1 = Math.floor((n0 + spanM + OBJECT_REACH_M) / OBJECT_CELL_M);
    // Objects smaller than about a texel would not show; skip whole cells of them at coarse levels.
    for (let cy = r0; cy <= r1; cy++) {
      for (let cx = c0; cx <= c1; cx++) this.cellObjects(cx, cy, texelM, rects);
    }
    return rects;
  }

  private cellObjects(cx: number, cy: number, texelM: number, out: Rect[]): void {
    const rng = new Rng(Math.floor(hash2(cx, cy, this.seed + 101) * 2 ** 32));
    const cellE = cx * OBJECT_CELL_M;
    const cellN = cy * OBJECT_CELL_M;
    const at = (): [number, number] => [
      cellE + rng.uniform(0, OBJECT_CELL_M),
      cellN + rng.uniform(0, OBJECT_CELL_M),
    ];
    const siteAt = (e: number, n: number) => this.sites.findIndex((s) => insideSite(s, e, n));
    const sun = this.sun;
    const small = texelM > 1.5;
    // A site: tracks, machines, vehicles, slabs, nets, an office; outside: parked cars, trees.
    const [ce, cn] = [cellE + OBJECT_CELL_M / 2, cellN + OBJECT_CELL_M / 2];
    if (siteAt(ce, cn) >= 0 || this.sites.some((s) => nearBox(s, ce, cn, OBJECT_CELL_M))) {
      if (!small) {
        for (let t = rng.int(0, 3); t > 0; t--) {
          const [e, n] = at();
          if (siteAt(e, n) >= 0) tyreTrack(rng, e, n, out);
        }
      }
      if (rng.next() < 0.25) {
        const [e, n] = at();
        if (siteAt(e, n) >= 0)
          out.push(
            rect(
              e,
              n,
              rng.uniform(6, 16),
              rng.uniform(6, 16),
              rng.uniform(0, Math.PI),
              1,
              grey(rng, 0.55, 0.8),
              0.04,
            ),
          );
      }
      if (rng.next() < 0.15) {
        const [e, n] = at();
        if (siteAt(e, n) >= 0) {
          const net = rect(
            e,
            n,
            rng.uniform(6, 18),
            rng.uniform(6, 18),
            rng.uniform(0, Math.PI),
            2,
            [0.18, 0.42, 0.22].map((v) => v * rng.uniform(0.8, 1.25)),
            0.08,
          );
          net.meshM = rng.uniform(0.5, 1);
          out.push(net);
        }
      }
      if (rng.next() < 0.15) {
        const [e, n] = at();
        if (siteAt(e, n) >= 0)
          shadowed(
            out,
            rect(
              e,
              n,
              rng.uniform(8, 16),
              rng.uniform(4, 8),
              rng.uniform(0, Math.PI),
              4,
              rng.pick(ROOF_RGB),
              0.03,
            ),
            sun,
          );
      }
      if (rng.next() < 0.35) {
        const [e, n] = at();
        if (siteAt(e, n) >= 0) machine(rng, e, n, out, sun);
      }
      for (let k = rng.int(0, 2); k > 0; k--) {
        const [e, n] = at();
        if (siteAt(e, n) >= 0 && !small) vehicle(rng, e, n, out, sun);
      }
      return;
    }
    if (small) return;
    for (let k = rng.int(0, 3); k > 0; k--) {
      const [e, n] = at();
      if (onRoadside(e, n, this.seed)) vehicle(rng, e, n, out, sun);
    }
  }
}

function nearBox(site: WorldSite, e: number, n: number, marginM: number): boolean {
  return (
    e > site.minE - marginM && e < site.maxE + marginM && n > site.minN - marginM && n < site.maxN + marginM
  );
}

function rect(
  e: number,
  n: number,
  lengthM: number,
  widthM: number,
  angle: number,
  layer: number,
  rgb: Rgb | null,
  textureAmp: number,
  factor = 1,
): Rect {
  return { e, n, lengthM, widthM, angle, layer, rgb, factor, textureAmp, meshM: 0 };
}

function grey(rng: Rng, lo: number, hi: number): number[] {
  const v = rng.uniform(lo, hi);
  return [v * rng.uniform(0.97, 1.03), v * rng.uniform(0.97, 1.03), v * rng.uniform(0.97, 1.03)];
}

/** A raised object: its shadow along the sun vector first, then the object. */
function shadowed(out: Rect[], r: Rect, sun: { de: number; dn: number; shadow: number }): void {
  out.push({
    ...r,
    e: r.e + sun.de,
    n: r.n + sun.dn,
    rgb: null,
    factor: sun.shadow,
    textureAmp: 0,
    layer: r.layer - 0.5,
  });
  out.push(r);
}

function machine(
  rng: Rng,
  e: number,
  n: number,
  out: Rect[],
  sun: { de: number; dn: number; shadow: number },
): void {
  const colour = rng.pick(MACHINE_RGB);
  const angle = rng.uniform(0, 2 * Math.PI);
  const body = rng.uniform(3, 5);
  out.push(rect(e, n, body * 1.3, body * 1.1, angle, 6, [0.15, 0.15, 0.15], 0.1));
  shadowed(out, rect(e, n, body, body * 0.8, angle, 7, colour, 0.05), sun);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  out.push(
    rect(
      e - sin * body * 0.2,
      n + cos * body * 0.2,
      body * 0.35,
      body * 0.35,
      angle,
      8,
      [0.2, 0.25, 0.3],
      0.05,
    ),
  );
  const arm = body * rng.uniform(1.2, 1.8);
  shadowed(
    out,
    rect(e + cos * arm * 0.6, n + sin * arm * 0.6, arm, body * 0.15, angle, 9, colour, 0.05),
    sun,
  );
}

function vehicle(
  rng: Rng,
  e: number,
  n: number,
  out: Rect[],
  sun: { de: number; dn: number; shadow: number },
): void {
  const colour =
    rng.next() < 0.5
      ? [rng.uniform(0.1, 0.95), rng.uniform(0.1, 0.95), rng.uniform(0.1, 0.95)]
      : grey(rng, 0.1, 0.95);
  const lengthM = rng.uniform(4, 7);
  shadowed(out, rect(e, n, lengthM, lengthM * 0.42, rng.uniform(0, Math.PI), 11, colour, 0.05), sun);
}

/** Two parallel wheel ruts darkening the soil, bending as they go. */
function tyreTrack(rng: Rng, e: number, n: number, out: Rect[]): void {
  let heading = rng.uniform(0, 2 * Math.PI);
  const bend = rng.uniform(-0.12, 0.12);
  const factor = rng.uniform(0.78, 0.9);
  const stepM = 2.5;
  for (let k = 0; k < 14; k++) {
    const ce = e + (Math.cos(heading) * stepM) / 2;
    const cn = n + (Math.sin(heading) * stepM) / 2;
    for (const side of [-0.9, 0.9]) {
      out.push(
        rect(
          ce - Math.sin(heading) * side,
          cn + Math.cos(heading) * side,
          stepM + 0.2,
          0.45,
          heading,
          0.5,
          null,
          0,
          factor,
        ),
      );
    }
    e += Math.cos(heading) * stepM;
    n += Math.sin(heading) * stepM;
    heading += bend;
  }
}

function onRoadside(e: number, n: number, seed: number): boolean {
  const { de, dn } = blockOffset(seed);
  const x = mod(e + de, BLOCK_M);
  const y = mod(n + dn, BLOCK_M);
  const dx = Math.min(x, BLOCK_M - x);
  const dy = Math.min(y, BLOCK_M - y);
  return (dx > ROAD_HALF_M - 3 && dx < ROAD_HALF_M - 1) || (dy > ROAD_HALF_M - 3 && dy < ROAD_HALF_M - 1);
}

function blockOffset(seed: number): { de: number; dn: number } {
  return { de: hash2(seed, 1, 77) * BLOCK_M, dn: hash2(seed, 2, 77) * BLOCK_M };
}

function mod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}

const districtOut: [number, number, number] = [0, 0, 0];

/** The district outside the sites: a grid of roads, and blocks of lots (roof, paving, grass, parking). */
function districtColour(
  e: number,
  n: number,
  seed: number,
  minCell: number,
  sunE: number,
  sunN: number,
  shadow: number,
): [number, number, number] {
  const { de, dn } = blockOffset(seed);
  const ge = e + de;
  const gn = n + dn;
  const bx = Math.floor(ge / BLOCK_M);
  const by = Math.floor(gn / BLOCK_M);
  const x = ge - bx * BLOCK_M;
  const y = gn - by * BLOCK_M;
  const dx = Math.min(x, BLOCK_M - x);
  const dy = Math.min(y, BLOCK_M - y);
  const fine = fractalNoise(e, n, 2, 2, seed + 5, minCell) - 0.5;
  const out = districtOut;
  if (dx < ROAD_HALF_M || dy < ROAD_HALF_M) {
    const asphalt = 0.3 + 0.08 * hash2(dx < ROAD_HALF_M ? bx : by, dx < ROAD_HALF_M ? 3 : 4, seed);
    let v = asphalt * (1 + 0.1 * fine);
    // Dashed centre line along the road.
    const along = dx < ROAD_HALF_M ? gn : ge;
    const across = dx < ROAD_HALF_M ? dx : dy;
    if (across < 0.12 + minCell * 0.1 && mod(along, 6) < 3) v = 0.85;
    out[0] = v;
    out[1] = v;
    out[2] = v * 0.98;
    return out;
  }
  // Lots: the block's inside split into a 2 × 3 grid (the split turns with the block).
  const turn = hash2(bx, by, seed + 9) < 0.5;
  const inner = BLOCK_M - 2 * ROAD_HALF_M;
  const ux = (turn ? y : x) - ROAD_HALF_M;
  const uy = (turn ? x : y) - ROAD_HALF_M;
  const lotW = inner / 2;
  const lotH = inner / 3;
  const lx = Math.floor(ux / lotW);
  const ly = Math.floor(uy / lotH);
  const px = ux - lx * lotW;
  const py = uy - ly * lotH;
  const h = hash2(bx * 7 + lx, by * 5 + ly, seed + 13);
  const paving = 0.62 + 0.06 * fine;
  const margin = 3 + 4 * hash2(bx * 7 + lx, by * 5 + ly, seed + 15);
  const inRoof = (a: number, b: number) => a > margin && a < lotW - margin && b > margin && b < lotH - margin;
  if (h < 0.5) {
    // A building: the roof; its shadow falls on the paving beside it.
    const roof = ROOF_RGB[Math.floor(hash2(bx * 7 + lx, by * 5 + ly, seed + 17) * ROOF_RGB.length)];
    const se = turn ? sunN : sunE;
    const sn = turn ? sunE : sunN;
    if (inRoof(px, py)) {
      const pitched = hash2(bx * 7 + lx, by * 5 + ly, seed + 19) < 0.5 && py < lotH / 2;
      const k = (pitched ? 0.86 : 1) * (1 + 0.03 * fine);
      out[0] = roof[0] * k;
      out[1] = roof[1] * k;
      out[2] = roof[2] * k;
      return out;
    }
    const k = inRoof(px - se * 2, py - sn * 2) ? shadow : 1;
    out[0] = paving * k;
    out[1] = paving * k;
    out[2] = paving * 0.98 * k;
    return out;
  }
  if (h < 0.65) {
    out[0] = paving;
    out[1] = paving;
    out[2] = paving * 0.97;
    return out;
  }
  if (h < 0.8) {
    // Parking: asphalt with bay lines.
    let v = 0.34 * (1 + 0.1 * fine);
    if (mod(px, 2.6) < 0.12) v = 0.8;
    out[0] = v;
    out[1] = v;
    out[2] = v;
    return out;
  }
  // Grass with trees.
  const tree = fractalNoise(e, n, 7, 2, seed + 21, minCell);
  const g = 0.85 + 0.3 * (fractalNoise(e, n, 5, 2, seed + 25, minCell) - 0.5) * 2;
  if (tree > 0.72) {
    out[0] = 0.14 * g;
    out[1] = 0.26 * g;
    out[2] = 0.12 * g;
  } else {
    out[0] = 0.3 * g;
    out[1] = 0.42 * g;
    out[2] = 0.2 * g;
  }
  return out;
}

/** Paints (or darkens) a soft-edged rotated rectangle into a tile canvas. */
function paintRect(
  canvas: Float32Array,
  size: number,
  e0: number,
  n0: number,
  texelM: number,
  r: Rect,
  seed: number,
): void {
  const halfL = r.lengthM / 2;
  const halfW = r.widthM / 2;
  const reach = Math.hypot(halfL, halfW) + texelM;
  const i0 = Math.max(0, Math.floor((r.e - reach - e0) / texelM));
  const i1 = Math.min(size - 1, Math.ceil((r.e + reach - e0) / texelM));
  const j0 = Math.max(0, Math.floor((r.n - reach - n0) / texelM));
  const j1 = Math.min(size - 1, Math.ceil((r.n + reach - n0) / texelM));
  if (i0 > i1 || j0 > j1) return;
  const cos = Math.cos(r.angle);
  const sin = Math.sin(r.angle);
  const soft = Math.max(texelM, 0.15);
  const gi0 = Math.round(e0 / texelM);
  const gj0 = Math.round(n0 / texelM);
  for (let j = j0; j <= j1; j++) {
    const dn = n0 + j * texelM - r.n;
    for (let i = i0; i <= i1; i++) {
      const de = e0 + i * texelM - r.e;
      const u = de * cos + dn * sin;
      const v = -de * sin + dn * cos;
      let cu = (halfL - Math.abs(u)) / soft + 0.5;
      let cv = (halfW - Math.abs(v)) / soft + 0.5;
      if (cu <= 0 || cv <= 0) continue;
      if (cu > 1) cu = 1;
      if (cv > 1) cv = 1;
      const a = cu * cv;
      const p = (j * size + i) * 3;
      if (r.rgb === null) {
        const k = 1 - (1 - r.factor) * a;
        canvas[p] *= k;
        canvas[p + 1] *= k;
        canvas[p + 2] *= k;
        continue;
      }
      let t = 1 + r.textureAmp * (hash2(gi0 + i, gj0 + j, seed + 31) - 0.5) * 3.4;
      if (r.meshM > 0 && texelM < r.meshM) {
        t *= 0.85 + 0.15 * Math.sin((u * 2 * Math.PI) / r.meshM) * Math.sin((v * 2 * Math.PI) / r.meshM);
      }
      for (let c = 0; c < 3; c++) canvas[p + c] = canvas[p + c] * (1 - a) + r.rgb[c] * t * a;
    }
  }
}
