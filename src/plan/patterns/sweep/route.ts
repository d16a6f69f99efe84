import { distanceM, pathLengthM, type Vec2 } from '../../../geo/index.js';
import { type Leg, type Obstacle, routeAround } from '../obstacles.js';
import type { Swath } from './swaths.js';
import type { SweepFrame } from './sweep-frame.js';

/** A boustrophedon through some swaths, in the plane: the start and end of each swath in flying order. */
type Run = Vec2[];

function runOf(swaths: readonly Swath[], frame: SweepFrame, fromTop: boolean, firstForward: boolean): Run {
  const ordered = fromTop ? [...swaths].reverse() : swaths;
  return ordered.flatMap((s, i) => {
    const forward = (i % 2 === 0) === firstForward;
    const ends = [
      { x: s.fromXM, y: s.yM },
      { x: s.toXM, y: s.yM },
    ];
    return (forward ? ends : ends.reverse()).map((q) => frame.fromSweep(q));
  });
}

/** The four ways into a set of swaths: bottom or top first, either direction first. */
function runVariants(swaths: readonly Swath[], frame: SweepFrame): Run[] {
  return [false, true].flatMap((fromTop) =>
    [true, false].map((forward) => runOf(swaths, frame, fromTop, forward)),
  );
}

/**
 * The route through groups of swaths (one group per band): a single group is one boustrophedon,
 * several are ordered and linked; turns and links bend around obstacles. Null when boxed in.
 */
export function routeSwaths(
  groups: readonly Swath[][],
  frame: SweepFrame,
  obstacles: readonly Obstacle[],
): Vec2[] | null {
  const nonEmpty = groups.filter((g) => g.length > 0);
  if (nonEmpty.length === 0) return null;
  const runs =
    nonEmpty.length === 1
      ? [runOf(nonEmpty[0], frame, false, true)]
      : orderRuns(nonEmpty.map((g) => runVariants(g, frame)));
  const legs: Leg[] = [];
  for (const run of runs) legs.push(...run.map((to, i) => ({ to, fixed: i % 2 === 1 })));
  return routeAround(runs[0][0], legs.slice(1), obstacles);
}

/**
 * Order cells greedily by link length (each cell entered by its best variant), trying every start;
 * cells are few, so this is cheap and close to the best order.
 */
function orderRuns(variantsPerCell: readonly Run[][]): Run[] {
  const lengthsM = variantsPerCell.map((variants) => variants.map((run) => pathLengthM(run)));
  let best: Run[] = [];
  let bestM = Infinity;
  variantsPerCell.forEach((startVariants, startCell) => {
    startVariants.forEach((first, startVariant) => {
      const order = [first];
      let totalM = lengthsM[startCell][startVariant];
      const left = new Set(variantsPerCell.keys());
      left.delete(startCell);
      let at = first[first.length - 1];
      while (left.size > 0 && totalM < bestM) {
        let pick = { cell: -1, variant: -1, costM: Infinity };
        for (const cell of left) {
          variantsPerCell[cell].forEach((run, variant) => {
            const costM = distanceM(at, run[0]) + lengthsM[cell][variant];
            if (costM < pick.costM) pick = { cell, variant, costM };
          });
        }
        const run = variantsPerCell[pick.cell][pick.variant];
        left.delete(pick.cell);
        order.push(run);
        totalM += pick.costM;
        at = run[run.length - 1];
      }
      if (left.size === 0 && totalM < bestM) {
        bestM = totalM;
        best = order;
      }
    });
  });
  return best;
}
