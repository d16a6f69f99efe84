import type { PlumeSighting } from '../alerts/index.js';
import type { CombinedGeotag, GeotaggedPlume, Pose } from '../geotag/index.js';
import type { ConfirmedPlume } from './detect-video.js';

const DEG_PER_RAD = 180 / Math.PI;

/**
 * What the alert store needs of a confirmed, geotagged plume: where (`placed`, from all its whole
 * views), and the drone's pose and camera for the evidence frame (`evidence`); times on the vehicle's
 * clock.
 */
export function toSighting(
  flightId: string,
  confirmed: ConfirmedPlume,
  placed: CombinedGeotag,
  evidence: { tag: GeotaggedPlume; pose: Pose },
  frameTimeUs: (ptsS: number) => number,
): PlumeSighting {
  const { tag: tagged, pose } = evidence;
  const { track } = confirmed;
  const firstSeenUs = Math.round(frameTimeUs(track.firstSeenS));
  return {
    flightId,
    sightingKey: `${track.id}@${firstSeenUs}`,
    firstSeenUs,
    lastSeenUs: Math.round(frameTimeUs(track.lastSeenS)),
    frames: track.hits,
    latDeg: placed.latDeg,
    lonDeg: placed.lonDeg,
    uncertaintyM: placed.uncertaintyM,
    areaM2: placed.areaM2,
    meanScore: track.best.plume.meanScore,
    peakScore: track.best.plume.peakScore,
    pose: {
      latDeg: pose.latDeg,
      lonDeg: pose.lonDeg,
      altRelM: pose.altRelM,
      headingDeg: (((tagged.cameraHeadingRad * DEG_PER_RAD) % 360) + 360) % 360,
      gimbalPitchDeg: tagged.cameraPitchRad * DEG_PER_RAD,
    },
    evidence: { frame: confirmed.evidence, box: track.best.plume.box },
  };
}
