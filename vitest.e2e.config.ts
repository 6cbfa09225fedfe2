// End-to-end configuration: Playwright drives the built web studio in Debian's Chromium, one file
// at a time (each starts its own `aptp studio --web`).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
