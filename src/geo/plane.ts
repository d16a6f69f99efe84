/** A point in a local metric plane: x east, y north (or a rotation of those axes), metres. */
export interface Vec2 {
  x: number;
  y: number;
}

/** A closed ring listed without its closing repeat. */
export type Ring = Vec2[];

/** A polygon in a metric plane: outer ring counter-clockwise, holes clockwise. */
export interface PlanePolygon {
  outer: Ring;
  holes: Ring[];
}

export function distanceM(a: Vec2, b: Vec2): number {
  return Math.hypot(b.x - a.x, b.y - a.y);
}

export function pathLengthM(points: readonly Vec2[]): number {
  let lengthM = 0;
  for (let i = 1; i < points.length; i++) lengthM += distanceM(points[i - 1], points[i]);
  return lengthM;
}

export function closestPointOnSegment(p: Vec2, a: Vec2, b: Vec2): Vec2 {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSq = dx * dx + dy * dy;
  const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSq));
  return { x: a.x + t * dx, y: a.y + t * dy };
}

/** The point of any ring's boundary nearest to p. */
export function closestPointOnRings(p: Vec2, rings: readonly Ring[]): Vec2 {
  let best = p;
  let bestDistM = Number.POSITIVE_INFINITY;
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const q = closestPointOnSegment(p, ring[i], ring[(i + 1) % ring.length]);
      const dM = distanceM(p, q);
      if (dM < bestDistM) {
        bestDistM = dM;
        best = q;
      }
    }
  }
  return best;
}

/** Splits every segment longer than maxLegM into equal parts. */
export function densify(points: readonly Vec2[], maxLegM: number): Vec2[] {
  const out: Vec2[] = points.length > 0 ? [points[0]] : [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const parts = Math.max(1, Math.ceil(distanceM(a, b) / maxLegM));
    for (let k = 1; k <= parts; k++) {
      out.push({ x: a.x + ((b.x - a.x) * k) / parts, y: a.y + ((b.y - a.y) * k) / parts });
    }
  }
  return out;
}
