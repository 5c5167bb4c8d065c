import { defineConfig } from 'vitest/config';

/**
 * The suites that store through the repositories: they run a second time on PostgreSQL
 * when a server is given (`.ci/run` starts one). Pure math, ML and index suites run once;
 * `*.postgres.test.ts` suites run on PostgreSQL only.
 */
const POSTGRES_SUITES = [
  'test/**/*.postgres.test.ts',
  'test/api/**/*.test.ts',
  'test/auth/**/*.test.ts',
  'test/client/busy-retry.test.ts',
  'test/drift/coverage-after-promotion.test.ts',
  'test/drift/drift-api.test.ts',
  'test/drift/drift-report.test.ts',
  'test/drift/drift-webhooks.test.ts',
  'test/drift/window-pages.test.ts',
  'test/drift/performance/performance-api.test.ts',
  'test/durability/**/*.test.ts',
  'test/examples/scored-eval-version.test.ts',
  'test/health/health-api.test.ts',
  'test/health/health-incremental.test.ts',
  'test/health/health-report.test.ts',
  'test/jobs/**/*.test.ts',
  'test/models/**/*.test.ts',
  'test/predictions/**/*.test.ts',
  'test/queue/enqueue.test.ts',
  'test/queue/integration.test.ts',
  'test/queue/label-page-busy.test.ts',
  'test/queue/labels.test.ts',
  'test/queue/lease-races.test.ts',
  'test/queue/leases.test.ts',
  'test/queue/selection.test.ts',
  'test/queue/stats.test.ts',
  'test/scoring/scoring.e2e.test.ts',
  'test/security/fuzz.test.ts',
  'test/security/open-mode-pages.test.ts',
  'test/security/page-fuzz.test.ts',
  'test/security/memory-bounds.test.ts',
  'test/security/racing-bodies.test.ts',
  'test/training/*.test.ts',
  'test/webhooks/delivery-claims.test.ts',
];

const postgres = process.env.DRIFTLOOP_TEST_DATABASE_URL;
if (process.env.CI && !postgres) {
  throw new Error('CI runs the suite on PostgreSQL as well: DRIFTLOOP_TEST_DATABASE_URL must name a server (.ci/run starts one)');
}

export default defineConfig({
  test: {
    pool: 'forks',
    // A hang detector, not a speed check: a 2-core machine shared by several test runs is slow.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: true,
    maxWorkers: 2,
    // Each worker process runs its files one after another with one module cache: a file imports
    // TensorFlow.js, hnswlib, kysely and hono once per worker instead of once per file (on this
    // 2-core machine the SQLite project took 486 s instead of about 720 s). Files share no state
    // but what modules keep: statement templates (per dialect, see compiledOnce) and loaded
    // backends; every server, database and browser a file opens it closes. Projects (sqlite,
    // postgres) never share a worker.
    isolate: false,
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'], exclude: ['test/**/*.postgres.test.ts'] } },
      ...(postgres
        ? [
            {
              extends: true as const,
              // Round trips to a server: suites that start several services need longer on a loaded machine.
              test: { name: 'postgres', include: POSTGRES_SUITES, env: { DRIFTLOOP_TEST_DIALECT: 'postgres' }, globalSetup: ['test/support/test-databases.global.ts'], testTimeout: 300_000, hookTimeout: 300_000 },
            },
          ]
        : []),
    ],
  },
});
