import fs from 'node:fs';
import path from 'node:path';
import { stampCreationTime } from '../video/index.js';

/**
 * A flight's video as received, one Matroska file per time the stream was opened:
 * DIR/FLIGHT-video-N.mkv. While it is written, FILE.start.json beside it holds when its first frame
 * was taken on the vehicle clock (as the live clock has it); once the flight is over the files are
 * stamped with it (creation_time, what `dustpatrol replay` reads) and the notes removed. A daemon
 * killed mid-flight leaves its notes, and the one that follows the flight to its end stamps them.
 */
const START_NOTE = '.start.json';

/** The next recording file of a flight: the first N from `n` not taken (a restart keeps the old ones). */
export function nextRecordingFile(dir: string, flightId: string, n: number): string {
  let k = n;
  while (fs.existsSync(recordingFile(dir, flightId, k))) k++;
  return recordingFile(dir, flightId, k);
}

/** Notes when a recording's first frame was taken, µs since the epoch (written whole or not at all). */
export function noteRecordingStart(file: string, startUs: number): void {
  const note = `${file}${START_NOTE}`;
  fs.writeFileSync(`${note}.tmp`, JSON.stringify({ startUs }));
  fs.renameSync(`${note}.tmp`, note);
}

/**
 * Stamps every recording of the flight that has a start note, and returns all its recordings in order.
 * A recording that cannot be stamped keeps its note, and is reported.
 */
export async function finishRecordings(
  dir: string,
  flightId: string,
  onWarning: (text: string) => void,
): Promise<string[]> {
  const pattern = new RegExp(`^${escapeRegExp(flightId)}-video-(\\d+)\\.mkv$`);
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .map((name) => ({ name, n: Number(pattern.exec(name)?.[1]) }))
        .filter((f) => Number.isInteger(f.n))
        .sort((a, b) => a.n - b.n)
        .map((f) => path.join(dir, f.name))
    : [];
  for (const file of files) {
    const note = `${file}${START_NOTE}`;
    if (!fs.existsSync(note)) continue;
    try {
      const { startUs } = JSON.parse(fs.readFileSync(note, 'utf8')) as { startUs: number };
      await stampCreationTime(file, startUs);
      fs.rmSync(note);
    } catch (err) {
      onWarning(`${file}: not stamped with its start (${(err as Error).message})`);
    }
  }
  return files;
}

function recordingFile(dir: string, flightId: string, n: number): string {
  return path.join(dir, `${flightId}-video-${n}.mkv`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
