/**
 * The dependency rules of driftloop (docs/architecture.md), checked by `npm test`.
 * test/architecture/dependency-rules.test.ts proves each rule fails on a violating fixture.
 */
const ENGINES = '^src/(vectors|ml|jobs)/|^src/drift/stats/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles hide the direction of dependencies; features meet through ports and events instead.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-feature-imports-view',
      comment: 'Pages (src/views) may read any feature; no feature imports a page.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(views/|composition/|app\\.ts$|cli/)' },
      to: { path: '^src/views/' },
    },
    {
      name: 'no-repository-imports-service',
      comment: 'Repositories are data access: services call them, never the reverse.',
      severity: 'error',
      from: { path: '\\.repository\\.ts$' },
      to: { path: '\\.service\\.ts$' },
    },
    {
      name: 'no-foreign-repository',
      comment:
        "Each table belongs to one feature: another feature reads it through a port it declares, which the composition root binds to the owner's repository.",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: '^src/(composition|cli)/' },
      to: { path: '^src/([^/]+)/.*\\.repository\\.ts$', pathNot: '^src/$1/' },
    },
    {
      name: 'no-engine-imports-service',
      comment: 'Engines (HNSW, TensorFlow.js, the job runner, the statistics) know nothing of the domain services.',
      severity: 'error',
      from: { path: ENGINES },
      to: { path: '\\.service\\.ts$' },
    },
    {
      name: 'migrations-stand-alone',
      comment: 'Migrations are frozen in time: they never import application code.',
      severity: 'error',
      from: { path: '^src/db/migrations/' },
      to: { path: '^src/', pathNot: '^src/db/migrations/' },
    },
    {
      name: 'product-only',
      comment: 'src/ is the product: it never imports tests or scripts.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // Absolute, so the rule fixtures in test/architecture resolve the same way.
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
