import fs from 'node:fs';
import path from 'node:path';
import { ioFailure, UserError } from '../errors.js';

/** Symbolic links followed before giving up, as the kernel's own limit (ELOOP). */
const MAX_LINK_HOPS = 40;

/**
 * Writes the file whole or not at all (a temporary beside it, then renamed), naming it on failure.
 * A symbolic link is written through (its target is replaced, the link stays); see outputTarget.
 */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const target = outputTarget(file);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw (
      ioFailure(file, 'write', err) ??
      new UserError(`${file}: cannot write: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    );
  }
}

/**
 * Where writing `file` goes: the file itself, or the end of its chain of symbolic links. Refuses a FIFO,
 * a device, a socket or a folder (a rename would put a regular file in its place) and a missing parent
 * folder (created by no one but the user), each in one line.
 */
export function outputTarget(file: string): string {
  let target = file;
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    let stats: fs.Stats;
    try {
      stats = fs.lstatSync(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioFailure(file, 'write', err) ?? err;
      checkFolder(file, path.dirname(target));
      return target;
    }
    if (stats.isSymbolicLink()) {
      target = path.resolve(path.dirname(target), fs.readlinkSync(target));
      continue;
    }
    if (!stats.isFile()) {
      throw new UserError(`${file}: is ${kindOf(stats)}, not a regular file; give a file to write to`);
    }
    return target;
  }
  throw new UserError(`${file}: too many symbolic links`);
}

function checkFolder(file: string, folder: string): void {
  const stats = fs.statSync(folder, { throwIfNoEntry: false });
  if (!stats) throw new UserError(`${file}: folder ${folder} does not exist; create it first`);
  if (!stats.isDirectory()) throw new UserError(`${file}: ${folder} is not a folder`);
}

function kindOf(stats: fs.Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}
