/** An AbortSignal that fires on Ctrl-C / SIGTERM, for commands that run until done or stopped. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return controller.signal;
}

/**
 * Resolves when `signal` fires or, if given, after `durationS`, whichever is first. The other wait is
 * dropped: a duration's timer left pending would keep the process alive after Ctrl-C until it ran out.
 */
export function stopped(signal: AbortSignal, durationS?: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = durationS === undefined ? undefined : setTimeout(finish, durationS * 1000);
    signal.addEventListener('abort', finish, { once: true });
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    }
  });
}
