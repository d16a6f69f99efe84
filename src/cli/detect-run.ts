import fs from 'node:fs';
import path from 'node:path';
import {
  analysePlumes,
  type ConfirmedPlume,
  detectPhotos,
  type PhotoInput,
  PhotoTally,
  photoInput,
  photoSnapshot,
  SnapshotNames,
} from '../analytics/index.js';
import { type Box, loadDetector } from '../detect/index.js';
import { UserError } from '../errors.js';
import { encodeSnapshot, openVideo } from '../video/index.js';
import type { DetectOptions } from './detect.js';
import { interruptSignal } from './interrupt.js';
import { LiveLine, progressBar, table } from './output.js';

export async function runDetect(input: string, opts: DetectOptions): Promise<void> {
  // Photos are unrelated pictures, judged one by one; video frames are confirmed across time.
  const photos = await photoInput(input);
  if (photos) await runPhotos(photos, opts);
  else await runVideo(input, opts);
}

async function runPhotos(photos: PhotoInput, opts: DetectOptions): Promise<void> {
  const detector = await loadDetector({ modelPath: opts.model, threads: opts.threads });
  fs.mkdirSync(opts.out, { recursive: true });
  const jsonlPath = path.join(opts.out, 'detections.jsonl');
  const line = new LiveLine(process.stderr);
  const tally = new PhotoTally();
  const names = new SnapshotNames();
  const unreadable: { file: string; reason: string }[] = [];
  const total = photos.files.length;
  let jsonl: number | undefined;
  try {
    for await (const photo of detectPhotos(photos.files, detector, interruptSignal())) {
      // A photo given alone that cannot be read fails the run before anything is written.
      if (photo.unreadable !== undefined && !photos.folder) throw new UserError(photo.unreadable);
      jsonl ??= fs.openSync(jsonlPath, 'w');
      tally.add(photo);
      if (photo.unreadable !== undefined) {
        const reason = photo.unreadable.replace(`${photo.file}: `, '');
        unreadable.push({ file: photo.file, reason });
        line.done();
        process.stderr.write(`warning: ${photo.unreadable}; skipped\n`);
      } else {
        const { file, image, detection } = photo;
        const hasPlume = detection.plumes.length > 0;
        const snapshot = hasPlume ? names.for(file) : null;
        if (snapshot) {
          fs.writeFileSync(path.join(opts.out, snapshot), await photoSnapshot(file, image, detection));
        }
        const record = {
          file,
          hasPlume,
          imageScore: detection.imageScore,
          plumes: detection.plumes,
          inferenceMs: Number(detection.inferenceMs.toFixed(1)),
          snapshot,
        };
        fs.writeSync(jsonl, `${JSON.stringify(record)}\n`);
      }
      const { photos: done, withPlumes } = tally.total();
      line.update(
        `detect ${progressBar(done, total)} photos | with plumes ${withPlumes}`,
        String(Math.floor((4 * done) / total)),
      );
    }
  } finally {
    line.done();
    if (jsonl !== undefined) fs.closeSync(jsonl);
    await detector.close();
  }
  const sum = tally.total();
  if (opts.json) {
    const folders = tally.folders();
    process.stdout.write(
      `${JSON.stringify({ ...sum, folders, unreadableFiles: unreadable, detections: jsonlPath })}\n`,
    );
  } else {
    const rows = tally
      .folders()
      .map((t) => [t.folder, t.photos, t.withPlumes, t.withoutPlumes, t.unreadable]);
    process.stdout.write(`${table(['folder', 'photos', 'with plumes', 'without', 'unreadable'], rows)}\n`);
    process.stdout.write(
      `${sum.photos} photo${sum.photos === 1 ? '' : 's'}: ${sum.withPlumes} with plumes, ` +
        `${sum.withoutPlumes} without, ${sum.unreadable} unreadable; detections in ${jsonlPath}` +
        `${sum.withPlumes > 0 ? ', snapshots beside it' : ''}\n`,
    );
  }
  // The others are done and written; the exit status still tells a script that some were not.
  if (unreadable.length > 0) process.exitCode = 1;
}

async function runVideo(input: string, opts: DetectOptions): Promise<void> {
  const detector = await loadDetector({ modelPath: opts.model, threads: opts.threads });
  const signal = interruptSignal();
  const source = await openVideo(input, { fps: opts.fps, signal });
  fs.mkdirSync(opts.out, { recursive: true });
  const jsonlPath = path.join(opts.out, 'detections.jsonl');
  const jsonl = fs.openSync(jsonlPath, 'w');
  const line = new LiveLine(process.stderr);
  const plumes: ConfirmedPlume[] = [];
  const snapshotName = (id: number) => `plume-${String(id).padStart(3, '0')}.jpg`;
  const expectedFrames =
    source.info.durationS === undefined ? null : Math.ceil(source.info.durationS * opts.fps);
  let frames = 0;
  let confirmedCount = 0;
  try {
    const onPlume = async (plume: ConfirmedPlume) => {
      plumes.push(plume);
      const { track, evidence } = plume;
      const { box } = track.best.plume;
      const jpeg = await encodeSnapshot(
        evidence,
        [
          {
            x: box.x0,
            y: box.y0,
            width: box.x1 - box.x0,
            height: box.y1 - box.y0,
            label: `plume ${track.id}`,
          },
        ],
        {
          caption: `${path.basename(input)}  t=${track.best.ptsS.toFixed(1)} s  peak ${track.best.plume.peakScore.toFixed(2)}`,
        },
      );
      fs.writeFileSync(path.join(opts.out, snapshotName(track.id)), jpeg);
    };
    // The plume pipeline without poses: plumes confirmed across frames as in a patrol, not placed.
    const analysed = analysePlumes(source, { detector, frameSize: source.info, onPlumeEnded: onPlume });
    for await (const { detection, confirmed } of analysed) {
      frames++;
      confirmedCount += confirmed.length;
      const record = {
        ptsS: detection.ptsS,
        inferenceMs: Number(detection.inferenceMs.toFixed(1)),
        imageScore: detection.imageScore,
        plumes: detection.plumes,
        confirmed: confirmed.map((t) => t.id),
      };
      fs.writeSync(jsonl, `${JSON.stringify(record)}\n`);
      const done =
        expectedFrames === null
          ? `${frames} frames`
          : progressBar(Math.min(frames, expectedFrames), expectedFrames);
      // Off a terminal, a line at each quarter (or every 100 frames of a stream), not one per frame.
      const milestone =
        expectedFrames === null ? Math.floor(frames / 100) : Math.floor((4 * frames) / expectedFrames);
      line.update(`detect ${done} | plumes confirmed ${confirmedCount}`, String(milestone));
    }
  } finally {
    line.done();
    fs.closeSync(jsonl);
    await source.close();
    await detector.close();
  }
  if (opts.json) {
    const confirmed = plumes.map(({ track }) => ({
      id: track.id,
      firstSeenS: track.firstSeenS,
      lastSeenS: track.lastSeenS,
      frames: track.hits,
      peakScore: track.best.plume.peakScore,
      box: track.best.plume.box,
      snapshot: snapshotName(track.id),
    }));
    process.stdout.write(`${JSON.stringify({ frames, plumes: confirmed, detections: jsonlPath })}\n`);
    return;
  }
  const rows = plumes.map(({ track }) => [
    track.id,
    `${track.firstSeenS.toFixed(1)}–${track.lastSeenS.toFixed(1)}`,
    track.hits,
    track.best.plume.peakScore.toFixed(2),
    formatBox(track.best.plume.box),
  ]);
  if (rows.length > 0)
    process.stdout.write(`${table(['plume', 'seen s', 'frames', 'peak', 'box px'], rows)}\n`);
  process.stdout.write(
    `${frames} frames analysed, ${plumes.length} plume${plumes.length === 1 ? '' : 's'} confirmed; ` +
      `detections in ${jsonlPath}${plumes.length > 0 ? ', snapshots beside it' : ''}\n`,
  );
}

function formatBox(box: Box): string {
  const [x, y, w, h] = [box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0].map(Math.round);
  return `${x},${y} ${w}×${h}`;
}
