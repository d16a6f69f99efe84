/** An AbortSignal that fires on Ctrl-C / SIGTERM, for commands that run until done or stopped. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  return controller.signal;
}
