import sharp, { type OverlayOptions } from 'sharp';
import type { Frame, SnapshotBox } from './types.js';

export interface SnapshotOptions {
  /** JPEG quality 1–100 (default 85). */
  quality?: number;
  /** Text for a bar along the bottom edge (time, site, score…). */
  caption?: string;
}

const OUTLINE_COLOUR = '#ff3b30';
const CAPTION_HEIGHT_FRACTION = 0.06;

/** The frame as JPEG with each box outlined by its own box-sized overlay, and an optional caption bar. */
export async function encodeSnapshot(
  frame: Pick<Frame, 'data' | 'width' | 'height'>,
  boxes: SnapshotBox[],
  opts: SnapshotOptions = {},
): Promise<Buffer> {
  const { width, height } = frame;
  const strokePx = Math.max(2, Math.round(Math.min(width, height) / 200));
  const overlays: OverlayOptions[] = [];
  for (const box of boxes) {
    const overlay = boxOverlay(box, width, height, strokePx);
    if (overlay) overlays.push(overlay);
  }
  if (opts.caption) overlays.push(captionOverlay(opts.caption, width, height));
  return sharp(frame.data, { raw: { width, height, channels: 3 } })
    .composite(overlays)
    .jpeg({ quality: opts.quality ?? 85 })
    .toBuffer();
}

/** The box clipped to the frame, as an SVG of its own size; undefined when nothing of it is inside. */
function boxOverlay(
  box: SnapshotBox,
  frameWidth: number,
  frameHeight: number,
  strokePx: number,
): OverlayOptions | undefined {
  const left = clamp(Math.round(box.x), 0, frameWidth);
  const top = clamp(Math.round(box.y), 0, frameHeight);
  const w = clamp(Math.round(box.x + box.width), 0, frameWidth) - left;
  const h = clamp(Math.round(box.y + box.height), 0, frameHeight) - top;
  if (w < 1 || h < 1) return undefined;
  const half = strokePx / 2;
  const fontPx = Math.max(10, strokePx * 6);
  const label = box.label
    ? `<text x="${strokePx + 2}" y="${strokePx + fontPx}" font-family="sans-serif" font-size="${fontPx}" ` +
      `fill="${OUTLINE_COLOUR}">${escapeXml(box.label)}</text>`
    : '';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
    `<rect x="${half}" y="${half}" width="${Math.max(0, w - strokePx)}" height="${Math.max(0, h - strokePx)}" ` +
    `fill="none" stroke="${OUTLINE_COLOUR}" stroke-width="${strokePx}"/>${label}</svg>`;
  return { input: Buffer.from(svg), left, top };
}

function captionOverlay(caption: string, frameWidth: number, frameHeight: number): OverlayOptions {
  const barPx = Math.max(14, Math.round(frameHeight * CAPTION_HEIGHT_FRACTION));
  const fontPx = Math.round(barPx * 0.7);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${frameWidth}" height="${barPx}">` +
    `<rect width="100%" height="100%" fill="black" fill-opacity="0.6"/>` +
    `<text x="4" y="${Math.round(barPx * 0.78)}" font-family="sans-serif" font-size="${fontPx}" fill="white">` +
    `${escapeXml(caption)}</text></svg>`;
  return { input: Buffer.from(svg), left: 0, top: frameHeight - barPx };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
