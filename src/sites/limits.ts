/**
 * What one site file may hold. A district's site outline has tens to a few thousand points; these
 * bounds leave room for surveyed outlines while refusing files that would take the checks minutes or
 * the process's memory. The README's `sites check` section lists them.
 */
export const MAX_SITE_FILE_BYTES = 64 * 1024 * 1024;
export const MAX_POINTS_PER_RING = 250_000;
export const MAX_POINTS_PER_FILE = 1_000_000;
