/** The same fault is logged at most once per this long; the repeats in between are counted. */
const REPEAT_LOG_MS = 60_000;

/**
 * The daemon's last line of defence (`serve`, `patrol`): an exception nobody caught or a promise
 * rejection nobody handled is reported — one line, and its stack for the log — and the process goes
 * on, so the vehicles it follows are still followed and commanded (each vehicle also has its own
 * failsafes; a dead ground station helps none of them). The parts guard themselves first (the link's
 * subscribers, the session's listeners, the analytics loop, the store's writes, the server's handlers):
 * what reaches this is a bug, and the log says where. A fault that repeats is logged once a minute with
 * its count. Returns the function that removes the guard.
 */
export function guardProcess(report: (line: string, stack: string) => void): () => void {
  const seen = new Map<string, { loggedAtMs: number; repeats: number }>();
  const handle = (kind: string) => (err: unknown) => {
    const line = `${kind}: ${describe(err)} (dustpatrol goes on)`;
    const nowMs = performance.now();
    const last = seen.get(line);
    if (last && nowMs - last.loggedAtMs < REPEAT_LOG_MS) {
      last.repeats++;
      return;
    }
    const repeats = last?.repeats ?? 0;
    seen.set(line, { loggedAtMs: nowMs, repeats: 0 });
    const stack = err instanceof Error && err.stack ? err.stack : String(err);
    try {
      report(repeats > 0 ? `${line} (${repeats} more since it was last logged)` : line, stack);
    } catch {
      // Nowhere left to say it; the process still goes on.
    }
  };
  const onException = handle('uncaught exception');
  const onRejection = handle('unhandled promise rejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`;
  return String(err);
}
