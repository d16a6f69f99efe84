import { UserError } from '../errors.js';
import type { Site } from './types.js';

/** Where a feature came from, for messages: its file, its index in the file's features (0-based), its id. */
export interface FeatureRef {
  source: string;
  index: number;
  id: string | null;
}

/** How many problems one error lists before it says how many more there are. */
const MAX_LISTED = 10;

export function describeFeature(ref: FeatureRef): string {
  return `${ref.source}: feature ${ref.index}${ref.id === null ? '' : ` (id '${ref.id}')`}`;
}

/** A site as messages name it: its file, its feature index and its id. */
export function describeSite(site: Pick<Site, 'source' | 'featureIndex' | 'id'>): string {
  return describeFeature({ source: site.source, index: site.featureIndex, id: site.id });
}

interface Entry {
  ref: FeatureRef;
  line: string;
}

/**
 * Collects what is wrong with the features of several site files. Errors stop loading, all at once
 * in one UserError; warnings are kept for the registry.
 */
export class Problems {
  private readonly errors: Entry[] = [];
  private readonly warningEntries: Entry[] = [];

  /** `sources` in the order the user gave them, which orders the messages. */
  constructor(private readonly sources: string[]) {}

  error(ref: FeatureRef, problem: string): void {
    this.errors.push({ ref, line: `${describeFeature(ref)}: ${problem}` });
  }

  warn(ref: FeatureRef, problem: string): void {
    this.warningEntries.push({ ref, line: `${describeFeature(ref)}: ${problem}` });
  }

  get warnings(): string[] {
    return this.sorted(this.warningEntries);
  }

  throwIfErrors(): void {
    const lines = this.sorted(this.errors);
    if (lines.length === 0) return;
    if (lines.length === 1) throw new UserError(lines[0]);
    const listed = lines.slice(0, MAX_LISTED).map((l) => `  ${l}`);
    const more = lines.length - listed.length;
    if (more > 0) listed.push(`  ... and ${more} more`);
    throw new UserError(`${lines.length} problems in the site files:\n${listed.join('\n')}`);
  }

  private sorted(entries: Entry[]): string[] {
    const order = (e: Entry) => this.sources.indexOf(e.ref.source);
    return [...entries].sort((a, b) => order(a) - order(b) || a.ref.index - b.ref.index).map((e) => e.line);
  }
}
