/**
 * The part of alerts/'s public surface that loads no package, for a caller that needs it before it needs
 * the module (the CLI describing its flags): the default alert rules and the words of a review.
 * index.ts exports the same.
 */
export {
  CONFIRM_REASON,
  DISMISS_REASONS,
  type DismissReason,
  REVIEW_NOTE_MAX_CHARS,
  REVIEW_STATES,
  REVIEWER_NAME_MAX_CHARS,
  type ReviewState,
} from './review-terms.js';
export { DEFAULT_ALERT_RULES } from './rules.js';
