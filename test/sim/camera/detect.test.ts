import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Detector, loadDetector } from '../../../src/detect/index.js';
import { type CameraPose, loadWorld, renderView, type World } from '../../../src/sim/index.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { poseNear, projectPx } from './project.js';

const CAMERA = { widthPx: 1280, heightPx: 720, hfovDeg: 82 };

describe('the real dust-plume model on rendered frames', () => {
  let detector: Detector;
  let world: World;
  let bare: World;
  beforeAll(async () => {
    detector = await loadDetector();
    world = await loadWorld(path.join(REPO_ROOT, 'missions/demo-world.geojson'));
    bare = { ...world, plumes: [] };
  });
  afterAll(async () => {
    await detector?.close();
  });

  /** Views of the three always-on plumes: nadir at 45 and 90 m, and 40° down from 60 m facing the source. */
  /** Each view with the pixels of its plume's axis: the source and points downwind up to one length. */
  function views(): { name: string; pose: CameraPose; axis: { x: number; y: number }[] }[] {
    const out: { name: string; pose: CameraPose; axis: { x: number; y: number }[] }[] = [];
    for (const plume of world.plumes.slice(0, 3)) {
      const toRad = ((plume.windFromDeg + 180) * Math.PI) / 180;
      // Centre nadir views a little downwind of the source, where the dust is.
      const dE = Math.sin(toRad) * plume.lengthM * 0.4;
      const dN = Math.cos(toRad) * plume.lengthM * 0.4;
      const axis = (pose: CameraPose, fromE: number, fromN: number, altM: number) =>
        Array.from({ length: 11 }, (_, i) => {
          const along = (plume.lengthM * i) / 10;
          return projectPx(
            CAMERA,
            pose,
            fromE + Math.sin(toRad) * along,
            fromN + Math.cos(toRad) * along,
            -altM,
          );
        });
      for (const altM of [45, 90]) {
        const pose = poseNear(world, plume, dE, dN, altM, 20, -90);
        out.push({ name: `${plume.id} nadir ${altM} m`, pose, axis: axis(pose, -dE, -dN, altM) });
      }
      const back = 60 / Math.tan((40 * Math.PI) / 180);
      const headingDeg = 300;
      const h = (headingDeg * Math.PI) / 180;
      const pose = poseNear(world, plume, -Math.sin(h) * back, -Math.cos(h) * back, 60, headingDeg, -40);
      out.push({
        name: `${plume.id} oblique`,
        pose,
        axis: axis(pose, Math.sin(h) * back, Math.cos(h) * back, 60),
      });
    }
    return out;
  }

  it('finds each plume, near its source, in nadir and oblique frames, and nothing without plumes', async () => {
    const misses: string[] = [];
    const falseAlarms: string[] = [];
    for (const view of views()) {
      const frame = renderView(world, view.pose, CAMERA, 30);
      const found = await detector.detectFrame({ data: frame, width: 1280, height: 720, ptsS: 0 });
      // Found: a box on the plume's axis (a big plume seen from low may fill more than the frame).
      const margin = 40;
      const near = found.plumes.some(({ box }) =>
        view.axis.some(
          (p) =>
            p.x > box.x0 - margin && p.x < box.x1 + margin && p.y > box.y0 - margin && p.y < box.y1 + margin,
        ),
      );
      if (!near) misses.push(view.name);
      const empty = renderView(bare, view.pose, CAMERA, 30);
      const none = await detector.detectFrame({ data: empty, width: 1280, height: 720, ptsS: 0 });
      if (none.plumes.length > 0) falseAlarms.push(view.name);
    }
    expect(misses).toEqual([]);
    // The model was trained on synth.py's images only: mottled soil and roof shadows now and then
    // look like thin dust to it (measured: about 1 frame in 15 without plumes; see the camera's report).
    expect(falseAlarms.length).toBeLessThanOrEqual(1);
  });

  it('sees (almost) nothing over the district and the sites of a world without plumes', async () => {
    const home = { latDeg: 34.7245, lonDeg: 113.6302 };
    const poses = [
      poseNear(bare, home, 20, 40, 60, 0, -90),
      poseNear(bare, home, 150, 200, 100, 45, -90),
      poseNear(bare, home, -300, -150, 80, 200, -45),
      poseNear(bare, home, 0, 0, 120, 135, -20),
    ];
    const alarms: number[] = [];
    for (const [i, pose] of poses.entries()) {
      const found = await detector.detectFrame({
        data: renderView(bare, pose, CAMERA, 0),
        width: 1280,
        height: 720,
        ptsS: 0,
      });
      if (found.plumes.length > 0) alarms.push(i);
    }
    expect(alarms.length).toBeLessThanOrEqual(1);
  });
});
