import { defineConfig } from 'vitest/config';

/**
 * `npm run test:fast`: the domain unit tests and the use-case tests on the in-memory store, with no global setup,
 * so they need no Java, no DynamoDB Local and no ports. `npm test` (vitest.config.ts) runs these and everything else.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/usecases/**/*.test.ts', 'test/contract/**/*.test.ts'],
    pool: 'threads',
    // The files share nothing that one could spoil for another (no globals, no environment): reusing loaded modules
    // across files halves the run.
    isolate: false,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' },
    testTimeout: 30_000,
  },
});
