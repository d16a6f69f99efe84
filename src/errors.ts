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
