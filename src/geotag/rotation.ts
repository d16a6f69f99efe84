/** A 3-vector; in the world it is ENU metres (east, north, up), in the camera FRD (forward, right, down). */
export type Vec3 = readonly [number, number, number];
/** A 3×3 matrix, row-major. */
export type Mat3 = readonly [Vec3, Vec3, Vec3];

export function apply(m: Mat3, v: Vec3): Vec3 {
  return [dot(m[0], v), dot(m[1], v), dot(m[2], v)];
}

/** The inverse of a rotation. */
export function transpose(m: Mat3): Mat3 {
  return [
    [m[0][0], m[1][0], m[2][0]],
    [m[0][1], m[1][1], m[2][1]],
    [m[0][2], m[1][2], m[2][2]],
  ];
}

export function multiply(a: Mat3, b: Mat3): Mat3 {
  const col = (j: number): Vec3 => [b[0][j], b[1][j], b[2][j]];
  const row = (r: Vec3): Vec3 => [dot(r, col(0)), dot(r, col(1)), dot(r, col(2))];
  return [row(a[0]), row(a[1]), row(a[2])];
}

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

export function norm(v: Vec3): number {
  return Math.hypot(v[0], v[1], v[2]);
}

/** Rotation by `rad` about the x axis (right-handed). */
export function rotX(rad: number): Mat3 {
  const c = Math.cos(rad);
  const s = Math.sin(rad);
  return [
    [1, 0, 0],
    [0, c, -s],
    [0, s, c],
  ];
}

export function rotY(rad: number): Mat3 {
  const c = Math.cos(rad);
  const s = Math.sin(rad);
  return [
    [c, 0, s],
    [0, 1, 0],
    [-s, 0, c],
  ];
}

export function rotZ(rad: number): Mat3 {
  const c = Math.cos(rad);
  const s = Math.sin(rad);
  return [
    [c, -s, 0],
    [s, c, 0],
    [0, 0, 1],
  ];
}

/**
 * Aerospace ZYX Euler angles (yaw clockwise from north, pitch nose-up, roll right-wing-down) as the
 * matrix that takes a body FRD vector to NED.
 */
export function frdToNed(yawRad: number, pitchRad: number, rollRad: number): Mat3 {
  return multiply(multiply(rotZ(yawRad), rotY(pitchRad)), rotX(rollRad));
}

/** NED → ENU: swap north and east, flip down. */
const NED_TO_ENU: Mat3 = [
  [0, 1, 0],
  [1, 0, 0],
  [0, 0, -1],
];

export function nedToEnu(m: Mat3): Mat3 {
  return multiply(NED_TO_ENU, m);
}
