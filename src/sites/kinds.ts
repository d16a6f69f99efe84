import type { FeatureKind, PatternKind } from './types.js';

/** The values a feature's `kind` and a site's `pattern` may take. */
export const FEATURE_KINDS: readonly FeatureKind[] = ['site', 'no-fly', 'operating-area', 'launch'];
export const PATTERN_KINDS: readonly PatternKind[] = ['perimeter', 'coverage', 'point'];
