import { hash2, hashString, Rng } from './noise.js';
import type { World, WorldPlume } from './world.js';

/** Grid cells along the plume's length (its density is precomputed on a grid in plume coordinates). */
const CELLS_PER_LENGTH = 40;
const NOISE_OCTAVES = 4;
/** How fast the billows drift downwind, m/s. */
const DRIFT_MS = 0.8;
/** Height scale of the dust at the source, as a share of the length (at least MIN_BASE_HEIGHT_M). */
const BASE_HEIGHT_SHARE = 0.08;
const MIN_BASE_HEIGHT_M = 1.5;
/** The dust's height scale grows by this per metre downwind. */
const RISE_PER_M = 0.15;
/** Light haze the dust fades into downwind (synth.py's). */
const HAZE_RGB = [0.86, 0.83, 0.78];

/**
 * One dust plume as a density field in 3-D, shaped as scripts/dust/synth.py shapes its plumes: a cone
 * widening along the wind from the source, fading in just behind it and thinning downwind, with a
 * meandering axis and multi-octave billows (noise^γ). Here the dust also has height: the density falls
 * off as exp(−z/H)/H with H growing downwind (the dust rises as it drifts), so a vertical ray through
 * the densest dust has optical depth −ln(1 − opacity), the plume's peak opacity, and oblique views see
 * it standing up. Colour: the soil at the source, lightened, toward a light haze downwind.
 */
export class PlumeField {
  readonly plume: WorldPlume;
  /** Source in the world's local frame, metres. */
  readonly sourceE: number;
  readonly sourceN: number;
  /** Downwind unit vector (east, north). */
  readonly dirE: number;
  readonly dirN: number;
  /** Axis-aligned bounds of the dust in local metres, and its top. */
  readonly minE: number;
  readonly maxE: number;
  readonly minN: number;
  readonly maxN: number;
  readonly topM: number;
  private readonly alongMin: number;
  private readonly acrossMax: number;
  private readonly cellM: number;
  private readonly nAlong: number;
  private readonly nAcross: number;
  /** cone × onset × decay, per grid cell (along-major). */
  private readonly envelope: Float32Array;
  /** Billow texture, periodic along the plume (so it can drift). */
  private readonly billows: Float32Array;
  private readonly k: number;
  private readonly baseHeightM: number;
  private readonly near: number[];
  private readonly haze: number[];
  private readonly colourLengthM: number;

  constructor(plume: WorldPlume, world: World, soilRgb: number[]) {
    this.plume = plume;
    const rng = new Rng(hashString(plume.id) ^ Math.imul(world.seed + 1, 0x9e3779b1));
    const local = world.frame.toLocal(plume.latDeg, plume.lonDeg, 0);
    this.sourceE = local.eastM;
    this.sourceN = local.northM;
    const toRad = ((plume.windFromDeg + 180) * Math.PI) / 180;
    this.dirE = Math.sin(toRad);
    this.dirN = Math.cos(toRad);
    const L = plume.lengthM;
    const width0 = plume.widthM / 2;
    const spread = rng.uniform(0.15, 0.5);
    const meander = rng.uniform(0, 0.35) * L;
    const knots = Array.from({ length: 5 }, () => rng.uniform(-1, 1));
    const gamma = rng.uniform(1, 2);
    const billowCellM = L * rng.uniform(0.15, 0.4);
    this.baseHeightM = Math.max(MIN_BASE_HEIGHT_M, BASE_HEIGHT_SHARE * L);

    const reach = L * 2.2 + width0 * 2;
    this.alongMin = -width0 * 2 - 1;
    const alongMax = reach;
    this.acrossMax = width0 + spread * reach + meander + 1;
    this.cellM = L / CELLS_PER_LENGTH;
    this.nAlong = Math.ceil((alongMax - this.alongMin) / this.cellM) + 1;
    this.nAcross = Math.ceil((2 * this.acrossMax) / this.cellM) + 1;
    this.envelope = new Float32Array(this.nAlong * this.nAcross);
    const bend = (alongPos: number) => {
      const x = Math.min(1, alongPos / (reach + 1)) * (knots.length - 1);
      const i = Math.min(knots.length - 2, Math.floor(x));
      return knots[i] + (knots[i + 1] - knots[i]) * (x - i);
    };
    for (let a = 0; a < this.nAlong; a++) {
      const along = this.alongMin + a * this.cellM;
      const alongPos = Math.max(along, 0);
      const shift = bend(alongPos) * meander * (alongPos / (L + 1));
      const halfWidth = width0 + spread * alongPos;
      const onset = 1 / (1 + Math.exp(-Math.max(-30, Math.min(30, along / (0.35 * width0) + 1.5))));
      const decay = Math.exp(-alongPos / L);
      for (let c = 0; c < this.nAcross; c++) {
        const across = -this.acrossMax + c * this.cellM - shift;
        const q = across / halfWidth;
        this.envelope[a * this.nAcross + c] = Math.exp(-q * q) * onset * decay;
      }
    }
    // Billows: value noise on a lattice that wraps along the plume, clip(0.25 + 1.1 n)^γ as in synth.py.
    this.billows = new Float32Array(this.nAlong * this.nAcross);
    const periodM = this.nAlong * this.cellM;
    const noiseSeed = rng.int(0, 2 ** 30);
    let peak = 1e-6;
    for (let a = 0; a < this.nAlong; a++) {
      for (let c = 0; c < this.nAcross; c++) {
        let total = 0;
        let amp = 1;
        let sum = 0;
        let cell = billowCellM;
        for (let o = 0; o < NOISE_OCTAVES; o++) {
          const count = Math.max(1, Math.round(periodM / cell));
          const x = (a / this.nAlong) * count;
          const y = (c * this.cellM) / cell;
          total += amp * periodicNoise(x, y, count, noiseSeed + o * 7919);
          sum += amp;
          amp *= 0.5;
          cell /= 2;
        }
        const n = Math.min(1, Math.max(0, (total / sum - 0.5) * 2.2 + 0.5));
        const t = Math.min(1.2, Math.max(0, 0.25 + 1.1 * n)) ** gamma;
        const i = a * this.nAcross + c;
        this.billows[i] = t;
        peak = Math.max(peak, t * this.envelope[i]);
      }
    }
    this.k = -Math.log(1 - plume.opacity) / peak;

    const corners = [
      [this.alongMin, -this.acrossMax],
      [this.alongMin, this.acrossMax],
      [alongMax, -this.acrossMax],
      [alongMax, this.acrossMax],
    ].map(([a, c]) => [
      this.sourceE + a * this.dirE + c * this.dirN,
      this.sourceN + a * this.dirN - c * this.dirE,
    ]);
    this.minE = Math.min(...corners.map((p) => p[0]));
    this.maxE = Math.max(...corners.map((p) => p[0]));
    this.minN = Math.min(...corners.map((p) => p[1]));
    this.maxN = Math.max(...corners.map((p) => p[1]));
    this.topM = 3 * this.heightScaleM(alongMax);

    const hazeK = rng.uniform(0.88, 1.08);
    this.haze = HAZE_RGB.map((v) => v * hazeK);
    const boost = rng.uniform(1.15, 1.45);
    this.near = soilRgb.map((v, i) => Math.min(1, v * boost) * 0.55 + this.haze[i] * 0.45);
    this.colourLengthM = L * rng.uniform(0.8, 2.0);
  }

  active(timeS: number): boolean {
    return timeS >= this.plume.startS && timeS < this.plume.endS;
  }

  heightScaleM(alongM: number): number {
    return this.baseHeightM + RISE_PER_M * Math.max(alongM, 0);
  }

  /**
   * Optical depth along the ray cam + s·dir, s in [s0, s1] (dir not normalised; its length dirLen),
   * camera height camZ above the ground. Adds to acc: [τ, τ·along, τ·billow].
   */
  trace(
    camE: number,
    camN: number,
    camZ: number,
    dE: number,
    dN: number,
    dZ: number,
    dirLen: number,
    s0: number,
    s1: number,
    timeS: number,
    acc: Float64Array,
  ): void {
    const horizontal = (s1 - s0) * Math.hypot(dE, dN);
    const steps = Math.max(2, Math.min(8, Math.ceil(horizontal / (this.plume.lengthM / 8))));
    const ds = (s1 - s0) / steps;
    const drift = DRIFT_MS * timeS;
    const nAlong = this.nAlong;
    const nAcross = this.nAcross;
    let tau = 0;
    let tauAlong = 0;
    let tauBillow = 0;
    for (let i = 0; i < steps; i++) {
      const sa = s0 + i * ds;
      const sm = sa + ds / 2;
      const e = camE + sm * dE - this.sourceE;
      const n = camN + sm * dN - this.sourceN;
      const along = e * this.dirE + n * this.dirN;
      const across = e * this.dirN - n * this.dirE;
      const fa = (along - this.alongMin) / this.cellM;
      const fc = (across + this.acrossMax) / this.cellM;
      if (fa < 0 || fc < 0 || fa >= nAlong - 1 || fc >= nAcross - 1) continue;
      const ia = fa | 0;
      const ic = fc | 0;
      const wa = fa - ia;
      const wc = fc - ic;
      const p = ia * nAcross + ic;
      const env = this.envelope;
      const envelope =
        (env[p] * (1 - wc) + env[p + 1] * wc) * (1 - wa) +
        (env[p + nAcross] * (1 - wc) + env[p + nAcross + 1] * wc) * wa;
      if (envelope < 1e-4) continue;
      const za = camZ + sa * dZ;
      const zb = za + ds * dZ;
      const H = this.heightScaleM(along);
      // Billows drift downwind and lean with height.
      let ba = (along - drift - 0.3 * (za + zb) * 0.5 - this.alongMin) / this.cellM;
      ba -= Math.floor(ba / nAlong) * nAlong;
      const ib = ba | 0;
      const wb = ba - ib;
      const ib1 = ib + 1 >= nAlong ? 0 : ib + 1;
      const bl = this.billows;
      const billow =
        (bl[ib * nAcross + ic] * (1 - wc) + bl[ib * nAcross + ic + 1] * wc) * (1 - wb) +
        (bl[ib1 * nAcross + ic] * (1 - wc) + bl[ib1 * nAcross + ic + 1] * wc) * wb;
      // ∫ exp(−z/H)/H ds over the step, exact for the straight ray.
      const lengthM = ds * dirLen;
      const dz = Math.abs(zb - za);
      const za0 = Math.max(za, 0);
      const zb0 = Math.max(zb, 0);
      const vertical =
        dz > 1e-3 * H
          ? (lengthM / dz) * Math.abs(Math.exp(-za0 / H) - Math.exp(-zb0 / H))
          : (Math.exp(-(za0 + zb0) / (2 * H)) / H) * lengthM;
      const t = this.k * envelope * billow * vertical;
      tau += t;
      tauAlong += t * along;
      tauBillow += t * billow;
    }
    acc[0] += tau;
    acc[1] += tauAlong;
    acc[2] += tauBillow;
  }

  /** The dust colour for a ray whose dust lies `along` metres downwind on average (0..1 RGB) into out. */
  colour(alongM: number, billow: number, out: Float64Array): void {
    const t = Math.min(1, Math.max(0, alongM / this.colourLengthM));
    const shade = 1 + 0.12 * (Math.min(1.2, billow) - 0.6);
    for (let c = 0; c < 3; c++) out[c] = Math.min(1, (this.near[c] * (1 - t) + this.haze[c] * t) * shade);
  }
}

/** Value noise in [0, 1] whose lattice wraps every `period` cells in x. */
function periodicNoise(x: number, y: number, period: number, seed: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  let fx = x - ix;
  let fy = y - iy;
  fx = fx * fx * (3 - 2 * fx);
  fy = fy * fy * (3 - 2 * fy);
  const x0 = ((ix % period) + period) % period;
  const x1 = (x0 + 1) % period;
  const a = hash2(x0, iy, seed);
  const b = hash2(x1, iy, seed);
  const c = hash2(x0, iy + 1, seed);
  const d = hash2(x1, iy + 1, seed);
  const top = a + (b - a) * fx;
  const bottom = c + (d - c) * fx;
  return top + (bottom - top) * fy;
}
