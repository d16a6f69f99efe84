import { describe, expect, it } from 'vitest';
import { type Plume, PlumeTracker } from '../../src/detect/index.js';
import { UserError } from '../../src/errors.js';

function plume(x0: number, y0: number, sizePx = 40, peakScore = 0.9, cutByFrameEdge = false): Plume {
  const box = { x0, y0, x1: x0 + sizePx, y1: y0 + sizePx };
  const centre = { x: x0 + sizePx / 2, y: y0 + sizePx / 2 };
  return {
    box,
    areaPx: sizePx * sizePx,
    meanScore: 0.7,
    peakScore,
    sourcePx: centre,
    peakPx: centre,
    edgesPx: [],
    cutByFrameEdge,
  };
}

/** Feeds frames at 0.5 s spacing; returns every confirmation and ending, with frame times. */
function run(tracker: PlumeTracker, frames: Plume[][]) {
  const confirmed: { id: number; atS: number; firstSeenS: number }[] = [];
  const ended: { id: number; atS: number; lastSeenS: number; bestS: number }[] = [];
  frames.forEach((plumes, i) => {
    const ptsS = i * 0.5;
    const update = tracker.update({ ptsS, plumes });
    for (const t of update.confirmed) confirmed.push({ id: t.id, atS: ptsS, firstSeenS: t.firstSeenS });
    for (const t of update.ended)
      ended.push({ id: t.id, atS: ptsS, lastSeenS: t.lastSeenS, bestS: t.best.ptsS });
  });
  return { confirmed, ended };
}

describe('PlumeTracker', () => {
  it('raises nothing for one noisy frame, or for noise that never repeats in place', () => {
    const tracker = new PlumeTracker();
    const frames = [[], [plume(100, 100)], [], [], [], [plume(300, 50)], [], [plume(10, 200)], [], [], []];
    expect(run(tracker, frames)).toEqual({ confirmed: [], ended: [] });
    expect(tracker.finish()).toEqual([]);
  });

  it('confirms a plume seen in 3 of the last 5 frames, on the third sighting', () => {
    const tracker = new PlumeTracker();
    const frames = [[plume(100, 100)], [], [plume(104, 102)], [], [plume(108, 104)], [plume(110, 104)]];
    const { confirmed } = run(tracker, frames);
    expect(confirmed).toEqual([{ id: 1, atS: 2, firstSeenS: 0 }]);
  });

  it('does not confirm 3 sightings spread wider than the window', () => {
    const tracker = new PlumeTracker({ maxMisses: 10 });
    const p = plume(100, 100);
    expect(run(tracker, [[p], [], [], [p], [], [], [p]]).confirmed).toEqual([]);
  });

  it('honours k and n', () => {
    const tracker = new PlumeTracker({ confirmHits: 2, windowFrames: 2 });
    expect(run(tracker, [[plume(0, 0)], [plume(2, 0)]]).confirmed).toEqual([
      { id: 1, atS: 0.5, firstSeenS: 0 },
    ]);
  });

  it('keeps one id while the plume drifts and drops out briefly, ends it after m misses', () => {
    const tracker = new PlumeTracker();
    const frames: Plume[][] = [];
    for (let i = 0; i < 8; i++)
      frames.push(i === 4 ? [] : [plume(100 + 4 * i, 100, 40, i === 6 ? 0.99 : 0.9)]);
    frames.push([], [], [], []);
    const { confirmed, ended } = run(tracker, frames);
    expect(confirmed.map((c) => c.id)).toEqual([1]);
    expect(ended).toEqual([{ id: 1, atS: 5, lastSeenS: 3.5, bestS: 3 }]);
    expect(tracker.active()).toEqual([]);
  });

  it('gives separate plumes separate ids and follows each', () => {
    const tracker = new PlumeTracker();
    const frames: Plume[][] = [];
    for (let i = 0; i < 6; i++) frames.push([plume(300 - i, 200), plume(50 + i, 60)]);
    const { confirmed } = run(tracker, frames);
    expect(confirmed.map((c) => c.id)).toEqual([1, 2]);
    const active = tracker.active();
    expect(active.map((t) => t.hits)).toEqual([6, 6]);
    const byId = new Map(active.map((t) => [t.id, t.last.box.x0]));
    expect(new Set(byId.values())).toEqual(new Set([295, 55]));
    expect(tracker.finish().map((t) => t.id)).toEqual([1, 2]);
  });

  it('for geotagging, waits for a whole view of a plume and takes its evidence from one', () => {
    // The drone flies on: a plume comes in at the frame's edge, is seen whole, and leaves at the edge.
    const cutThenWhole = [0, 1, 2, 3, 4, 5].map((i) => [
      plume(100 + 4 * i, 100, 40, i < 4 ? 0.99 : 0.8, i < 4),
    ]);
    const geotagging = new PlumeTracker({ requireWholeView: true });
    const { confirmed } = run(geotagging, [...cutThenWhole, [], [], []]);
    expect(confirmed).toEqual([{ id: 1, atS: 2, firstSeenS: 0 }]);
    // The evidence is the best whole view, though edge views scored higher.
    const again = new PlumeTracker({ requireWholeView: true });
    run(again, cutThenWhole);
    expect(again.active()[0].best).toMatchObject({ ptsS: 2, plume: { cutByFrameEdge: false } });
    // Every whole view is kept for placing the plume on the ground.
    expect(again.active()[0].wholeViews.map((v) => v.ptsS)).toEqual([2, 2.5]);

    // Seen only at the edge (the model's false alarms gather there): never confirmed for geotagging,
    // while `detect` still reports it.
    const edgeOnly = [0, 1, 2, 3, 4].map(() => [plume(0, 100, 40, 0.95, true)]);
    expect(run(new PlumeTracker({ requireWholeView: true }), edgeOnly).confirmed).toEqual([]);
    expect(run(new PlumeTracker(), edgeOnly).confirmed.map((c) => c.id)).toEqual([1]);
  });

  it('refuses impossible settings with a clear error', () => {
    expect(() => new PlumeTracker({ confirmHits: 6, windowFrames: 5 })).toThrow(UserError);
    expect(() => new PlumeTracker({ confirmHits: 6, windowFrames: 5 })).toThrow(/confirmHits \(6\) exceeds/);
    expect(() => new PlumeTracker({ maxMisses: 0 })).toThrow(/maxMisses must be a whole number/);
    expect(() => new PlumeTracker({ minIou: 0 })).toThrow(/minIou/);
  });
});
