import { UserError } from '../errors.js';
import type { PlumeSighting } from './types.js';

/** Refuses a sighting that cannot be stored, naming it and its bad field; nothing is written. */
export function checkSighting(s: PlumeSighting): void {
  const where = `sighting ${JSON.stringify(s.sightingKey)} of flight ${JSON.stringify(s.flightId)}`;
  const fail = (field: string, value: unknown, expected: string): never => {
    throw new UserError(`${where}: ${field} ${String(value)} is not ${expected}`);
  };
  if (typeof s.flightId !== 'string' || s.flightId === '') fail('flightId', s.flightId, 'a non-empty string');
  if (typeof s.sightingKey !== 'string' || s.sightingKey === '') {
    fail('sightingKey', s.sightingKey, 'a non-empty string');
  }
  const finite = (field: string, value: number, min: number, max: number, expected: string) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      fail(field, value, expected);
    }
  };
  finite('firstSeenUs', s.firstSeenUs, 0, Number.MAX_SAFE_INTEGER, 'a time in µs since the epoch');
  finite('lastSeenUs', s.lastSeenUs, s.firstSeenUs, Number.MAX_SAFE_INTEGER, 'at or after firstSeenUs');
  if (!Number.isInteger(s.frames) || s.frames < 1) fail('frames', s.frames, 'a whole number ≥ 1');
  finite('latDeg', s.latDeg, -90, 90, 'a latitude in -90..90');
  finite('lonDeg', s.lonDeg, -180, 180, 'a longitude in -180..180');
  finite('uncertaintyM', s.uncertaintyM, 0, Number.MAX_VALUE, 'a distance ≥ 0 m');
  if (s.areaM2 !== null) finite('areaM2', s.areaM2, 0, Number.MAX_VALUE, 'an area ≥ 0 m² or null');
  finite('meanScore', s.meanScore, 0, 1, 'a probability in 0..1');
  finite('peakScore', s.peakScore, 0, 1, 'a probability in 0..1');
  const { frame, box } = s.evidence ?? {};
  if (!frame || !Buffer.isBuffer(frame.data) || frame.data.length !== frame.width * frame.height * 3) {
    fail('evidence.frame', frame ? `${frame.width}×${frame.height}` : frame, 'an RGB24 frame of its size');
  }
  if (
    !box ||
    ![box.x0, box.y0, box.x1, box.y1].every(Number.isFinite) ||
    box.x1 <= box.x0 ||
    box.y1 <= box.y0
  ) {
    fail('evidence.box', JSON.stringify(box), 'a box with x0 < x1 and y0 < y1');
  }
}
