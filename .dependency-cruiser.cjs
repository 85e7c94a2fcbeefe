/**
 * Import rules for the packages' sources, checked in CI (`pnpm check:deps`). Type-only imports count
 * as edges: a cycle through types still ties the files' meanings together and keeps either from being
 * read, or moved, on its own.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A file must not reach itself through its imports: each package reads bottom-up, from the files ' +
        'that import nothing of their own to the entry.',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'core-contract-below-dispatcher',
      severity: 'error',
      comment:
        "Core's contract (request, result, job snapshot, option rules, their constants and schemas), the " +
        'errors and the HTTP client sit below the dispatcher and import nothing from it. The package entries ' +
        'are the exception: the main one exports the dispatcher (createRetouch and its types) to apps, the ' +
        "adapter kit its backoff rule, which an adapter's reconnects share.",
      from: {
        path: '^packages/core/src/',
        pathNot: [
          '^packages/core/src/dispatcher/',
          '^packages/core/src/index[.]ts$',
          '^packages/core/src/provider-utils[.]ts$',
        ],
      },
      to: { path: '^packages/core/src/dispatcher/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    // Workspace packages resolve to their sources, as the tests and the typecheck see them.
    enhancedResolveOptions: {
      conditionNames: ['@retouch/source', 'import', 'types', 'default'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
