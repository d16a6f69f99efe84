/**
 * The first place where rings meet that they should not, by a Shamos–Hoey sweep (turf's kinks, which
 * checks every pair of edges, ran out of memory on a 6 001-point self-crossing site outline). It makes
 * O(n log n) comparisons for n edges; its order of the edges under the sweep is a sorted array, so each
 * insert and removal also moves the k edges spanning the sweep at that point (a few for an outline; a
 * serpentine of long stacked edges, all spanning it at once, is the bench's worst case). Edges of one
 * ring may meet only where they follow each other, at their shared point; any other contact is
 * reported: crossings, touches, collinear overlaps (a spike that doubles back), and any contact between
 * different rings.
 *
 * Rings are lists of [x, y] (longitude, latitude work as they are); consecutive repeated points are
 * ignored. The closing point may repeat the first or not.
 */

/**
 * Two edges that meet, by ring index and edge index (edge k runs from point k to the next), where, and
 * how: crossing each other, touching at a point, or overlapping along one line.
 */
export interface RingContact {
  kind: 'crossing' | 'touch' | 'overlap';
  ringA: number;
  edgeA: number;
  ringB: number;
  edgeB: number;
  at: [number, number];
}

interface Edge {
  /** Left end (smaller x, then smaller y) and right end. */
  ax: number;
  ay: number;
  bx: number;
  by: number;
  ring: number;
  /** Index among its ring's edges, and how many edges the ring has (to tell neighbours across the closing point). */
  index: number;
  ringEdges: number;
  /** A tie-breaker that keeps the sweep's order total. */
  id: number;
}

export function firstRingContact(rings: readonly (readonly (readonly number[])[])[]): RingContact | null {
  const edges = edgesOf(rings);
  // Each edge enters the sweep at its left end (event 2i) and leaves at its right end (2i + 1); at one
  // point, entries first, so that an edge leaving and one entering there are compared.
  const eventX = new Float64Array(edges.length * 2);
  const eventY = new Float64Array(edges.length * 2);
  edges.forEach((edge, i) => {
    eventX[2 * i] = edge.ax;
    eventY[2 * i] = edge.ay;
    eventX[2 * i + 1] = edge.bx;
    eventY[2 * i + 1] = edge.by;
  });
  const sorted = Uint32Array.from({ length: edges.length * 2 }, (_, e) => e).sort(
    (p, q) => eventX[p] - eventX[q] || eventY[p] - eventY[q] || (p & 1) - (q & 1),
  );

  const status: Edge[] = [];
  for (const event of sorted) {
    const edge = edges[event >> 1];
    const x = eventX[event];
    const y = eventY[event];
    if ((event & 1) === 0) {
      const at = insertionIndex(status, edge, x, y);
      status.splice(at, 0, edge);
      const contact = contactWith(edge, status[at - 1]) ?? contactWith(edge, status[at + 1]);
      if (contact) return contact;
    } else {
      const at = indexIn(status, edge, x, y);
      status.splice(at, 1);
      if (at > 0 && at < status.length) {
        const contact = contactWith(status[at - 1], status[at]);
        if (contact) return contact;
      }
    }
  }
  return null;
}

function edgesOf(rings: readonly (readonly (readonly number[])[])[]): Edge[] {
  const edges: Edge[] = [];
  rings.forEach((ring, r) => {
    const points = distinctRun(ring);
    const first = edges.length;
    for (let k = 0; k < points.length; k++) {
      const p = points[k];
      const q = points[(k + 1) % points.length];
      const pFirst = p[0] < q[0] || (p[0] === q[0] && p[1] < q[1]);
      const [a, b] = pFirst ? [p, q] : [q, p];
      edges.push({
        ax: a[0],
        ay: a[1],
        bx: b[0],
        by: b[1],
        ring: r,
        index: k,
        ringEdges: 0,
        id: edges.length,
      });
    }
    for (let e = first; e < edges.length; e++) edges[e].ringEdges = points.length;
  });
  return edges;
}

/** The ring's points without consecutive repeats and without the closing repeat of the first. */
function distinctRun(ring: readonly (readonly number[])[]): (readonly number[])[] {
  const points: (readonly number[])[] = [];
  for (const p of ring) {
    const last = points[points.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) points.push(p);
  }
  while (
    points.length > 1 &&
    points[0][0] === points[points.length - 1][0] &&
    points[0][1] === points[points.length - 1][1]
  ) {
    points.pop();
  }
  return points;
}

/** The edge's height where the sweep stands at (x, y); a vertical edge stands at y, kept within its ends. */
function heightAt(edge: Edge, x: number, y: number): number {
  if (edge.ax === edge.bx) return Math.min(Math.max(y, edge.ay), edge.by);
  if (x === edge.ax) return edge.ay;
  if (x === edge.bx) return edge.by;
  return edge.ay + ((edge.by - edge.ay) * (x - edge.ax)) / (edge.bx - edge.ax);
}

function slope(edge: Edge): number {
  return edge.ax === edge.bx ? Number.POSITIVE_INFINITY : (edge.by - edge.ay) / (edge.bx - edge.ax);
}

/** Bottom-to-top order of two edges at the sweep's point; where they meet, the steeper one is above. */
function compare(a: Edge, b: Edge, x: number, y: number): number {
  return heightAt(a, x, y) - heightAt(b, x, y) || slope(a) - slope(b) || a.id - b.id;
}

function insertionIndex(status: Edge[], edge: Edge, x: number, y: number): number {
  let lo = 0;
  let hi = status.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(status[mid], edge, x, y) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Where `edge` is in the sweep; the search lands on it unless rounding reordered ties, then a scan finds it. */
function indexIn(status: Edge[], edge: Edge, x: number, y: number): number {
  const guess = insertionIndex(status, edge, x, y);
  return status[guess] === edge ? guess : status.indexOf(edge);
}

/** Sign of the turn a → b → c: positive left, negative right, zero on one line. */
function turn(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
}

/** Whether c, on the line through a and b, lies within their box. */
function within(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  return Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);
}

/** Where two edges meet when they may not; null when they do not meet or are neighbours meeting at their shared point only. */
function contactWith(s: Edge, t: Edge | undefined): RingContact | null {
  if (t === undefined) return null;
  const at = meetingPoint(s, t);
  if (at === null) return null;
  const overlap = overlapsCollinear(s, t);
  if (neighbours(s, t) && !overlap) return null;
  const [a, b] = s.ring < t.ring || (s.ring === t.ring && s.index < t.index) ? [s, t] : [t, s];
  const kind = overlap ? 'overlap' : at.crossing ? 'crossing' : 'touch';
  return { kind, ringA: a.ring, edgeA: a.index, ringB: b.ring, edgeB: b.index, at: at.point };
}

function neighbours(s: Edge, t: Edge): boolean {
  if (s.ring !== t.ring) return false;
  const gap = Math.abs(s.index - t.index);
  return gap === 1 || gap === s.ringEdges - 1;
}

/** Two edges overlap when they lie on one line and share more than their common point. */
function overlapsCollinear(s: Edge, t: Edge): boolean {
  if (turn(s.ax, s.ay, s.bx, s.by, t.ax, t.ay) !== 0 || turn(s.ax, s.ay, s.bx, s.by, t.bx, t.by) !== 0) {
    return false;
  }
  // On one line, sorted by (x, y): they overlap when one starts before the other ends.
  const before = (px: number, py: number, qx: number, qy: number) => px < qx || (px === qx && py < qy);
  return before(s.ax, s.ay, t.bx, t.by) && before(t.ax, t.ay, s.bx, s.by);
}

/** A point both edges hold, or null: the crossing, the touching end, or the start of a collinear overlap. */
function meetingPoint(s: Edge, t: Edge): { point: [number, number]; crossing: boolean } | null {
  const d1 = turn(s.ax, s.ay, s.bx, s.by, t.ax, t.ay);
  const d2 = turn(s.ax, s.ay, s.bx, s.by, t.bx, t.by);
  const d3 = turn(t.ax, t.ay, t.bx, t.by, s.ax, s.ay);
  const d4 = turn(t.ax, t.ay, t.bx, t.by, s.bx, s.by);
  if (d1 * d2 < 0 && d3 * d4 < 0) {
    const ux = s.bx - s.ax;
    const uy = s.by - s.ay;
    const vx = t.bx - t.ax;
    const vy = t.by - t.ay;
    const along = ((t.ax - s.ax) * vy - (t.ay - s.ay) * vx) / (ux * vy - uy * vx);
    return { point: [s.ax + along * ux, s.ay + along * uy], crossing: true };
  }
  // Touching or collinear: the left-most shared end point.
  const shared: [number, number][] = [];
  if (d1 === 0 && within(s.ax, s.ay, s.bx, s.by, t.ax, t.ay)) shared.push([t.ax, t.ay]);
  if (d2 === 0 && within(s.ax, s.ay, s.bx, s.by, t.bx, t.by)) shared.push([t.bx, t.by]);
  if (d3 === 0 && within(t.ax, t.ay, t.bx, t.by, s.ax, s.ay)) shared.push([s.ax, s.ay]);
  if (d4 === 0 && within(t.ax, t.ay, t.bx, t.by, s.bx, s.by)) shared.push([s.bx, s.by]);
  if (shared.length === 0) return null;
  const point = shared.reduce((m, p) => (p[0] < m[0] || (p[0] === m[0] && p[1] < m[1]) ? p : m));
  return { point, crossing: false };
}
