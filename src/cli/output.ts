/** Small helpers for what a person reads: one status line that rewrites itself on a TTY, and tables. */

const isTty = (stream: NodeJS.WriteStream) => Boolean(stream.isTTY);

/** C0 and C1 control characters and DEL; with `keepNewlines`, all but the newline. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/**
 * Text that may hold a file's content (a name, a bad value), safe to print: each control character
 * becomes a visible \xNN, so a file cannot recolour the terminal, move its cursor or add a line.
 */
export function printable(text: string, keepNewlines = false): string {
  return text.replace(
    keepNewlines ? CONTROL_BUT_NEWLINE : CONTROL,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/**
 * A line that updates in place on a terminal. Off a terminal (CI, pipes) it prints only when the
 * text's `key` changes, so logs get milestones rather than thousands of carriage returns.
 */
export class LiveLine {
  private lastKey = '';
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(text: string, key: string = text): void {
    if (isTty(this.stream)) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.shown = true;
    } else if (key !== this.lastKey) {
      this.stream.write(`${text}\n`);
    }
    this.lastKey = key;
  }

  /** Ends the live line so ordinary output can follow. */
  done(): void {
    if (this.shown && isTty(this.stream)) this.stream.write('\n');
    this.shown = false;
  }
}

/** A text progress bar: `[#########...........] 45/100`. */
export function progressBar(done: number, total: number, width = 20): string {
  const filled = total > 0 ? Math.round((done / total) * width) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
}

/** Left-aligned columns with a header row, for short tables. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
