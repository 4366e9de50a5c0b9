import type { Command } from 'commander';
import type { AuditInput } from '../audit/audit.js';
import { AUDIT_OPTIONS } from '../audit/options.js';
import { ConvkitError } from '../util/errors.js';
import { attributeOf } from '../util/option-table.js';
import { addTableOptions } from './options.js';

/** `convkit audit DATA`: duplicates and leaks, label suspects, quality and classes of a dataset. */
export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('look for problems in a dataset: exact and near-duplicates (train/test leaks), label suspects, dark/low-contrast/blurred/tiny images, class imbalance')
    .argument('<data>', 'gtsrb:ROOT or a GTSRB folder, a prepared .h5 set, or another --data source (mnist, fashion-mnist, an IDX folder); `gtsrb ROOT` works too')
    .argument('[root]', 'the folder, after `gtsrb`');
  // Every audit setting: flag, help, parser and default from the one table the audit schema is built from.
  addTableOptions(audit, AUDIT_OPTIONS);
  audit.action(async (data: string, root: string | undefined, o) => {
    if (root !== undefined && data !== 'gtsrb') throw new ConvkitError(`unexpected argument "${root}" (only \`gtsrb ROOT\` takes two)`);
    const { runAudit } = await import('../audit/audit.js');
    const { report: r, files } = await runAudit(
      { data: root !== undefined ? `gtsrb:${root}` : data, ...Object.fromEntries(AUDIT_OPTIONS.map((opt) => [opt.key, o[attributeOf(opt)]])) } as AuditInput,
      (m) => process.stderr.write(m + '\n'),
    );
    const c = r.duplicate_search.counts;
    const t = r.duplicate_search.tracks;
    const q = r.quality;
    const flagged = (k: keyof typeof q & string) => (typeof q[k] === 'object' ? (q[k].skipped ? 'not checked' : String(q[k].images.length)) : '');
    const i = r.classes.imbalance;
    process.stdout.write(
      [
        `audit of ${r.data.source}: ${r.data.train} training, ${r.data.test} test images (${r.data.height}×${r.data.width}×${r.data.channels}, ${r.data.numClasses} classes)`,
        `duplicates (pHash ≤ ${r.duplicate_search.threshold} bits or same pixels): ${c.leak} train/test leaks, ${c.train} pairs within train, ${c.test} within test, ${c.exact} of them exact` +
          (t ? `; ${t.pairs} same-track pairs in ${t.tracks_with_pairs} of ${t.tracks} tracks (expected)` : ''),
        r.label_search ? `label suspects: ${r.label_suspects.length} (${r.label_search.folds} folds ${r.label_search.by_group ? 'by track' : 'by image'}, ${r.label_search.seconds.toFixed(0)} s)` : 'label suspects: not searched (--folds 0)',
        `quality: ${flagged('dark')} dark, ${flagged('low_contrast')} low-contrast, ${flagged('blurred')} blurred, ${flagged('tiny')} tiny`,
        `classes: ${i.largest.count} to ${i.smallest.count} training images per class (ratio ${i.ratio.toFixed(1)})${i.empty.length ? `, ${i.empty.length} empty` : ''}`,
        `${r.seconds.total.toFixed(1)} s` + (files.length ? `; wrote ${files.join(', ')}` : ''),
      ].join('\n') + '\n',
    );
  });
}
