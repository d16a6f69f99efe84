import { loadSigningKey } from '../mavlink/index.js';

/** The key of `--signing-key FILE` (undefined without one); warns on stderr when others may read it. */
export function readSigningKeyFlag(file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  const { key, warning } = loadSigningKey(file);
  if (warning) process.stderr.write(`warning: ${warning}\n`);
  return key;
}
