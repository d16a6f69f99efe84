import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type Detection, type Detector, type RgbImage, readRgbImage } from '../detect/index.js';
import { UserError } from '../errors.js';
import { encodeSnapshot, isImagePath, listImages } from '../video/index.js';

/** Photos to judge one by one: one JPEG/PNG file, or those of a folder. */
export interface PhotoInput {
  /** In natural order (img2 before img10), each the folder as given joined with its name. */
  files: string[];
  /** A folder was given: an unreadable photo in it is reported and passed over, not fatal. */
  folder: boolean;
}

/**
 * The photos `input` names, or null when it names no photo or folder (a video, a stream, nothing:
 * those go to openVideo, which says what is wrong with them).
 */
export async function photoInput(input: string): Promise<PhotoInput | null> {
  const stats = await stat(input).catch(() => undefined);
  if (stats?.isDirectory()) {
    const files = await listImages(input);
    if (files.length === 0) throw new UserError(`${input}: no JPEG or PNG images in this folder`);
    return { files, folder: true };
  }
  if (stats?.isFile() && isImagePath(input)) return { files: [input], folder: false };
  return null;
}

/** One photo's outcome: its pixels (as displayed) and detection, or why it could not be read. */
export type PhotoResult =
  | { file: string; image: RgbImage; detection: Detection; unreadable?: undefined }
  | { file: string; unreadable: string };

/**
 * Runs the detector on each photo on its own. Unlike video, there is no confirmation across photos:
 * they are unrelated pictures, so a plume in one is reported from that one alone. An unreadable photo
 * yields its reason and the rest carry on.
 */
export async function* detectPhotos(
  files: readonly string[],
  detector: Detector,
  signal?: AbortSignal,
): AsyncGenerator<PhotoResult> {
  for (const file of files) {
    if (signal?.aborted) return;
    let image: RgbImage;
    try {
      image = await readRgbImage(file);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      yield { file, unreadable: err.message };
      continue;
    }
    yield { file, image, detection: await detector.detectFrame({ ...image, ptsS: 0 }) };
  }
}

/** The photo as JPEG with its plumes outlined and numbered, and a caption naming it. */
export function photoSnapshot(file: string, image: RgbImage, detection: Detection): Promise<Buffer> {
  const boxes = detection.plumes.map(({ box }, i) => ({
    x: box.x0,
    y: box.y0,
    width: box.x1 - box.x0,
    height: box.y1 - box.y0,
    label: `plume ${i + 1}`,
  }));
  const peak = Math.max(...detection.plumes.map((p) => p.peakScore));
  const score = detection.imageScore === null ? '' : `  image ${detection.imageScore.toFixed(2)}`;
  return encodeSnapshot(image, boxes, {
    caption: `${path.basename(file)}  ${boxes.length} plume${boxes.length === 1 ? '' : 's'}  peak ${peak.toFixed(2)}${score}`,
  });
}

/**
 * Snapshot names after their photos (`<stem>-plumes.jpg`), distinct within one run: a folder may hold
 * site-3.jpg and site-3.png, which then get site-3-plumes.jpg and site-3-png-plumes.jpg.
 */
export class SnapshotNames {
  private readonly used = new Set<string>();

  for(file: string): string {
    const ext = path.extname(file);
    const stem = path.basename(file, ext);
    let name = `${stem}-plumes.jpg`;
    if (this.used.has(name)) name = `${stem}-${ext.slice(1).toLowerCase()}-plumes.jpg`;
    for (let n = 2; this.used.has(name); n++) name = `${stem}-${n}-plumes.jpg`;
    this.used.add(name);
    return name;
  }
}

/** Counts for one folder of photos. */
export interface FolderTally {
  folder: string;
  photos: number;
  withPlumes: number;
  withoutPlumes: number;
  unreadable: number;
}

/** Photo outcomes counted per folder, folders in the order first seen. */
export class PhotoTally {
  private readonly byFolder = new Map<string, FolderTally>();

  add(result: PhotoResult): void {
    const folder = path.dirname(result.file);
    let tally = this.byFolder.get(folder);
    if (!tally) {
      tally = { folder, photos: 0, withPlumes: 0, withoutPlumes: 0, unreadable: 0 };
      this.byFolder.set(folder, tally);
    }
    tally.photos++;
    if (result.unreadable !== undefined) tally.unreadable++;
    else if (result.detection.plumes.length > 0) tally.withPlumes++;
    else tally.withoutPlumes++;
  }

  folders(): FolderTally[] {
    return [...this.byFolder.values()];
  }

  total(): Omit<FolderTally, 'folder'> {
    const sum = { photos: 0, withPlumes: 0, withoutPlumes: 0, unreadable: 0 };
    for (const t of this.byFolder.values()) {
      sum.photos += t.photos;
      sum.withPlumes += t.withPlumes;
      sum.withoutPlumes += t.withoutPlumes;
      sum.unreadable += t.unreadable;
    }
    return sum;
  }
}
