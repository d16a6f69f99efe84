import { UserError } from '../errors.js';
import { alertCode } from './code.js';
import {
  CONFIRM_REASON,
  DISMISS_REASONS,
  REVIEW_NOTE_MAX_CHARS,
  REVIEW_VERDICTS,
  REVIEWER_NAME_MAX_CHARS,
  type ReviewReason,
  type ReviewVerdict,
} from './review-terms.js';
import type { AlertStore } from './store.js';
import type { Alert, Review, ReviewInput } from './types.js';

/** Who reviews: a name, and where the review comes from. */
export type Reviewer = Pick<Review, 'reviewer' | 'role' | 'via'>;

/** What recording a review did: the review as stored, the alert with it, and the review it supersedes. */
export interface ReviewResult {
  review: Review;
  alert: Alert;
  superseded: Review | null;
}

/** Control characters but tab and newline: a note is printed in terminals and pages. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const NOTE_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** Any control character: a name is one line. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const NAME_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A review from its parts (the CLI's flags, a request's fields), checked: a confirmation is dust; a
 * dismissal says what it was instead (cloud, haze, soil, vehicle, other). `where` names the source of
 * each part in the error (`body.` for a request, `--` for flags).
 */
export function reviewInputOf(
  parts: { verdict: unknown; reason?: unknown; note?: unknown },
  where: (field: 'verdict' | 'reason' | 'note') => string = (f) => f,
): ReviewInput {
  const { verdict, reason, note = '' } = parts;
  if (verdict === undefined)
    throw new UserError(`${where('verdict')}: missing (${REVIEW_VERDICTS.join(' or ')})`);
  if (!(REVIEW_VERDICTS as readonly unknown[]).includes(verdict)) {
    throw new UserError(`${where('verdict')}: ${shown(verdict)} is not ${REVIEW_VERDICTS.join(' or ')}`);
  }
  let why: ReviewReason;
  if (verdict === 'confirmed') {
    if (reason !== undefined && reason !== CONFIRM_REASON) {
      throw new UserError(`${where('reason')}: a confirmed alert is ${CONFIRM_REASON}, not ${shown(reason)}`);
    }
    why = CONFIRM_REASON;
  } else {
    const choices = DISMISS_REASONS.join(', ');
    if (reason === undefined)
      throw new UserError(`${where('reason')}: missing: why is it not dust (${choices})?`);
    if (!(DISMISS_REASONS as readonly unknown[]).includes(reason)) {
      throw new UserError(`${where('reason')}: ${shown(reason)} is not a reason to dismiss (${choices})`);
    }
    why = reason as ReviewReason;
  }
  if (typeof note !== 'string') throw new UserError(`${where('note')}: expected text, not ${typeof note}`);
  if (note.length > REVIEW_NOTE_MAX_CHARS) {
    throw new UserError(`${where('note')}: ${note.length} characters, at most ${REVIEW_NOTE_MAX_CHARS}`);
  }
  if (NOTE_CONTROL.test(note)) throw new UserError(`${where('note')}: control characters are not allowed`);
  return { verdict: verdict as ReviewVerdict, reason: why, note: note.trim() };
}

/** A request body `{"verdict": …, "reason": …, "note": …}`, checked; nothing else in it. */
export function reviewInputOfBody(body: unknown): ReviewInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new UserError(
      'body: expected a JSON object {"verdict": "confirmed" | "dismissed", "reason", "note"}',
    );
  }
  const extra = Object.keys(body).filter((k) => !['verdict', 'reason', 'note'].includes(k));
  if (extra.length > 0) throw new UserError(`body: unknown field ${shown(extra[0])}`);
  const { verdict, reason, note } = body as Record<string, unknown>;
  return reviewInputOf({ verdict, reason, note }, (field) => `body.${field}`);
}

/** A reviewer's name: 1 to REVIEWER_NAME_MAX_CHARS printable characters. */
export function checkReviewerName(name: string, where: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > REVIEWER_NAME_MAX_CHARS || NAME_CONTROL.test(trimmed)) {
    throw new UserError(`${where}: a name of 1 to ${REVIEWER_NAME_MAX_CHARS} printable characters`);
  }
  return trimmed;
}

/**
 * Adds a review to the alert's audit log in one transaction and returns it with the alert as it now
 * stands; a UserError when there is no such alert. Nothing stored is changed: a later review supersedes.
 */
export function recordReview(
  store: AlertStore,
  alertId: number,
  input: ReviewInput,
  by: Reviewer,
  nowUs: number,
): ReviewResult {
  return store.transaction(() => {
    const before = store.getAlert(alertId);
    if (!before) throw new UserError(`${alertCode(alertId)}: no such alert in ${store.file}`);
    const reviewer = checkReviewerName(by.reviewer, 'reviewer');
    const review = store.insertReview(alertId, input, { ...by, reviewer }, nowUs);
    const alert = store.getAlert(alertId) as Alert;
    return { review, alert, superseded: before.review };
  });
}

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 32)) : typeof value;
}
