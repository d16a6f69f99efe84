import { UserError } from '../errors.js';
import { boxIou } from './box.js';
import type { Plume } from './plume.js';

export interface TrackerOptions {
  /** Report a plume once it is seen in this many (k) of the last windowFrames frames. Default 3. */
  confirmHits?: number;
  /** The window (n) for confirmHits. Default 5. */
  windowFrames?: number;
  /** A track ends after this many frames in a row without its plume (m). Default 3. */
  maxMisses?: number;
  /** Least box IoU between a track's last plume and a new one for them to be the same plume. Default 0.2. */
  minIou?: number;
  /**
   * Confirm a plume only once it has been seen whole, not cut by the frame's edge, at least once.
   * For geotagging: a plume seen only at the edge may have its source outside the picture, and the
   * edges are where the model's false alarms gather. Default false (`detect` reports edge plumes too).
   */
  requireWholeView?: boolean;
  /**
   * What counts as a whole view (default: a plume not cut by the frame's edge). Geotagging passes one
   * that needs only the plume's source inside the picture: a long plume's downwind end may run out of it.
   */
  isWholeView?: (plume: Plume, ptsS: number) => boolean;
}

/** A confirmed plume followed over frames. */
export interface PlumeTrack {
  /** 1, 2, … in order of confirmation; stable for the track's life. */
  id: number;
  firstSeenS: number;
  lastSeenS: number;
  /** Frames the plume was seen in. */
  hits: number;
  /** The plume as last seen. */
  last: Plume;
  /** The frame with the highest peak score, whole views first: the evidence frame. */
  best: { ptsS: number; plume: Plume };
  /** The plume in each frame that saw it whole (see isWholeView), oldest first, at most MAX_VIEWS. */
  wholeViews: { ptsS: number; plume: Plume }[];
}

/** Whole views a track keeps: at 2 fps, a minute of a plume in sight. */
const MAX_VIEWS = 120;

export interface TrackerUpdate {
  /** Tracks confirmed by this frame. */
  confirmed: PlumeTrack[];
  /** Confirmed tracks that ended with this frame (unconfirmed ones end silently). */
  ended: PlumeTrack[];
}

/** A track while it is followed: unconfirmed ones have no id yet. */
interface Track extends Omit<PlumeTrack, 'id'> {
  id: number | null;
  /** Seen (true) or missed in each of the last windowFrames frames, oldest first. */
  recent: boolean[];
  misses: number;
}

/**
 * Confirms plumes across frames so that one noisy frame raises nothing: each frame's plumes are
 * matched to the open tracks greedily by box IoU (best pairs first), unmatched plumes open new tracks,
 * and a track is reported once it is seen in k of the last n frames.
 */
export class PlumeTracker {
  private readonly confirmHits: number;
  private readonly windowFrames: number;
  private readonly maxMisses: number;
  private readonly minIou: number;
  private readonly requireWholeView: boolean;
  private readonly isWholeView: (plume: Plume, ptsS: number) => boolean;
  private tracks: Track[] = [];
  private nextId = 1;

  constructor(options: TrackerOptions = {}) {
    this.confirmHits = options.confirmHits ?? 3;
    this.windowFrames = options.windowFrames ?? 5;
    this.maxMisses = options.maxMisses ?? 3;
    this.minIou = options.minIou ?? 0.2;
    this.requireWholeView = options.requireWholeView ?? false;
    this.isWholeView = options.isWholeView ?? ((plume) => !plume.cutByFrameEdge);
    const counts = {
      confirmHits: this.confirmHits,
      windowFrames: this.windowFrames,
      maxMisses: this.maxMisses,
    };
    for (const [name, value] of Object.entries(counts)) {
      if (!Number.isInteger(value) || value < 1)
        throw new UserError(`tracker ${name} must be a whole number from 1`);
    }
    if (this.confirmHits > this.windowFrames) {
      throw new UserError(
        `tracker confirmHits (${this.confirmHits}) exceeds windowFrames (${this.windowFrames})`,
      );
    }
    if (!(this.minIou > 0 && this.minIou <= 1)) throw new UserError('tracker minIou must be in (0, 1]');
  }

  update(detection: { ptsS: number; plumes: readonly Plume[] }): TrackerUpdate {
    const { ptsS, plumes } = detection;
    const matchOf = this.match(plumes);
    const result: TrackerUpdate = { confirmed: [], ended: [] };
    const kept: Track[] = [];
    this.tracks.forEach((track, t) => {
      const p = matchOf.get(t);
      if (p === undefined) {
        this.remember(track, false);
        track.misses++;
        if (track.misses >= this.maxMisses) {
          if (track.id !== null) result.ended.push(snapshot(track));
          return;
        }
      } else {
        this.see(track, plumes[p], ptsS);
      }
      kept.push(track);
    });
    const matched = new Set(matchOf.values());
    plumes.forEach((plume, p) => {
      if (matched.has(p)) return;
      const track: Track = {
        id: null,
        recent: [],
        misses: 0,
        firstSeenS: ptsS,
        lastSeenS: ptsS,
        hits: 0,
        last: plume,
        best: { ptsS, plume },
        wholeViews: [],
      };
      this.see(track, plume, ptsS);
      kept.push(track);
    });
    for (const track of kept) {
      const seenEnough = track.recent.filter(Boolean).length >= this.confirmHits;
      const seenWhole = track.wholeViews.length > 0;
      if (track.id === null && seenEnough && (seenWhole || !this.requireWholeView)) {
        track.id = this.nextId++;
        result.confirmed.push(snapshot(track));
      }
    }
    this.tracks = kept;
    return result;
  }

  /** Confirmed tracks still followed. */
  active(): PlumeTrack[] {
    return this.tracks.filter((track) => track.id !== null).map(snapshot);
  }

  /** Ends every track (the stream is over) and returns the confirmed ones. */
  finish(): PlumeTrack[] {
    const ended = this.active();
    this.tracks = [];
    return ended;
  }

  /** Track index → plume index, greedy by IoU over pairs at or above minIou. */
  private match(plumes: readonly Plume[]): Map<number, number> {
    const pairs: { iou: number; t: number; p: number }[] = [];
    this.tracks.forEach((track, t) => {
      plumes.forEach((plume, p) => {
        const iou = boxIou(track.last.box, plume.box);
        if (iou >= this.minIou) pairs.push({ iou, t, p });
      });
    });
    pairs.sort((a, b) => b.iou - a.iou);
    const matchOf = new Map<number, number>();
    const usedPlumes = new Set<number>();
    for (const { t, p } of pairs) {
      if (matchOf.has(t) || usedPlumes.has(p)) continue;
      matchOf.set(t, p);
      usedPlumes.add(p);
    }
    return matchOf;
  }

  private see(track: Track, plume: Plume, ptsS: number): void {
    this.remember(track, true);
    track.misses = 0;
    track.hits++;
    track.lastSeenS = ptsS;
    track.last = plume;
    const whole = this.isWholeView(plume, ptsS);
    // A whole view beats one cut by the frame's edge; then the higher peak score.
    const bestWhole = track.wholeViews.some((v) => v.ptsS === track.best.ptsS);
    const better = whole !== bestWhole ? whole : plume.peakScore > track.best.plume.peakScore;
    if (better) track.best = { ptsS, plume };
    if (whole && track.wholeViews.length < MAX_VIEWS) track.wholeViews.push({ ptsS, plume });
  }

  private remember(track: Track, seen: boolean): void {
    track.recent.push(seen);
    if (track.recent.length > this.windowFrames) track.recent.shift();
  }
}

function snapshot(track: Track): PlumeTrack {
  return {
    id: track.id as number,
    firstSeenS: track.firstSeenS,
    lastSeenS: track.lastSeenS,
    hits: track.hits,
    last: track.last,
    best: track.best,
    wholeViews: [...track.wholeViews],
  };
}
