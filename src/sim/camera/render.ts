import type { CameraSpec } from '../../camera.js';
import { BASE_TEXEL_M, GroundTexture, MAX_LEVEL, TILE_TEXELS } from './ground-texture.js';
import { Rng } from './noise.js';
import { PlumeField } from './plume-field.js';
import type { World } from './world.js';

/** Where the camera is and where it looks. */
export interface CameraPose {
  latDeg: number;
  lonDeg: number;
  altAmslM: number;
  /** The (flat) ground's elevation. */
  groundAmslM: number;
  /** Camera heading, degrees clockwise from north. */
  headingDeg: number;
  /** Camera pitch, degrees: 0 level, −90 straight down. */
  pitchDeg: number;
  /** Camera roll; only 0 is drawn (a stabilised gimbal). */
  rollDeg: number;
}

const DEG = Math.PI / 180;
/** The camera never goes below this height above the ground (a landed drone's camera). */
const MIN_CAMERA_HEIGHT_M = 0.3;
/** Aerial perspective: ground this far away is hazed by 1 − 1/e. */
const HAZE_M = 1500;
/** Ground beyond this is drawn as the horizon haze. */
const MAX_GROUND_M = 9000;
const SKY_TOP = [0.38, 0.56, 0.82];
const SKY_HORIZON = [0.82, 0.86, 0.9];
/** Sensor noise σ, 0..1 scale (synth.py: 0–0.025). */
const NOISE_SIGMA = 0.012;
const NOISE_TABLE = 1 << 16;
/** Dust is traced on a coarser grid (it is soft): about this many columns, at least every 2nd pixel. */
const DUST_GRID_COLUMNS = 320;

/**
 * Renders the world as the camera sees it, as packed RGB24 (x right, y down). Pixel (x, y) of a
 * W × H image is the ray f + ((x + 0.5 − W/2)/fx)·r + ((y + 0.5 − H/2)/fy)·d, fx = fy = (W/2)/tan(hfov/2),
 * with forward f = (sinψ cosθ, cosψ cosθ, sinθ), right r = (cosψ, −sinψ, 0) and image-down
 * d = (sinψ sinθ, cosψ sinθ, −cosθ) in east-north-up, ψ the heading and θ the pitch.
 * The ground is flat at groundAmslM; above the horizon is a hazy sky.
 */
export function renderView(world: World, pose: CameraPose, camera: CameraSpec, timeS: number): Buffer {
  let renderer = renderers.get(world);
  if (!renderer) {
    renderer = new WorldRenderer(world);
    renderers.set(world, renderer);
  }
  return renderer.render(pose, camera, timeS);
}

const renderers = new WeakMap<World, WorldRenderer>();

/** Keeps a world's texture tiles and plume fields between frames. */
export class WorldRenderer {
  readonly ground: GroundTexture;
  private readonly plumes: PlumeField[];
  private readonly noise: Float32Array;
  private half: Float32Array = new Float32Array(0);
  private rgb: Float32Array = new Float32Array(0);

  constructor(readonly world: World) {
    this.ground = new GroundTexture(world);
    this.plumes = world.plumes.map((plume) => {
      const local = world.frame.toLocal(plume.latDeg, plume.lonDeg, 0);
      const soil = this.ground.meanColour(local.eastM, local.northM, Math.max(1, plume.lengthM * 0.05));
      return new PlumeField(plume, world, soil);
    });
    const rng = new Rng(world.seed + 4242);
    this.noise = new Float32Array(NOISE_TABLE);
    for (let i = 0; i < NOISE_TABLE; i++) this.noise[i] = rng.gaussian() * NOISE_SIGMA * 255;
  }

  render(pose: CameraPose, camera: CameraSpec, timeS: number, out?: Buffer): Buffer {
    const W = camera.widthPx;
    const H = camera.heightPx;
    const image = out ?? Buffer.allocUnsafe(W * H * 3);
    if (this.rgb.length !== W * H * 3) this.rgb = new Float32Array(W * H * 3);
    const rgb = this.rgb;
    const local = this.world.frame.toLocal(pose.latDeg, pose.lonDeg, 0);
    const camE = local.eastM;
    const camN = local.northM;
    const camZ = Math.max(MIN_CAMERA_HEIGHT_M, pose.altAmslM - pose.groundAmslM);
    const psi = pose.headingDeg * DEG;
    const theta = pose.pitchDeg * DEG;
    const [fE, fN, fZ] = [Math.sin(psi) * Math.cos(theta), Math.cos(psi) * Math.cos(theta), Math.sin(theta)];
    const [rE, rN] = [Math.cos(psi), -Math.sin(psi)];
    const [dE, dN, dZ] = [Math.sin(psi) * Math.sin(theta), Math.cos(psi) * Math.sin(theta), -Math.cos(theta)];
    const focal = W / 2 / Math.tan((camera.hfovDeg * DEG) / 2);
    const cx = W / 2;
    const cy = H / 2;
    const ground = this.ground;
    const stride = (TILE_TEXELS + 1) * 3;

    for (let y = 0; y < H; y++) {
      const v = (y + 0.5 - cy) / focal;
      const rayZ = fZ + v * dZ;
      const rowLen = Math.sqrt(1 + v * v);
      const row = y * W * 3;
      const horizontalLen = Math.sqrt(Math.max(0, rowLen * rowLen - rayZ * rayZ));
      // Sky colour by elevation above the horizon (taken at the row's centre).
      const elevation = Math.atan2(rayZ, horizontalLen);
      const skyT = Math.min(1, Math.max(0, elevation / (30 * DEG)));
      const sky0 = SKY_HORIZON[0] + (SKY_TOP[0] - SKY_HORIZON[0]) * skyT;
      const sky1 = SKY_HORIZON[1] + (SKY_TOP[1] - SKY_HORIZON[1]) * skyT;
      const sky2 = SKY_HORIZON[2] + (SKY_TOP[2] - SKY_HORIZON[2]) * skyT;
      const t = rayZ < 0 ? camZ / -rayZ : Number.POSITIVE_INFINITY;
      const distM = t * rowLen;
      if (!(distM < MAX_GROUND_M)) {
        for (let x = 0; x < W; x++) {
          const p = row + x * 3;
          rgb[p] = sky0;
          rgb[p + 1] = sky1;
          rgb[p + 2] = sky2;
        }
        continue;
      }
      const haze = 1 - Math.exp(-distM / HAZE_M);
      // Near the horizon the ground fades into the horizon haze over the last stretch.
      const fade = Math.max(
        haze,
        Math.min(1, Math.max(0, (distM - 0.6 * MAX_GROUND_M) / (0.4 * MAX_GROUND_M))),
      );
      const sinGrazing = -rayZ / rowLen;
      const pixelM = (t * rowLen) / focal;
      const footprintM = pixelM / Math.sqrt(Math.max(sinGrazing, 1e-3));
      const level = Math.max(0, Math.min(MAX_LEVEL, Math.floor(Math.log2(footprintM / BASE_TEXEL_M) + 0.3)));
      const texelM = BASE_TEXEL_M * 2 ** level;
      // Ground point of pixel x: A + x·B (east, north), in texels of this level.
      const u0 = (0.5 - cx) / focal;
      const aE = (camE + t * (fE + v * dE + u0 * rE)) / texelM;
      const aN = (camN + t * (fN + v * dN + u0 * rN)) / texelM;
      const bE = (t * rE) / focal / texelM;
      const bN = (t * rN) / focal / texelM;
      let curTx = Number.NaN;
      let curTy = Number.NaN;
      let tile: Uint8Array = new Uint8Array(0);
      for (let x = 0; x < W; x++) {
        const ge = aE + x * bE;
        const gn = aN + x * bN;
        const tx = Math.floor(ge / TILE_TEXELS);
        const ty = Math.floor(gn / TILE_TEXELS);
        if (tx !== curTx || ty !== curTy) {
          tile = ground.tile(level, tx, ty);
          curTx = tx;
          curTy = ty;
        }
        const lx = ge - tx * TILE_TEXELS;
        const ly = gn - ty * TILE_TEXELS;
        let ix = lx | 0;
        let iy = ly | 0;
        if (ix >= TILE_TEXELS) ix = TILE_TEXELS - 1;
        if (iy >= TILE_TEXELS) iy = TILE_TEXELS - 1;
        const wx = lx - ix;
        const wy = ly - iy;
        const i00 = iy * stride + ix * 3;
        const i10 = i00 + stride;
        const p = row + x * 3;
        const w00 = (1 - wx) * (1 - wy);
        const w01 = wx * (1 - wy);
        const w10 = (1 - wx) * wy;
        const w11 = wx * wy;
        const k = (1 - fade) / 255;
        rgb[p] =
          (tile[i00] * w00 + tile[i00 + 3] * w01 + tile[i10] * w10 + tile[i10 + 3] * w11) * k +
          SKY_HORIZON[0] * fade;
        rgb[p + 1] =
          (tile[i00 + 1] * w00 + tile[i00 + 4] * w01 + tile[i10 + 1] * w10 + tile[i10 + 4] * w11) * k +
          SKY_HORIZON[1] * fade;
        rgb[p + 2] =
          (tile[i00 + 2] * w00 + tile[i00 + 5] * w01 + tile[i10 + 2] * w10 + tile[i10 + 5] * w11) * k +
          SKY_HORIZON[2] * fade;
      }
    }

    this.drawPlumes(rgb, W, H, focal, camE, camN, camZ, [fE, fN, fZ], [rE, rN], [dE, dN, dZ], timeS);

    // Sensor noise from a fixed table at a per-frame offset: deterministic for a given time.
    let n =
      Math.floor(Math.abs(Math.sin(timeS * 12.9898 + 78.233) * 43758.5453) * NOISE_TABLE) & (NOISE_TABLE - 1);
    const noise = this.noise;
    for (let i = 0; i < rgb.length; i++) {
      const value = rgb[i] * 255 + noise[n] + 0.5;
      n = (n + 1) & (NOISE_TABLE - 1);
      image[i] = value < 0 ? 0 : Math.min(value, 255);
    }
    return image;
  }

  /**
   * Dust, traced on a coarse grid (plumes are soft; about DUST_GRID_COLUMNS across) into transmittance
   * and premultiplied colour, then upsampled bilinearly and composited I = J·(1 − α) + A·α.
   */
  private drawPlumes(
    rgb: Float32Array,
    W: number,
    H: number,
    focal: number,
    camE: number,
    camN: number,
    camZ: number,
    f: number[],
    r: number[],
    d: number[],
    timeS: number,
  ): void {
    const active = this.plumes.filter((p) => p.active(timeS));
    if (active.length === 0) return;
    const step = Math.max(2, Math.round(W / DUST_GRID_COLUMNS));
    const hw = Math.ceil(W / step) + 2;
    const hh = Math.ceil(H / step) + 2;
    if (this.half.length !== hw * hh * 4) this.half = new Float32Array(hw * hh * 4);
    const half = this.half;
    half.fill(0);
    for (let i = 0; i < hw * hh; i++) half[i * 4] = 1;
    const acc = new Float64Array(3);
    const colour = new Float64Array(3);
    const span = new Float64Array(2);
    let touchedX0 = hw;
    let touchedX1 = -1;
    let touchedY0 = hh;
    let touchedY1 = -1;
    const cx = W / 2;
    const cy = H / 2;
    for (const plume of active) {
      const box = projectBox(plume, camE, camN, camZ, f, r, d, focal, cx, cy, W, H);
      if (!box) continue;
      const gx0 = Math.max(0, Math.floor(box[0] / step) - 1);
      const gx1 = Math.min(hw - 1, Math.ceil(box[2] / step) + 1);
      const gy0 = Math.max(0, Math.floor(box[1] / step) - 1);
      const gy1 = Math.min(hh - 1, Math.ceil(box[3] / step) + 1);
      for (let gy = gy0; gy <= gy1; gy++) {
        const v = (gy * step + 0.5 - cy) / focal;
        for (let gx = gx0; gx <= gx1; gx++) {
          const u = (gx * step + 0.5 - cx) / focal;
          const rayE = f[0] + u * r[0] + v * d[0];
          const rayN = f[1] + u * r[1] + v * d[1];
          const rayZ = f[2] + v * d[2];
          if (!slab(plume, camE, camN, camZ, rayE, rayN, rayZ, span)) continue;
          acc[0] = 0;
          acc[1] = 0;
          acc[2] = 0;
          plume.trace(
            camE,
            camN,
            camZ,
            rayE,
            rayN,
            rayZ,
            Math.sqrt(1 + u * u + v * v),
            span[0],
            span[1],
            timeS,
            acc,
          );
          if (acc[0] < 1e-4) continue;
          const alpha = 1 - Math.exp(-acc[0]);
          plume.colour(acc[1] / acc[0], acc[2] / acc[0], colour);
          const p = (gy * hw + gx) * 4;
          half[p] *= 1 - alpha;
          half[p + 1] = half[p + 1] * (1 - alpha) + colour[0] * alpha;
          half[p + 2] = half[p + 2] * (1 - alpha) + colour[1] * alpha;
          half[p + 3] = half[p + 3] * (1 - alpha) + colour[2] * alpha;
          if (gx < touchedX0) touchedX0 = gx;
          if (gx > touchedX1) touchedX1 = gx;
          if (gy < touchedY0) touchedY0 = gy;
          if (gy > touchedY1) touchedY1 = gy;
        }
      }
    }
    if (touchedX1 < 0) return;
    const x0 = Math.max(0, (touchedX0 - 1) * step);
    const x1 = Math.min(W - 1, (touchedX1 + 1) * step);
    const y0 = Math.max(0, (touchedY0 - 1) * step);
    const y1 = Math.min(H - 1, (touchedY1 + 1) * step);
    for (let y = y0; y <= y1; y++) {
      const gy = y / step;
      const iy = Math.min(hh - 2, gy | 0);
      const wy = gy - iy;
      for (let x = x0; x <= x1; x++) {
        const gx = x / step;
        const ix = Math.min(hw - 2, gx | 0);
        const wx = gx - ix;
        const p00 = (iy * hw + ix) * 4;
        const p01 = p00 + 4;
        const p10 = p00 + hw * 4;
        const p11 = p10 + 4;
        const w00 = (1 - wx) * (1 - wy);
        const w01 = wx * (1 - wy);
        const w10 = (1 - wx) * wy;
        const w11 = wx * wy;
        const trans = half[p00] * w00 + half[p01] * w01 + half[p10] * w10 + half[p11] * w11;
        if (trans > 0.9999) continue;
        const p = (y * W + x) * 3;
        for (let c = 1; c <= 3; c++) {
          const a = half[p00 + c] * w00 + half[p01 + c] * w01 + half[p10 + c] * w10 + half[p11 + c] * w11;
          rgb[p + c - 1] = rgb[p + c - 1] * trans + a;
        }
      }
    }
  }
}

/**
 * Where the ray cam + s·ray runs through the plume's box, clipped at the ground, into span[0..1];
 * false if nowhere. No allocation: it runs once per dust ray.
 */
function slab(
  plume: PlumeField,
  camE: number,
  camN: number,
  camZ: number,
  rayE: number,
  rayN: number,
  rayZ: number,
  span: Float64Array,
): boolean {
  let s0 = 0;
  let s1 = rayZ < 0 ? camZ / -rayZ : Number.POSITIVE_INFINITY;
  for (let axis = 0; axis < 3; axis++) {
    const o = axis === 0 ? camE : axis === 1 ? camN : camZ;
    const dir = axis === 0 ? rayE : axis === 1 ? rayN : rayZ;
    const lo = axis === 0 ? plume.minE : axis === 1 ? plume.minN : 0;
    const hi = axis === 0 ? plume.maxE : axis === 1 ? plume.maxN : plume.topM;
    if (Math.abs(dir) < 1e-12) {
      if (o < lo || o > hi) return false;
      continue;
    }
    let a = (lo - o) / dir;
    let b = (hi - o) / dir;
    if (a > b) {
      const t = a;
      a = b;
      b = t;
    }
    if (a > s0) s0 = a;
    if (b < s1) s1 = b;
    if (s0 >= s1) return false;
  }
  if (!Number.isFinite(s1)) return false;
  span[0] = s0;
  span[1] = s1;
  return true;
}

/** The image box [x0, y0, x1, y1] the plume's box covers, or null when it is wholly behind the camera. */
function projectBox(
  plume: PlumeField,
  camE: number,
  camN: number,
  camZ: number,
  f: number[],
  r: number[],
  d: number[],
  focal: number,
  cx: number,
  cy: number,
  W: number,
  H: number,
): [number, number, number, number] | null {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  let behind = 0;
  for (const e of [plume.minE, plume.maxE]) {
    for (const n of [plume.minN, plume.maxN]) {
      for (const z of [0, plume.topM]) {
        const pe = e - camE;
        const pn = n - camN;
        const pz = z - camZ;
        const depth = pe * f[0] + pn * f[1] + pz * f[2];
        if (depth <= 0.05) {
          behind++;
          continue;
        }
        const x = cx + (focal * (pe * r[0] + pn * r[1])) / depth;
        const y = cy + (focal * (pe * d[0] + pn * d[1] + pz * d[2])) / depth;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (behind === 8) return null;
  // Some corner behind the camera: the box may reach any part of the image.
  if (behind > 0) return [0, 0, W, H];
  if (x1 < 0 || y1 < 0 || x0 > W || y0 > H) return null;
  return [Math.max(0, x0), Math.max(0, y0), Math.min(W, x1), Math.min(H, y1)];
}
