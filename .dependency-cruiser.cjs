// The layering of packages/convkit/src, checked by `make test` (dependency-cruiser): a module may import from its own
// folder and from folders earlier in LAYERS, never from a later one, and no import cycle anywhere.
// `image` (pure transforms on decoded images) sits below `datasets` so readers can resize on load (gtsrb:ROOT).
// `run` is the run folder's format, read by train, batch, report and web.
// `inference` (issue 21: a trained model as an inference graph, the native predictor, the ONNX export) reads run folders and
// models and serves train (evaluate), report and web.
// `export` (issue 21: the trained network written as ONNX) reads the inference graph, run folders and models; the CLI calls it.
// `audit` (issue 23: duplicates, label suspects, quality of a dataset) trains fold models (train), writes its page with
// report's self-contained HTML and views (report), and the dashboard links its outputs (web): between report and web.
// `ensemble` (issue 22: TTA, ensembles of runs, the recipe's members as parallel processes) starts member runs like
// batch's local pool and reports through report's analysis: between report and audit.
const LAYERS = ['util', 'image', 'datasets', 'prepare', 'models', 'run', 'inference', 'export', 'train', 'batch', 'report', 'ensemble', 'audit', 'web', 'cli'];
const SRC = '^packages/convkit/src/';

const upstreamRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `${layer}-imports-downstream`,
  comment: `${layer}/ may import only from ${LAYERS.slice(0, i).join(', ') || 'nothing but itself'} (and version.ts)`,
  severity: 'error',
  from: { path: `${SRC}${layer}/` },
  to: { path: `${SRC}(${LAYERS.slice(i + 1).join('|')})/|${SRC}index\\.ts$` },
}));

module.exports = {
  forbidden: [
    ...upstreamRules,
    {
      name: 'version-is-a-leaf',
      comment: 'version.ts imports nothing of the project',
      severity: 'error',
      from: { path: `${SRC}version\\.ts$` },
      to: { path: SRC },
    },
    {
      name: 'no-circular',
      comment: 'no import cycle (type-only imports included)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing is a typo or a missing dependency',
      severity: 'error',
      from: { path: SRC },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    includeOnly: SRC,
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
  },
};
