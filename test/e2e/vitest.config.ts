import { defineConfig } from 'vitest/config';

/** End-to-end suite: real sandbox servers on the local Docker engine. One file at a time (each uses at most two servers). */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/e2e/**/*.test.ts'],
    // src/remote/*.sh → src/remote/generated-scripts.ts, so tests run the scripts as they are now.
    globalSetup: ['test/helpers/inline-remote-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
    env: { NO_COLOR: '1' },
  },
});
