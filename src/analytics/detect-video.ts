import type { Detection, Detector, PlumeTrack, PlumeTracker } from '../detect/index.js';
import type { Frame } from '../video/index.js';

/** What one analysed frame yields: its detection, plumes confirmed by it, confirmed plumes it ended. */
export interface AnalysedFrame {
  frame: Frame;
  detection: Detection;
  confirmed: PlumeTrack[];
  ended: PlumeTrack[];
}

/** A confirmed plume with the frame that shows it best (the evidence). */
export interface ConfirmedPlume {
  track: PlumeTrack;
  evidence: Frame;
}

/** Where confirmed plumes go: `ended` when a track ends (all its views); `confirmed` as soon as one is (live). */
export interface PlumeHandlers {
  ended: (plume: ConfirmedPlume) => void | Promise<void>;
  confirmed?: (plume: ConfirmedPlume) => void | Promise<void>;
  /**
   * The detector failed on a frame (the model could not run): given this, the frame is skipped (not
   * yielded, not counted against any plume) and the next one analysed; without it the error ends the run.
   */
  detectFailed?: (frame: Frame, err: unknown) => void;
}

/**
 * Runs the detector on every frame of a source and confirms plumes across frames. Keeps the last few
 * frames so that a plume confirmed now can still show the earlier frame where it looked best, and
 * hands each confirmed plume with its evidence frame to `handlers.ended` when its track ends (and to
 * `handlers.confirmed` when it is confirmed, for live alerts that cannot wait for the track's end).
 */
export async function* detectVideo(
  source: AsyncIterable<Frame>,
  detector: Detector,
  tracker: PlumeTracker,
  handlers: PlumeHandlers,
  recentFrames = 8,
): AsyncGenerator<AnalysedFrame> {
  const recent: Frame[] = [];
  const evidence = new Map<number, Frame>();
  const frameAt = (ptsS: number) => recent.find((f) => f.ptsS === ptsS);

  for await (const frame of source) {
    recent.push(frame);
    if (recent.length > recentFrames) recent.shift();
    let detection: Detection;
    try {
      detection = await detector.detectFrame(frame);
    } catch (err) {
      if (!handlers.detectFailed) throw err;
      handlers.detectFailed(frame, err);
      continue;
    }
    const { confirmed, ended } = tracker.update(detection);
    for (const track of tracker.active()) {
      const best = frameAt(track.best.ptsS);
      const justConfirmed = confirmed.some((c) => c.id === track.id);
      if (best && (justConfirmed || track.best.ptsS === frame.ptsS)) evidence.set(track.id, best);
    }
    if (handlers.confirmed) {
      for (const track of confirmed) {
        const best = evidence.get(track.id);
        if (best) await handlers.confirmed({ track, evidence: best });
      }
    }
    for (const track of ended) await emit(track);
    yield { frame, detection, confirmed, ended };
  }
  for (const track of tracker.finish()) await emit(track);

  async function emit(track: PlumeTrack): Promise<void> {
    const frame = evidence.get(track.id);
    evidence.delete(track.id);
    if (frame) await handlers.ended({ track, evidence: frame });
  }
}
