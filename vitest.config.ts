import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/temp-dir.setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Tests fly the simulator over real sockets; two cores do not like more than two at once.
    maxWorkers: 2,
  },
});
