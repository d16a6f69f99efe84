export {
  bearingRad,
  type GeoPoint,
  horizontalDistanceM,
  LocalFrame,
  type LocalPoint,
  wrapPi,
  wrapTwoPi,
} from './local-frame.js';
