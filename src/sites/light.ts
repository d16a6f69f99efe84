/**
 * The part of sites/'s public surface that loads no package, for a caller that needs it before it needs the
 * module (the CLI describing its flags): the patterns a site may ask for. index.ts exports the same.
 */
export { PATTERN_KINDS } from './kinds.js';
