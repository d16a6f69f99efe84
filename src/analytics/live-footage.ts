import path from 'node:path';
import type { AlertService, FootageView } from '../alerts/index.js';
import type { CameraModel, PoseResult } from '../geotag/index.js';
import type { Frame } from '../video/index.js';
import { FootageSampler } from './footage-sampler.js';

/** Views are written in batches of this many: about ten seconds of flight. */
const WRITE_EVERY_VIEWS = 10;
/**
 * Views kept while the store cannot take them: two hours of a view a second (under 3 MB). Past that
 * the oldest go; replaying the flight indexes its recordings again.
 */
const HELD_VIEWS = 7200;

export interface LiveFootageOptions {
  flightId: string;
  alerts: AlertService;
  camera: CameraModel;
  poseAt(timeUs: number): PoseResult;
  frameIntervalS: number;
  onEvent?: (level: 'info' | 'warning', text: string) => void;
  /** Writing the views failed for another reason than the store's state (a bug): those views are dropped. */
  onFault: (what: string, err: unknown) => void;
}

/**
 * The footage index of a live flight: views of the recorded frames, written to the store in batches as
 * the flight goes, held in memory while the store cannot take them (AlertService.addFootage).
 */
export class LiveFootage {
  private readonly sampler: FootageSampler;
  private readonly pending: { path: string; view: FootageView }[] = [];
  private droppedViews = 0;

  constructor(private readonly opts: LiveFootageOptions) {
    this.sampler = new FootageSampler({
      camera: opts.camera,
      poseAt: opts.poseAt,
      frameIntervalS: opts.frameIntervalS,
      onView: (file, view) => this.pending.push({ path: file, view }),
    });
  }

  /** An analysed frame, taken at `timeUs` on the vehicle's clock; only recorded frames are footage. */
  frame(frame: Frame, timeUs: number): void {
    if (frame.recorded) this.sampler.frame(path.resolve(frame.recorded.file), frame.recorded.ptsS, timeUs);
    else this.sampler.end();
    if (this.pending.length >= WRITE_EVERY_VIEWS) this.flush();
  }

  /** The stream ended (it is opened again into a new recording, or the analysis stops): its last view is written. */
  end(): void {
    this.sampler.end();
    this.flush();
  }

  private flush(): void {
    while (this.pending.length > 0) {
      const file = this.pending[0].path;
      let n = 0;
      while (n < this.pending.length && this.pending[n].path === file) n++;
      const views = this.pending.slice(0, n).map((p) => p.view);
      try {
        if (!this.opts.alerts.addFootage({ flightId: this.opts.flightId, path: file }, views)) {
          this.hold();
          return;
        }
      } catch (err) {
        this.opts.onFault(`indexing the footage of ${file}`, err);
      }
      this.pending.splice(0, n);
    }
  }

  /** The store cannot take the views now: they wait, the oldest dropped past HELD_VIEWS (said once). */
  private hold(): void {
    const over = this.pending.length - HELD_VIEWS;
    if (over <= 0) return;
    this.pending.splice(0, over);
    if (this.droppedViews === 0) {
      this.opts.onEvent?.(
        'warning',
        `footage index: more than ${HELD_VIEWS} views held while the store is unavailable; the oldest are dropped (replay the flight to index them)`,
      );
    }
    this.droppedViews += over;
  }
}
