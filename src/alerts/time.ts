const US_PER_MS = 1000;

/** `2024-05-03 10:15:42 UTC` for a time in µs since the epoch. */
export function formatUtcUs(timeUs: number): string {
  return `${new Date(Math.floor(timeUs / US_PER_MS)).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `2024-05-03T10:15:42.123Z`, for files and JSON. */
export function isoUtcUs(timeUs: number): string {
  return new Date(Math.floor(timeUs / US_PER_MS)).toISOString();
}

export function nowUs(): number {
  return Date.now() * US_PER_MS;
}
