/** One benchmark row and the table every bench script prints. */
export interface BenchRow {
  benchmark: string;
  input: string;
  condition: string;
  /** Median over the rounds. */
  medianMs: number;
  /** medianMs over the baseline row's, measured in the same run (below 1: faster). */
  ratio: number;
  note: string;
}

export function formatBenchTable(rows: BenchRow[]): string {
  const header = ['benchmark', 'input', 'condition', 'median ms', 'x baseline', 'note'];
  const body = rows.map((r) => [
    r.benchmark,
    r.input,
    r.condition,
    r.medianMs.toFixed(0),
    r.ratio.toFixed(2),
    r.note,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
