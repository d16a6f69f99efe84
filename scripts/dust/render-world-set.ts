/**
 * A labelled dust-plume set rendered by the built-in simulator's camera (src/sim/camera), for
 * fine-tuning the dust-plume model on the sim world's canopies, dust nets, soil and roofs.
 *
 *   nice -n 10 npx tsx scripts/dust/render-world-set.ts --seed 11 --count 3000
 *   nice -n 10 npx tsx scripts/dust/render-world-set.ts --seed 12 --count 300
 *
 * Worlds: missions/district.geojson (278 sites) plus random plumes (Point features, kind "plume")
 * inside random sites, lengthM 15–50, opacity 0.5–0.95, one wind direction per world (each plume
 * ±20° off it); world seeds seed·1000 + k (never 7, the demo world's). Half the images are positives:
 * the camera (35–110 m above ground, pitch −90…−35°, random heading) aims within 0.3 × its footprint
 * of a plume, so plumes appear whole, at the edge or partly out of view. The other half are negatives
 * anywhere in the district (70 % aimed into a site) with every plume removed.
 *
 * Each frame is rendered at 640×360 (16:9, 82° wide like the drone camera), JPEG round-tripped at
 * quality 60–95, then squeezed to 256×256 as src/detect/preprocess.ts does (sharp, fit 'fill', linear).
 * Mask: the dust opacity alpha the renderer itself composited (1 − transmittance of its dust grid,
 * sampled bilinearly exactly as the renderer upsamples it) above 0.15 — synth.py's rule. A plume is
 * labelled only if it shows as synth.py requires: its mean |I − J| over its own mask (rendered with
 * and without it, same pose, time and sensor noise) reaches 0.06 and its mask covers at least 0.08 %
 * of the frame; a pose that shows dust failing either test is rejected and drawn again, so no image
 * holds dust that is neither labelled nor absent.
 *
 * Writes <out>-images.npy (uint8 N×256×256×3), <out>-masks.npy (bool N×256×256) and <out>-labels.json
 * (synth.py's label structure: has_plume, hard_negative ("sim_world" on negatives), view, plumes with
 * box, source_xy, area_px, contrast), which train.py's --extra-train/--extra-val read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { CameraSpec } from '../../src/camera.js';
import { type Json, parseJsonText } from '../../src/json-text.js';
import { Rng } from '../../src/sim/camera/noise.js';
import type { PlumeField } from '../../src/sim/camera/plume-field.js';
import { type CameraPose, WorldRenderer } from '../../src/sim/camera/render.js';
import { insideSite, parseWorld, type World, type WorldSite } from '../../src/sim/camera/world.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DISTRICT = path.resolve(HERE, '../../missions/district.geojson');
const DEMO_WORLD_SEED = 7;
const OUT_PX = 256;
const CAMERA: CameraSpec = { widthPx: 640, heightPx: 360, hfovDeg: 82 };
const DEG = Math.PI / 180;
/** synth.py: MASK_ALPHA_THRESHOLD, MIN_VISIBLE_CHANGE, MIN_PLUME_AREA_FRAC. */
const MASK_ALPHA = 0.15;
const MIN_VISIBLE_CHANGE = 0.06;
const MIN_PLUME_AREA_PX = Math.ceil(0.0008 * OUT_PX * OUT_PX);
/** The renderer's dust grid step (render.ts: max(2, round(W / 320))). */
const DUST_STEP = Math.max(2, Math.round(CAMERA.widthPx / 320));
const AIM_SHARE_OF_FOOTPRINT = 0.3;
const MAX_POSITIVE_TRIES = 40;

interface Args {
  seed: number;
  count: number;
  out: string;
  perWorld: number;
  plumesPerWorld: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      'usage: npx tsx scripts/dust/render-world-set.ts --seed N [--count 3000] [--out STEM]\n' +
        '       [--per-world 100] [--plumes-per-world 12]\n' +
        'writes STEM-images.npy, STEM-masks.npy, STEM-labels.json (default STEM /tmp/dust-cache/simworld-sN-nCOUNT)',
    );
    process.exit(0);
  }
  const seed = Number(get('seed'));
  if (!Number.isInteger(seed) || seed < 1 || seed === DEMO_WORLD_SEED) {
    throw new Error(`--seed must be a whole number from 1, not ${DEMO_WORLD_SEED} (the demo world's)`);
  }
  const count = Number(get('count') ?? 3000);
  if (!Number.isInteger(count) || count < 2) throw new Error('--count must be a whole number from 2');
  return {
    seed,
    count,
    out: get('out') ?? `/tmp/dust-cache/simworld-s${seed}-n${count}`,
    perWorld: Number(get('per-world') ?? 100),
    plumesPerWorld: Number(get('plumes-per-world') ?? 12),
  };
}

/** The renderer's internals this script reads: its plume fields and its dust transmittance grid. */
interface RendererInternals {
  plumes: PlumeField[];
  half: Float32Array;
}

function randomPointInSite(rng: Rng, site: WorldSite): [number, number] {
  for (let i = 0; i < 200; i++) {
    const e = rng.uniform(site.minE, site.maxE);
    const n = rng.uniform(site.minN, site.maxN);
    if (insideSite(site, e, n)) return [e, n];
  }
  return [(site.minE + site.maxE) / 2, (site.minN + site.maxN) / 2];
}

/** A world: the district plus random plumes inside random sites. */
function makeWorld(district: Record<string, Json>, base: World, worldSeed: number, rng: Rng, plumes: number) {
  const wind = rng.uniform(0, 360);
  const features = [...(district.features as Json[])];
  for (let i = 0; i < plumes; i++) {
    const site = base.sites[rng.int(0, base.sites.length)];
    const [e, n] = randomPointInSite(rng, site);
    const geo = base.frame.toGeo({ eastM: e, northM: n, upM: 0 });
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [geo.lonDeg, geo.latDeg] },
      properties: {
        kind: 'plume',
        id: `P${i}`,
        lengthM: rng.uniform(15, 50),
        opacity: rng.uniform(0.5, 0.95),
        windFromDeg: (wind + rng.uniform(-20, 20) + 360) % 360,
      },
    });
  }
  const doc = { ...district, seed: worldSeed, windFromDeg: wind, features } as Json;
  return parseWorld(doc, `sim world ${worldSeed}`);
}

interface View {
  pose: CameraPose;
  camE: number;
  camN: number;
  camZ: number;
  f: number[];
  r: number[];
  d: number[];
  focal: number;
}

/** A camera aimed (optical axis) at ground point (aimE, aimN). */
function viewAt(
  world: World,
  aimE: number,
  aimN: number,
  heightM: number,
  pitchDeg: number,
  headingDeg: number,
): View {
  const psi = headingDeg * DEG;
  const theta = pitchDeg * DEG;
  const back = heightM / Math.tan(-theta);
  const camE = aimE - Math.sin(psi) * back;
  const camN = aimN - Math.cos(psi) * back;
  const geo = world.frame.toGeo({ eastM: camE, northM: camN, upM: 0 });
  return {
    pose: {
      latDeg: geo.latDeg,
      lonDeg: geo.lonDeg,
      altAmslM: heightM,
      groundAmslM: 0,
      headingDeg,
      pitchDeg,
      rollDeg: 0,
    },
    camE,
    camN,
    camZ: heightM,
    f: [Math.sin(psi) * Math.cos(theta), Math.cos(psi) * Math.cos(theta), Math.sin(theta)],
    r: [Math.cos(psi), -Math.sin(psi), 0],
    d: [Math.sin(psi) * Math.sin(theta), Math.cos(psi) * Math.sin(theta), -Math.cos(theta)],
    focal: CAMERA.widthPx / 2 / Math.tan((CAMERA.hfovDeg * DEG) / 2),
  };
}

/** Image point of a local point, or null when behind the camera (render.ts's projection). */
function project(v: View, e: number, n: number, z: number): [number, number] | null {
  const pe = e - v.camE;
  const pn = n - v.camN;
  const pz = z - v.camZ;
  const depth = pe * v.f[0] + pn * v.f[1] + pz * v.f[2];
  if (depth <= 0.05) return null;
  return [
    CAMERA.widthPx / 2 + (v.focal * (pe * v.r[0] + pn * v.r[1])) / depth,
    CAMERA.heightPx / 2 + (v.focal * (pe * v.d[0] + pn * v.d[1] + pz * v.d[2])) / depth,
  ];
}

/** Whether the plume's bounding box may show in the view (as render.ts's projectBox decides). */
function mayShow(v: View, p: PlumeField): boolean {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let behind = 0;
  for (const e of [p.minE, p.maxE]) {
    for (const n of [p.minN, p.maxN]) {
      for (const z of [0, p.topM]) {
        const xy = project(v, e, n, z);
        if (!xy) {
          behind++;
          continue;
        }
        x0 = Math.min(x0, xy[0]);
        x1 = Math.max(x1, xy[0]);
        y0 = Math.min(y0, xy[1]);
        y1 = Math.max(y1, xy[1]);
      }
    }
  }
  if (behind === 8) return false;
  if (behind > 0) return true;
  return !(x1 < 0 || y1 < 0 || x0 > CAMERA.widthPx || y0 > CAMERA.heightPx);
}

/** Transmittance at frame pixel (x, y) from the renderer's dust grid, upsampled as render.ts does. */
function transAt(grid: Float32Array, x: number, y: number): number {
  const hw = Math.ceil(CAMERA.widthPx / DUST_STEP) + 2;
  const hh = Math.ceil(CAMERA.heightPx / DUST_STEP) + 2;
  const gx = Math.max(0, x) / DUST_STEP;
  const gy = Math.max(0, y) / DUST_STEP;
  const ix = Math.min(hw - 2, gx | 0);
  const iy = Math.min(hh - 2, gy | 0);
  const wx = gx - ix;
  const wy = gy - iy;
  const p00 = (iy * hw + ix) * 4;
  const p10 = p00 + hw * 4;
  return (
    grid[p00] * (1 - wx) * (1 - wy) +
    grid[p00 + 4] * wx * (1 - wy) +
    grid[p10] * (1 - wx) * wy +
    grid[p10 + 4] * wx * wy
  );
}

/** alpha > 0.15 at the 256×256 model input's pixel centres (the squeeze's sample points). */
function maskOut(grid: Float32Array): Uint8Array {
  const mask = new Uint8Array(OUT_PX * OUT_PX);
  for (let v = 0; v < OUT_PX; v++) {
    const y = ((v + 0.5) * CAMERA.heightPx) / OUT_PX - 0.5;
    for (let u = 0; u < OUT_PX; u++) {
      const x = ((u + 0.5) * CAMERA.widthPx) / OUT_PX - 0.5;
      if (1 - transAt(grid, x, y) > MASK_ALPHA) mask[v * OUT_PX + u] = 1;
    }
  }
  return mask;
}

/** Mean |I − J| (0..1, mean over channels) over the frame pixels where the grid's alpha > 0.15. */
function visibleChange(grid: Float32Array, withDust: Buffer, clear: Buffer): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < CAMERA.heightPx; y++) {
    for (let x = 0; x < CAMERA.widthPx; x++) {
      if (1 - transAt(grid, x, y) <= MASK_ALPHA) continue;
      const i = (y * CAMERA.widthPx + x) * 3;
      sum +=
        Math.abs(withDust[i] - clear[i]) +
        Math.abs(withDust[i + 1] - clear[i + 1]) +
        Math.abs(withDust[i + 2] - clear[i + 2]);
      count++;
    }
  }
  return count ? sum / count / 3 / 255 : 0;
}

function boxOf(mask: Uint8Array): { box: number[]; area: number } {
  let x0 = OUT_PX;
  let y0 = OUT_PX;
  let x1 = -1;
  let y1 = -1;
  let area = 0;
  for (let v = 0; v < OUT_PX; v++) {
    for (let u = 0; u < OUT_PX; u++) {
      if (!mask[v * OUT_PX + u]) continue;
      area++;
      if (u < x0) x0 = u;
      if (u > x1) x1 = u;
      if (v < y0) y0 = v;
      if (v > y1) y1 = v;
    }
  }
  return { box: [x0, y0, x1 + 1, y1 + 1], area };
}

function setActive(world: World, active: (i: number) => boolean): void {
  world.plumes.forEach((p, i) => {
    p.startS = 0;
    p.endS = active(i) ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  });
}

async function toModelImage(frame: Buffer, quality: number): Promise<Buffer> {
  const raw = { raw: { width: CAMERA.widthPx, height: CAMERA.heightPx, channels: 3 as const } };
  const jpeg = await sharp(frame, raw).jpeg({ quality }).toBuffer();
  const out = await sharp(jpeg)
    .removeAlpha()
    .resize(OUT_PX, OUT_PX, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (out.info.channels !== 3 || out.data.length !== OUT_PX * OUT_PX * 3)
    throw new Error('unexpected resize output');
  return out.data;
}

function npyHeader(descr: string, shape: number[]): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`;
  const total = 10 + header.length + 1;
  header += `${' '.repeat((64 - (total % 64)) % 64)}\n`;
  const out = Buffer.alloc(10 + header.length);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  return out;
}

interface Sample {
  rgb: Buffer;
  mask: Uint8Array;
  label: Record<string, unknown>;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const text = fs.readFileSync(DISTRICT, 'utf8');
  const district = parseJsonText(text, DISTRICT) as Record<string, Json>;
  const base = parseWorld(district, DISTRICT);
  const bounds = {
    minE: Math.min(...base.sites.map((s) => s.minE)),
    maxE: Math.max(...base.sites.map((s) => s.maxE)),
    minN: Math.min(...base.sites.map((s) => s.minN)),
    maxN: Math.max(...base.sites.map((s) => s.maxN)),
  };
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  const imageFd = fs.openSync(`${args.out}-images.npy.part`, 'w');
  const maskFd = fs.openSync(`${args.out}-masks.npy.part`, 'w');
  fs.writeSync(imageFd, npyHeader('|u1', [args.count, OUT_PX, OUT_PX, 3]));
  fs.writeSync(maskFd, npyHeader('|b1', [args.count, OUT_PX, OUT_PX]));
  const labels: Record<string, unknown>[] = [];
  let renders = 0;
  let rejected = 0;
  let world: World | null = null;
  let renderer: WorldRenderer | null = null;
  let worldSeed = 0;
  const rng = new Rng(args.seed * 104729 + 3);

  for (let index = 0; index < args.count; index++) {
    const k = Math.floor(index / args.perWorld);
    if (!world || index % args.perWorld === 0) {
      worldSeed = args.seed * 1000 + k;
      if (worldSeed === DEMO_WORLD_SEED) worldSeed += 500;
      world = makeWorld(district, base, worldSeed, rng, args.plumesPerWorld);
      renderer = new WorldRenderer(world);
    }
    const w = world;
    const r = renderer as WorldRenderer;
    const inner = r as unknown as RendererInternals;
    const render = (v: View, t: number) => {
      renders++;
      return Buffer.from(r.render(v.pose, CAMERA, t));
    };
    const heightM = rng.uniform(35, 110);
    const pitchDeg = rng.uniform(-90, -35);
    const headingDeg = rng.uniform(0, 360);
    const timeS = rng.uniform(0, 600);
    const quality = rng.int(60, 96);
    const positive = index % 2 === 0;
    let sample: Sample | null = null;

    if (positive) {
      for (let attempt = 0; attempt < MAX_POSITIVE_TRIES && !sample; attempt++) {
        const h = attempt === 0 ? heightM : rng.uniform(35, 110);
        const pitch = attempt === 0 ? pitchDeg : rng.uniform(-90, -35);
        const heading = attempt === 0 ? headingDeg : rng.uniform(0, 360);
        const target = rng.int(0, inner.plumes.length);
        const field = inner.plumes[target];
        const along = rng.uniform(0, 1) * field.plume.lengthM;
        const slantM = h / Math.sin(-pitch * DEG);
        const footprintM = 2 * slantM * Math.tan((CAMERA.hfovDeg * DEG) / 2);
        const radius = AIM_SHARE_OF_FOOTPRINT * footprintM * Math.sqrt(rng.next());
        const angle = rng.uniform(0, 2 * Math.PI);
        const aimE = field.sourceE + field.dirE * along + radius * Math.cos(angle);
        const aimN = field.sourceN + field.dirN * along + radius * Math.sin(angle);
        const v = viewAt(w, aimE, aimN, h, pitch, heading);
        const inView = inner.plumes.map((p, i) => (mayShow(v, p) ? i : -1)).filter((i) => i >= 0);
        if (!inView.includes(target)) {
          rejected++;
          continue;
        }
        setActive(w, () => false);
        const clear = render(v, timeS);
        setActive(w, (i) => inView.includes(i));
        const dusty = render(v, timeS);
        const allGrid = inner.half.slice();
        const plumes: Record<string, unknown>[] = [];
        let ok = true;
        for (const i of inView) {
          let grid = allGrid;
          let alone = dusty;
          if (inView.length > 1) {
            setActive(w, (j) => j === i);
            alone = render(v, timeS);
            grid = inner.half.slice();
          }
          const own = maskOut(grid);
          const { box, area } = boxOf(own);
          if (area === 0) continue;
          const contrast = visibleChange(grid, alone, clear);
          if (area < MIN_PLUME_AREA_PX || contrast < MIN_VISIBLE_CHANGE) {
            ok = false;
            break;
          }
          const p = inner.plumes[i];
          const src = project(v, p.sourceE, p.sourceN, 0);
          plumes.push({
            box,
            source_xy: src
              ? [
                  Math.round(((src[0] * OUT_PX) / CAMERA.widthPx) * 10) / 10,
                  Math.round(((src[1] * OUT_PX) / CAMERA.heightPx) * 10) / 10,
                ]
              : null,
            area_px: area,
            contrast: Math.round(contrast * 1000) / 1000,
            id: p.plume.id,
          });
        }
        if (!ok || plumes.length === 0) {
          rejected++;
          continue;
        }
        sample = {
          rgb: await toModelImage(dusty, quality),
          mask: maskOut(allGrid),
          label: {
            has_plume: true,
            hard_negative: null,
            view: pitch <= -80 ? 'aerial' : 'oblique',
            squeezed_16x9: true,
            plumes,
            world_seed: worldSeed,
            pose: poseLabel(h, pitch, heading, timeS),
            jpeg_quality: quality,
          },
        };
      }
      if (!sample) throw new Error(`no positive view found in ${MAX_POSITIVE_TRIES} tries (image ${index})`);
    } else {
      let aimE: number;
      let aimN: number;
      if (rng.next() < 0.7) {
        [aimE, aimN] = randomPointInSite(rng, w.sites[rng.int(0, w.sites.length)]);
      } else {
        aimE = rng.uniform(bounds.minE, bounds.maxE);
        aimN = rng.uniform(bounds.minN, bounds.maxN);
      }
      const v = viewAt(w, aimE, aimN, heightM, pitchDeg, headingDeg);
      setActive(w, () => false);
      const clear = render(v, timeS);
      sample = {
        rgb: await toModelImage(clear, quality),
        mask: new Uint8Array(OUT_PX * OUT_PX),
        label: {
          has_plume: false,
          hard_negative: 'sim_world',
          view: pitchDeg <= -80 ? 'aerial' : 'oblique',
          squeezed_16x9: true,
          plumes: [],
          world_seed: worldSeed,
          pose: poseLabel(heightM, pitchDeg, headingDeg, timeS),
          jpeg_quality: quality,
        },
      };
    }
    fs.writeSync(imageFd, sample.rgb);
    fs.writeSync(maskFd, sample.mask);
    labels.push({ index, ...sample.label });
    if ((index + 1) % 100 === 0 || index + 1 === args.count) {
      const s = (Date.now() - started) / 1000;
      console.log(
        `${index + 1}/${args.count} images, ${renders} renders, ${rejected} rejected views, ` +
          `${s.toFixed(0)} s (${((s / (index + 1)) * 1000).toFixed(0)} ms/image)`,
      );
    }
  }
  fs.closeSync(imageFd);
  fs.closeSync(maskFd);
  fs.writeFileSync(`${args.out}-labels.json`, JSON.stringify(labels));
  fs.renameSync(`${args.out}-images.npy.part`, `${args.out}-images.npy`);
  fs.renameSync(`${args.out}-masks.npy.part`, `${args.out}-masks.npy`);
  const positives = labels.filter((l) => l.has_plume).length;
  const plumeCount = labels.reduce((n, l) => n + (l.plumes as unknown[]).length, 0);
  console.log(
    `wrote ${args.out}-{images,masks}.npy and -labels.json: ${labels.length} images, ${positives} with ` +
      `${plumeCount} plumes, in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

function poseLabel(heightM: number, pitchDeg: number, headingDeg: number, timeS: number) {
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    height_m: round(heightM),
    pitch_deg: round(pitchDeg),
    heading_deg: round(headingDeg),
    time_s: round(timeS),
  };
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
