/**
 * Binary dilation by a (2·radiusPx + 1)² square (scipy's binary_dilation with a 3×3 square, iterated
 * radiusPx times), done as a row pass and a column pass of sliding-window counts: O(pixels), whatever the
 * radius. Outside the image counts as background.
 */
export function dilateSquare(
  mask: Uint8Array,
  widthPx: number,
  heightPx: number,
  radiusPx: number,
): Uint8Array {
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < heightPx; y++) {
    slidingAny(mask, rows, y * widthPx, 1, widthPx, radiusPx);
  }
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < widthPx; x++) {
    slidingAny(rows, out, x, widthPx, heightPx, radiusPx);
  }
  return out;
}

/** out[k] = 1 where any of line[k - r .. k + r] is set, along one row or column. */
function slidingAny(
  line: Uint8Array,
  out: Uint8Array,
  start: number,
  step: number,
  length: number,
  radiusPx: number,
): void {
  let count = 0;
  for (let k = 0; k < Math.min(radiusPx, length); k++) count += line[start + k * step];
  for (let k = 0; k < length; k++) {
    const entering = k + radiusPx;
    const leaving = k - radiusPx - 1;
    if (entering < length) count += line[start + entering * step];
    if (leaving >= 0) count -= line[start + leaving * step];
    out[start + k * step] = count > 0 ? 1 : 0;
  }
}
