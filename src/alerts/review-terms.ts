/**
 * The words of a review, loading no package (the CLI describes its flags with them): what a reviewer
 * decides about an alert and why. A confirmed alert is dust; a dismissed one says what it was instead.
 */
export const REVIEW_VERDICTS = ['confirmed', 'dismissed'] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];

/** Where an alert stands: its latest review's verdict, or pending while it has none. */
export const REVIEW_STATES = ['pending', 'confirmed', 'dismissed'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** Why an alert is dismissed: not dust, but this. */
export const DISMISS_REASONS = ['cloud', 'haze', 'soil', 'vehicle', 'other'] as const;
export type DismissReason = (typeof DISMISS_REASONS)[number];

/** The reason a confirmation carries. */
export const CONFIRM_REASON = 'dust';
export type ReviewReason = typeof CONFIRM_REASON | DismissReason;

/** The longest note a review keeps, characters. */
export const REVIEW_NOTE_MAX_CHARS = 2000;
/** The longest reviewer name, characters. */
export const REVIEWER_NAME_MAX_CHARS = 100;
