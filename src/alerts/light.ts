/**
 * The part of alerts/'s public surface that loads no package, for a caller that needs it before it needs
 * the module (the CLI describing its flags): the default alert rules. index.ts exports the same.
 */
export { DEFAULT_ALERT_RULES } from './rules.js';
