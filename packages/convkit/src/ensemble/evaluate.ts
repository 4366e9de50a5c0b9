import { evaluateSplit, type Evaluation } from '../train/evaluate.js';
import { ensembleMemberDirs, isEnsembleDir, wilsonInterval } from './folder.js';
import { openMembers, type OpenedMembers, type SplitName } from './members.js';
import { withTta } from './tta.js';

export interface EnsembleEvaluation {
  runs: string[];
  split: SplitName;
  /** Where validation came from ('test' when the runs validated on the test set). */
  validation_kind?: string;
  count: number;
  accuracy: number;
  loss: number;
  /** 95 % Wilson interval of the accuracy. */
  interval: [number, number];
  tta: number;
  backend: string;
  engines: string[];
}

/** One split of opened members, averaged over `tta` transforms. */
export function scoreSplit(m: OpenedMembers, split: SplitName, tta: number): Promise<Evaluation> {
  return evaluateSplit(withTta(m.predict, m.shape, tta), m.splits[split], m.shape);
}

/** Run folders as given, an ensemble folder replaced by its members. */
export async function expandMembers(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) out.push(...((await isEnsembleDir(p)) ? await ensembleMemberDirs(p) : [p]));
  return out;
}

/**
 * `convkit evaluate RUN --tta N [--split …]`, `evaluate --ensemble RUN…` and `evaluate ENSEMBLE_DIR`: the runs'
 * averaged probabilities (one run: its own) over the image and `tta` transforms, on the runs' test set or on their
 * held-out validation split rebuilt from config.json.
 */
export async function evaluateEnsemble(paths: string[], opts: { tta?: number; split?: SplitName; backend?: string } = {}): Promise<EnsembleEvaluation> {
  const runs = await expandMembers(paths);
  const split = opts.split ?? 'test';
  const tta = opts.tta ?? 0;
  const m = await openMembers(runs, { backend: opts.backend, split });
  try {
    const ev = await scoreSplit(m, split, tta);
    const correct = Math.round(ev.accuracy * ev.count);
    return {
      runs, split, ...(split === 'validation' ? { validation_kind: m.splits.validationKind } : {}),
      count: ev.count, accuracy: ev.accuracy, loss: ev.loss, interval: wilsonInterval(correct, ev.count), tta, backend: m.backend, engines: m.engines,
    };
  } finally {
    m.dispose();
  }
}

/** The TTA choice of a recipe: validation with and without `tried` transforms; TTA is kept only if it is not lower. */
export async function chooseTta(m: OpenedMembers, tried: number): Promise<{ tta: number; noTta: Evaluation; withTta: Evaluation | null; chosen: Evaluation }> {
  const noTta = await scoreSplit(m, 'validation', 0);
  const withT = tried > 0 ? await scoreSplit(m, 'validation', tried) : null;
  const useTta = withT !== null && withT.accuracy >= noTta.accuracy;
  return { tta: useTta ? tried : 0, noTta, withTta: withT, chosen: useTta ? withT! : noTta };
}
