import { checkpointLabel } from '../run/layout.js';
import { table } from '../util/term.js';
import { weakestOnValidation, type RunAnalysis } from './analysis-types.js';

const pct = (v: number) => `${(v * 100).toFixed(2)} %`;

/** `convkit report RUN` on a terminal: the figures, the weakest classes and the most frequent confusions. */
export function analysisText(a: RunAnalysis): string {
  const lines: string[] = [];
  const bva = a.history.best.val_accuracy;
  const bvl = a.history.best.val_loss;
  lines.push(a.ensemble ? `${a.run}: ${a.model} on ${a.data}; members: ${a.ensemble.members.map((m) => m.run).join(', ')}` : `${a.run}: ${a.model} on ${a.data}, ${checkpointLabel(a.checkpoint.name)} (epoch ${a.checkpoint.epoch})`);
  lines.push(`test: ${a.test.count} images, accuracy ${pct(a.test.accuracy)}, loss ${a.test.loss.toFixed(4)}, ${a.errors.count} errors`);
  if (bva || bvl) lines.push(`best: ${[bva ? `val_accuracy ${pct(bva.value)} at epoch ${bva.epoch}` : '', bvl ? `val_loss ${bvl.value.toFixed(4)} at epoch ${bvl.epoch}` : ''].filter(Boolean).join(', ')} (of ${a.history.epochs.length} epochs)`);
  const weakest = [...a.perClass].filter((r) => r.count).sort((x, y) => x.recall - y.recall || x.class - y.class).slice(0, 5);
  lines.push('', 'weakest classes:', table(['class', 'name', 'images', 'accuracy', 'precision'], weakest.map((r) => [r.class, r.name, r.count, pct(r.recall), pct(r.precision)]), ['r', 'l', 'r', 'r', 'r']));
  if (a.topConfusions.length) {
    lines.push('', 'most frequent confusions:', table(['true', 'predicted as', 'images'], a.topConfusions.slice(0, 5).map((p) => [`${p.true} ${a.classes[p.true]?.name ?? ''}`, `${p.predicted} ${a.classes[p.predicted]?.name ?? ''}`, p.count]), ['l', 'l', 'r']));
  }
  if (a.validation) {
    const v = a.validation;
    const name = (c: number) => `${c} ${a.classes[c]?.name ?? ''}`;
    lines.push('', 'weakest classes on validation:', table(['class', 'name', 'images', 'recall'], weakestOnValidation(v, 5).map((r) => [r.class, a.classes[r.class]?.name ?? '', r.count, pct(r.recall)]), ['r', 'l', 'r', 'r']));
    lines.push('', 'most frequent confusions on validation:');
    lines.push(v.confusions.length ? table(['true', 'predicted as', 'images'], v.confusions.slice(0, 5).map((p) => [name(p.true), name(p.predicted), p.count]), ['l', 'l', 'r']) : 'none: every validation image was classified right');
  }
  return lines.join('\n');
}
