export { segmentClear, shortestClearPath } from './clear-path.js';
export { areaInConvexM2, clipToConvex, polygonsAreaM2 } from './convex-clip.js';
export {
  bearingRad,
  type GeoPoint,
  horizontalDistanceM,
  LocalFrame,
  type LocalPoint,
  wrapPi,
  wrapTwoPi,
} from './local-frame.js';
export { offsetOutward } from './offset.js';
export {
  closestPointOnRings,
  closestPointOnSegment,
  densify,
  distanceM,
  type PlanePolygon,
  pathLengthM,
  type Ring,
  type Vec2,
} from './plane.js';
export { subtractPolygons, unionPolygons } from './plane-boolean.js';
export {
  frameAround,
  geometryToPlane,
  type LatLonBox,
  latLonBoxesNear,
  latLonBoxOf,
  planeToLatLon,
} from './polygon-frame.js';
export {
  type BoxM,
  boxOf,
  centreWithin,
  centroidOf,
  convexHull,
  isConvexRing,
  orientRing,
  pointInPolygon,
  pointInRing,
  signedAreaM2,
  turnRad,
} from './ring.js';
export { firstRingContact, type RingContact } from './segment-crossings.js';
export { simplifyRing } from './simplify.js';
