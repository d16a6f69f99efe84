import type { Site } from '../sites/index.js';
import { encodeSnapshot } from '../video/index.js';
import { formatUtcUs } from './time.js';
import type { PlumeSighting } from './types.js';

const LATLON_DECIMALS = 5;

/** `North block (S-1)  2024-05-03 10:15:42 UTC  34.73012, 113.62041`; `no site` when there is none. */
export function evidenceCaption(site: Pick<Site, 'id' | 'name'> | null, s: PlumeSighting): string {
  const where = site ? `${site.name} (${site.id})` : 'no site';
  const latLon = `${s.latDeg.toFixed(LATLON_DECIMALS)}, ${s.lonDeg.toFixed(LATLON_DECIMALS)}`;
  return `${where}  ${formatUtcUs(s.firstSeenUs)}  ${latLon}`;
}

/** The sighting's best frame as JPEG, the plume's box outlined, captioned with site, time and place. */
export async function composeEvidence(
  s: PlumeSighting,
  site: Pick<Site, 'id' | 'name'> | null,
): Promise<{ jpeg: Buffer; caption: string }> {
  const caption = evidenceCaption(site, s);
  const { frame, box } = s.evidence;
  const jpeg = await encodeSnapshot(
    frame,
    [
      {
        x: box.x0,
        y: box.y0,
        width: box.x1 - box.x0,
        height: box.y1 - box.y0,
        label: `plume ${s.peakScore.toFixed(2)}`,
      },
    ],
    { caption },
  );
  return { jpeg, caption };
}
