// A test hook, outside the product: test/cli/serve-guard.test.ts loads it into the real `dustpatrol serve`
// with `node --import`; nothing in src/ or dist/ reads it. On SIGUSR2 it does what a bug in any part of
// the daemon would: throws from a timer, and rejects a promise nobody handles.
process.on('SIGUSR2', () => {
  setTimeout(() => {
    throw new Error('injected: a bug thrown from a timer');
  }, 0);
  Promise.reject(new Error('injected: a rejection nobody handled'));
});
