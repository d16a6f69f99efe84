import { InvalidArgumentError } from 'commander';

/** Commander argument parsers that refuse bad values with a message naming the flag's expectation. */

/** The alert database when a command is given none (in the current directory). */
export const DEFAULT_DB = 'dustpatrol.db';

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
