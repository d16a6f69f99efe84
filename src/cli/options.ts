import { InvalidArgumentError } from 'commander';

/**
 * Commander argument parsers that refuse bad values with a message naming the flag's expectation, and
 * the defaults several commands share.
 */

/** The alert database when a command is given none (in the current directory). */
export const DEFAULT_DB = 'dustpatrol.db';

/**
 * Camera to arrival here, ms, when not told: the built-in simulator's camera over loopback measures
 * about 180 ms (H.264 encode, MPEG-TS over UDP, ffmpeg decode); a radio link adds its own.
 */
export const DEFAULT_VIDEO_LATENCY_MS = 180;
export const DEFAULT_ANALYSIS_FPS = 2;

export function parseNumberIn(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got '${value}'`);
    }
    return n;
  };
}

export function parseLatLonAlt(value: string): { latDeg: number; lonDeg: number; altAmslM: number } {
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p))) {
    throw new InvalidArgumentError(`expected LAT,LON,ALT in degrees and metres, got '${value}'`);
  }
  const [latDeg, lonDeg, altAmslM] = parts;
  if (Math.abs(latDeg) > 90) throw new InvalidArgumentError(`latitude ${latDeg} is outside -90..90`);
  if (Math.abs(lonDeg) > 180) throw new InvalidArgumentError(`longitude ${lonDeg} is outside -180..180`);
  return { latDeg, lonDeg, altAmslM };
}

export const percent = parseNumberIn(0, 100);

export function parseLatLon(value: string): { latDeg: number; lonDeg: number } {
  const texts = value.split(',').map((p) => p.trim());
  const parts = texts.map(Number);
  if (parts.length !== 2 || texts.includes('') || parts.some((p) => !Number.isFinite(p))) {
    throw new InvalidArgumentError(`expected LAT,LON in degrees, got '${value}'`);
  }
  const [latDeg, lonDeg] = parts;
  if (Math.abs(latDeg) > 90) throw new InvalidArgumentError(`latitude ${latDeg} is outside -90..90`);
  if (Math.abs(lonDeg) > 180) throw new InvalidArgumentError(`longitude ${lonDeg} is outside -180..180`);
  return { latDeg, lonDeg };
}

/** For a flag given several times: each value parsed, all of them collected in order. */
export function repeatable<T>(parse: (value: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];
}

/** A frame size, WIDTHxHEIGHT in even pixels. */
export function parseSize(value: string): { widthPx: number; heightPx: number } {
  const m = /^(\d+)x(\d+)$/i.exec(value.trim());
  const widthPx = m ? Number(m[1]) : Number.NaN;
  const heightPx = m ? Number(m[2]) : Number.NaN;
  const ok = (v: number) => Number.isInteger(v) && v >= 16 && v <= 7680 && v % 2 === 0;
  if (!ok(widthPx) || !ok(heightPx)) {
    throw new InvalidArgumentError(
      `expected WIDTHxHEIGHT in even pixels from 16 to 7680, e.g. 1280x720, got '${value}'`,
    );
  }
  return { widthPx, heightPx };
}

/** The `--signing-key` flag of every command that talks to a vehicle: its flag and its help. */
export const SIGNING_KEY_OPTION = [
  '--signing-key <file>',
  "MAVLink 2 signing key (64 hex digits, 32 raw bytes, or 'passphrase: TEXT'): sign what is sent, " +
    'drop what is not signed with it',
] as const;
