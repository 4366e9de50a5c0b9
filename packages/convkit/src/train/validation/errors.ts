import type { ValClassRecall, ValConfusion } from '../../run/result.js';

/** How many (true → predicted) pairs result.json keeps. */
export const VAL_CONFUSIONS_KEPT = 10;

/**
 * Where the chosen weights err on the validation split, for result.json: each class's recall (null for a class with
 * no validation image) and the most frequent (true → predicted) pairs, most frequent first (ties: by true, then
 * predicted class). What `--sampling errors` and the report's "on validation" sections read.
 */
export function validationErrors(y: Int32Array, predicted: Int32Array, numClasses: number): { val_per_class: ValClassRecall[]; val_confusions: ValConfusion[] } {
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < y.length; i++) confusion[y[i]][predicted[i]]++;
  const val_per_class = confusion.map((row, c) => {
    const count = row.reduce((s, v) => s + v, 0);
    return { class: c, count, recall: count ? row[c] / count : null };
  });
  const pairs: ValConfusion[] = [];
  confusion.forEach((row, t) => row.forEach((count, p) => t !== p && count && pairs.push({ true: t, predicted: p, count })));
  pairs.sort((a, b) => b.count - a.count || a.true - b.true || a.predicted - b.predicted);
  return { val_per_class, val_confusions: pairs.slice(0, VAL_CONFUSIONS_KEPT) };
}
