import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Unit and integration suites (no Docker). The end-to-end suite has its own config: test/e2e/vitest.config.ts. */
export default defineConfig({
  // This file lives in test/ so the top level stays as the design lays it out; paths are from the root.
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // src/remote/*.sh → src/remote/generated-scripts.ts, so tests run the scripts as they are now.
    globalSetup: ['test/helpers/inline-remote-setup.ts'],
    exclude: ['test/e2e/**', '**/node_modules/**'],
    env: { NO_COLOR: '1' },
  },
});
