import { z } from 'zod';
import { FEATURE_KINDS, PATTERN_KINDS } from './kinds.js';
import type { FeatureKind, PatternKind } from './types.js';

/** Zod's issue message for a property: missing, or what it must be. */
const expecting = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is missing' : `must be ${what}`;

const requiredText = z
  .string({ error: expecting('text') })
  .refine((s) => s.trim() !== '', 'must not be empty');
const optionalText = z.string({ error: expecting('text or null') }).nullish();

const siteSchema = z.object({
  name: requiredText,
  contractor: optionalText,
  address: optionalText,
  risk: optionalText,
  pattern: z
    .enum(PATTERN_KINDS as [PatternKind, ...PatternKind[]], { error: expecting(oneOf(PATTERN_KINDS)) })
    .nullish(),
});

const noFlySchema = z.object({ name: requiredText });

const launchSchema = z.object({
  altAmslM: z.number({ error: expecting('a number of metres or null') }).nullish(),
});

function oneOf(values: readonly string[]): string {
  return `one of ${values.join(', ')}`;
}

/** The feature's kind from its `kind` property (absent or null: a site), or the problem with it. */
export function readKind(properties: Record<string, unknown>): { kind: FeatureKind } | { problem: string } {
  const kind = properties.kind ?? 'site';
  if (typeof kind === 'string' && (FEATURE_KINDS as readonly string[]).includes(kind)) {
    return { kind: kind as FeatureKind };
  }
  return { problem: `unknown kind ${JSON.stringify(kind)} (expected ${oneOf(FEATURE_KINDS)})` };
}

/**
 * The feature's id: `properties.id`, else the GeoJSON `id` member (KML: the Placemark's id). Text or
 * a whole number (read as its decimal text); anything else is a problem.
 */
export function readId(
  properties: Record<string, unknown>,
  memberId: unknown,
): { id: string | null; problem?: string } {
  const raw = properties.id ?? memberId;
  if (raw === undefined || raw === null) return { id: null };
  if (typeof raw === 'string' && raw.trim() !== '') return { id: raw };
  if (typeof raw === 'number' && Number.isInteger(raw)) return { id: String(raw) };
  return { id: null, problem: `id ${JSON.stringify(raw)} must be non-empty text or a whole number` };
}

type Parsed<T> = { ok: true; fields: T } | { ok: false; problems: string[] };

function parseWith<T>(schema: z.ZodType<T>, properties: Record<string, unknown>): Parsed<T> {
  const result = schema.safeParse(properties);
  if (result.success) return { ok: true, fields: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const value = properties[key];
      return `property '${key}' ${issue.message}${value === undefined ? '' : `, got ${JSON.stringify(value)}`}`;
    }),
  };
}

export const parseSiteFields = (p: Record<string, unknown>) => parseWith(siteSchema, p);
export const parseNoFlyFields = (p: Record<string, unknown>) => parseWith(noFlySchema, p);
export const parseLaunchFields = (p: Record<string, unknown>) => parseWith(launchSchema, p);
