import type { LinkStats } from '../mavlink/index.js';
import type { VehicleState } from '../vehicle/index.js';

const GPS_FIX_NAMES = ['no GPS', 'no fix', '2D', '3D', 'DGPS', 'RTK float', 'RTK fixed', 'static', 'PPP'];

/** One compact line a pilot reads: mode, arming, position, speed, battery, GPS, waypoint, link health. */
export function formatStatusLine(state: VehicleState, stats: LinkStats): string {
  const pos = state.position;
  const where = pos
    ? `${pos.latDeg.toFixed(6)},${pos.lonDeg.toFixed(6)} alt ${pos.altRelM.toFixed(1)} m`
    : 'no position';
  const speed = state.groundSpeedMs === null ? '' : ` ${state.groundSpeedMs.toFixed(1)} m/s`;
  const battery = state.battery?.remainingPct ?? null;
  const gps = state.gps
    ? `GPS ${GPS_FIX_NAMES[state.gps.fixType] ?? state.gps.fixType} ${state.gps.satellites ?? '?'} sats`
    : 'GPS ?';
  const wp =
    state.missionCurrentSeq === null
      ? ''
      : ` | wp ${state.missionCurrentSeq}${state.missionTotal === null ? '' : `/${state.missionTotal}`}`;
  return [
    `${state.modeName} ${state.armed ? 'ARMED' : 'disarmed'}`,
    `${where}${speed}`,
    `bat ${battery === null ? '?' : `${battery} %`}`,
    `${gps}${wp}`,
    linkHealth(stats),
  ].join(' | ');
}

/**
 * Packets in and lost, frames dropped; junk, strangers' datagrams and what a signed link refused only
 * when there were any.
 */
function linkHealth(stats: LinkStats): string {
  const parts = [`link ${stats.packetsIn} in`, `${stats.dropped} lost`, `${stats.badFrames} bad`];
  if (stats.unknownMessages > 0) parts.push(`${stats.unknownMessages} unknown`);
  if (stats.junkBytes > 0) parts.push(`${stats.junkBytes} B junk`);
  if (stats.ignoredDatagrams > 0) parts.push(`${stats.ignoredDatagrams} from others ignored`);
  if (stats.unsignedPackets > 0) parts.push(`${stats.unsignedPackets} unsigned dropped`);
  if (stats.badSignatures > 0) parts.push(`${stats.badSignatures} badly signed dropped`);
  if (stats.staleSignatures > 0) parts.push(`${stats.staleSignatures} stale signed dropped`);
  return parts.join(', ');
}
