/**
 * A mistake the user can fix: a bad flag, file, URL or a vehicle that refuses.
 * The CLI prints its message as one line and exits non-zero, without a stack trace.
 */
export class UserError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** A protocol wait ran out of retries or time. */
export class TimeoutError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/** The operation was cancelled through its AbortSignal. */
export class CancelledError extends UserError {
  constructor(what: string) {
    super(`${what} cancelled`);
    this.name = 'CancelledError';
  }
}

/**
 * A read or write that failed for the machine's state (a full disk, a lock held by another process, an
 * I/O error), not for a bug: `code` is the system's or SQLite's (ENOSPC, SQLITE_FULL, SQLITE_BUSY…).
 */
export class IoError extends UserError {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.name = 'IoError';
    this.code = code;
  }
}

/** Why a read or write failed, in words, for the system and SQLite errors that are the machine's state, not a bug. */
const IO_FAILURES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder',
  EFBIG: 'file too large',
  SQLITE_FULL: 'no space left on the device (or the database is full)',
  SQLITE_IOERR: 'input/output error',
  SQLITE_READONLY: 'read-only (no write permission)',
  SQLITE_CANTOPEN: 'cannot open the file',
  SQLITE_BUSY: 'locked by another process',
  SQLITE_LOCKED: 'locked by another connection',
};

/**
 * The error as a UserError naming `file` when it is an I/O failure (a full disk, a read-only file
 * system, a missing folder…), so that the CLI says it in one line; undefined for anything else.
 */
export function ioFailure(file: string, action: string, err: unknown): IoError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  // SQLite's extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DIRECTORY…) share their base's meaning.
  const base = Object.keys(IO_FAILURES).find((k) => code === k || code.startsWith(`${k}_`));
  if (!base) return undefined;
  return new IoError(`${file}: cannot ${action}: ${IO_FAILURES[base]} (${code})`, code);
}
