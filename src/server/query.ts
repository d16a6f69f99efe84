import { HttpError } from './http-util.js';

const US_PER_MS = 1000;
const DAY_US = 86_400e6;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Refuses query parameters the endpoint does not know: a typo must not silently widen a query. */
export function checkParams(url: URL, known: readonly string[]): void {
  for (const name of new Set(url.searchParams.keys())) {
    if (!known.includes(name)) {
      const list = known.filter((k) => k !== 'token');
      throw new HttpError(
        400,
        `unknown query parameter ${JSON.stringify(name)}` +
          (list.length > 0 ? ` (known: ${list.join(', ')})` : ' (this endpoint takes none)'),
      );
    }
  }
  for (const name of known) {
    if (url.searchParams.getAll(name).length > 1) throw new HttpError(400, `${name}: given more than once`);
  }
}

export function textParam(url: URL, name: string, maxLength = 200): string | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  if (value === '' || value.length > maxLength) {
    throw new HttpError(400, `${name}: expected 1 to ${maxLength} characters`);
  }
  return value;
}

/** A number in [min, max] (a whole one when `integer`). */
export function numberParam(
  url: URL,
  name: string,
  min: number,
  max: number,
  integer: boolean,
): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new HttpError(
      400,
      `${name}: expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return n;
}

/**
 * An ISO 8601 time in µs since the epoch: `2024-05-03T08:00:00Z` or with an offset (`+08:00`); a time
 * without a zone is refused rather than guessed. A date alone is its UTC start, or with `endOfDay` its
 * last microsecond.
 */
export function timeParam(url: URL, name: string, endOfDay: boolean): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null) return undefined;
  const dateOnly = DATE_ONLY.test(value);
  const ms = dateOnly || DATE_TIME_WITH_ZONE.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new HttpError(
      400,
      `${name}: expected an ISO 8601 date or time with its zone (2024-05-03 or 2024-05-03T08:00:00Z), got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  const us = ms * US_PER_MS;
  return dateOnly && endOfDay ? us + DAY_US - 1 : us;
}
