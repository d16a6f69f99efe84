/**
 * The part of plan/'s public surface that loads no package, for a caller that needs it before it needs the
 * module (the CLI describing its flags): the planner's default settings. index.ts exports the same.
 */
export { DEFAULT_PLAN_SETTINGS } from './settings.js';
