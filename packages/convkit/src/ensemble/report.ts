import { readRunResultOrNull } from '../run/result.js';
import { analyseSplit } from '../report/analysis.js';
import { ANALYSIS_FORMAT, type RunAnalysis } from '../report/analysis-types.js';
import { classNamesFor } from '../report/class-names.js';
import { loadDataset } from '../datasets/index.js';
import { CONVKIT_VERSION } from '../version.js';
import { expandMembers } from './evaluate.js';
import { isEnsembleDir, readEnsembleResultOrNull } from './folder.js';
import { openMembers } from './members.js';
import { withTta } from './tta.js';

/**
 * `convkit report ENSEMBLE_DIR` / `report --ensemble RUN…`: the ensemble's test split through the report's analysis
 * (confusion matrix, per-class table, errors), as one RunAnalysis the report's views draw. An ensemble folder is
 * analysed with the TTA its result chose unless `tta` says otherwise. Not cached (members may be anywhere).
 */
export async function analyseEnsemble(paths: string[], opts: { tta?: number; backend?: string; errors?: number; topK?: number } = {}): Promise<RunAnalysis> {
  const folder = paths.length === 1 && (await isEnsembleDir(paths[0])) ? paths[0] : null;
  const tta = opts.tta ?? (folder ? ((await readEnsembleResultOrNull(folder))?.tta ?? 0) : 0);
  const runs = await expandMembers(paths);
  const m = await openMembers(runs, { backend: opts.backend });
  try {
    const first = m.configs[0];
    const dataset = await loadDataset(first.data, { seed: first.seed });
    const names = classNamesFor(m.shape.numClasses, first.data, dataset.classNames ?? first.dataset?.classNames);
    const a = await analyseSplit(withTta(m.predict, m.shape, tta), m.splits.test, m.shape, names, dataset.meta, { errors: opts.errors ?? 48, topK: opts.topK ?? 5 });
    const members = [];
    for (const [i, r] of runs.entries()) members.push({ run: r, model: m.configs[i].model, test_accuracy: (await readRunResultOrNull(r))?.test_accuracy });
    const models = [...new Set(members.map((x) => x.model))].join(', ');
    return {
      format: ANALYSIS_FORMAT,
      run: folder ?? `ensemble of ${runs.length}`,
      created: new Date().toISOString(),
      convkit_version: CONVKIT_VERSION,
      model: `ensemble of ${runs.length} (${models})${tta ? `, TTA ${tta}` : ''}`,
      data: first.data,
      backend: m.backend,
      input: { height: m.shape.height, width: m.shape.width, channels: m.shape.channels },
      checkpoint: { name: 'best', epoch: 0, batch: 0, key: '' },
      test: { count: a.ev.count, accuracy: a.ev.accuracy, loss: a.ev.loss },
      classes: a.classes,
      confusion: a.confusion,
      perClass: a.perClass,
      topConfusions: a.topConfusions,
      errors: a.errors,
      history: { epochs: [], best: {} },
      featureMaps: [],
      ensemble: { members, tta },
    };
  } finally {
    m.dispose();
  }
}
