/** Connected components of a binary mask: labels 1..count per pixel, 0 for background. */
export interface Components {
  labels: Int32Array;
  count: number;
}

/**
 * 8-connected component labelling, two passes with union-find: the first gives each foreground pixel
 * a provisional label from its already-visited neighbours (W, NW, N, NE) and records which labels touch,
 * the second replaces each label by its set's compact number (in order of first appearance).
 */
export function labelComponents(mask: Uint8Array, widthPx: number, heightPx: number): Components {
  if (mask.length !== widthPx * heightPx) {
    throw new Error(`mask has ${mask.length} pixels, expected ${widthPx}×${heightPx}`);
  }
  const labels = new Int32Array(mask.length);
  // parent[l] for provisional label l (index 0 unused); grows one entry per new label.
  const parent: number[] = [0];
  const find = (label: number): number => {
    let root = label;
    while (parent[root] !== root) root = parent[root];
    while (parent[label] !== root) {
      const next = parent[label];
      parent[label] = root;
      label = next;
    }
    return root;
  };
  const union = (a: number, b: number): number => {
    const rootA = find(a);
    const rootB = find(b);
    if (rootA === rootB) return rootA;
    const [low, high] = rootA < rootB ? [rootA, rootB] : [rootB, rootA];
    parent[high] = low;
    return low;
  };
  const merge = (label: number, neighbour: number): number => {
    if (neighbour === 0) return label;
    return label === 0 ? neighbour : union(label, neighbour);
  };

  for (let y = 0; y < heightPx; y++) {
    const row = y * widthPx;
    for (let x = 0; x < widthPx; x++) {
      const i = row + x;
      if (mask[i] === 0) continue;
      let label = 0;
      if (x > 0) label = merge(label, labels[i - 1]);
      if (y > 0) {
        const above = i - widthPx;
        if (x > 0) label = merge(label, labels[above - 1]);
        label = merge(label, labels[above]);
        if (x + 1 < widthPx) label = merge(label, labels[above + 1]);
      }
      if (label === 0) {
        label = parent.length;
        parent.push(label);
      }
      labels[i] = label;
    }
  }

  const compact = new Int32Array(parent.length);
  let count = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === 0) continue;
    const root = find(label);
    if (compact[root] === 0) compact[root] = ++count;
    labels[i] = compact[root];
  }
  return { labels, count };
}
