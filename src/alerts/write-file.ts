import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

/** Writes the file whole or not at all (a temporary beside it, then renamed), naming it on failure. */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new UserError(
      `${file}: cannot write: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}
