import type { CameraSpec } from '../../../src/camera.js';
import type { CameraPose, World } from '../../../src/sim/index.js';

/** The pinhole conventions written out independently of the renderer: a ground point (east, north, up m from the camera's ground point) to a pixel. */
export function projectPx(
  camera: CameraSpec,
  pose: Pick<CameraPose, 'headingDeg' | 'pitchDeg'>,
  eastM: number,
  northM: number,
  upM: number,
): { x: number; y: number } {
  const psi = (pose.headingDeg * Math.PI) / 180;
  const theta = (pose.pitchDeg * Math.PI) / 180;
  const f = [Math.sin(psi) * Math.cos(theta), Math.cos(psi) * Math.cos(theta), Math.sin(theta)];
  const r = [Math.cos(psi), -Math.sin(psi), 0];
  const d = [Math.sin(psi) * Math.sin(theta), Math.cos(psi) * Math.sin(theta), -Math.cos(theta)];
  const p = [eastM, northM, upM];
  const dot = (a: number[]) => a[0] * p[0] + a[1] * p[1] + a[2] * p[2];
  const focal = camera.widthPx / 2 / Math.tan((camera.hfovDeg * Math.PI) / 360);
  return {
    x: camera.widthPx / 2 + (focal * dot(r)) / dot(f),
    y: camera.heightPx / 2 + (focal * dot(d)) / dot(f),
  };
}

/** A pose `altM` above the ground whose ground point is (dE, dN) metres from the world point (lat, lon). */
export function poseNear(
  world: World,
  at: { latDeg: number; lonDeg: number },
  dE: number,
  dN: number,
  altM: number,
  headingDeg: number,
  pitchDeg: number,
): CameraPose {
  const local = world.frame.toLocal(at.latDeg, at.lonDeg, 0);
  const geo = world.frame.toGeo({ eastM: local.eastM + dE, northM: local.northM + dN, upM: 0 });
  return {
    latDeg: geo.latDeg,
    lonDeg: geo.lonDeg,
    altAmslM: 110 + altM,
    groundAmslM: 110,
    headingDeg,
    pitchDeg,
    rollDeg: 0,
  };
}
