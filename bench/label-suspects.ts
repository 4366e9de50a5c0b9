// Which folds find misfiled images better: by image or by GTSRB track? A copy of a GTSRB training set gets `--plant`
// images filed under another class (test-support/gtsrb-misfiled.ts), then confident learning (src/audit/label-suspects.ts)
// runs with folds by image and folds by track, same seeds, and the planted images' ranks among the suspects are counted.
//   node --import tsx bench/label-suspects.ts ROOT [--tracks-per-class N] [--plant N] [--whole-tracks] [--folds K] [--epochs E]
//        [--model NAME] [--seeds 1,2] [--modes image,track] [--json OUT.json]
// --whole-tracks misfiles whole tracks (all ~30 frames of --plant signs) instead of single images.
// ROOT holds GTSRB/Final_Training/Images (the official training set). Prints one line per seed and mode, and the
// figures as JSON (to --json too).
import { promises as fs } from 'node:fs';
import { parseArgs } from 'node:util';
import { copyWithMisfiled, loadTrainingImages } from '../packages/convkit/test-support/gtsrb-misfiled.js';
import { DEFAULT_SUSPECT_EPOCHS, DEFAULT_SUSPECT_FOLDS, findLabelSuspects } from '../packages/convkit/src/audit/label-suspects.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'tracks-per-class': { type: 'string', default: '0' },
    plant: { type: 'string', default: '40' },
    'whole-tracks': { type: 'boolean', default: false },
    folds: { type: 'string', default: String(DEFAULT_SUSPECT_FOLDS) },
    epochs: { type: 'string', default: String(DEFAULT_SUSPECT_EPOCHS) },
    model: { type: 'string', default: 'auto' },
    seeds: { type: 'string', default: '1' },
    modes: { type: 'string', default: 'image,track' },
    json: { type: 'string' },
  },
});
const src = positionals[0];
if (!src) throw new Error('usage: label-suspects.ts ROOT [--tracks-per-class N] [--plant N] [--folds K] [--epochs E] [--model NAME] [--seeds 1,2] [--modes image,track]');
const SIZE = 32;
const CUTS = [10, 25, 50, 100, 200];

const rows: Record<string, unknown>[] = [];
for (const seed of values.seeds.split(',').map(Number)) {
  const { root, misfiled } = await copyWithMisfiled(src, { tracksPerClass: Number(values['tracks-per-class']), plant: Number(values.plant), seed, wholeTracks: values['whole-tracks'] });
  try {
    const t0 = performance.now();
    const d = await loadTrainingImages(root, SIZE);
    const loadSeconds = (performance.now() - t0) / 1000;
    const planted = new Map(misfiled.map((m) => [m.file, m]));
    const tracks = new Set(d.groups).size;
    process.stderr.write(`seed ${seed}: ${d.labels.length} training images, ${tracks} tracks, ${misfiled.length} misfiled; read in ${loadSeconds.toFixed(1)} s\n`);
    for (const mode of values.modes.split(',')) {
      const r = await findLabelSuspects(
        { x: d.x, shape: [d.labels.length, SIZE, SIZE, 3], labels: d.labels, numClasses: 43, groups: mode === 'track' ? d.groups : null },
        { folds: Number(values.folds), model: values.model, epochs: Number(values.epochs), seed, onProgress: (l) => process.stderr.write(l + '\n') },
      );
      const ranks = r.suspects.flatMap((s, i) => (planted.has(d.files[s.index]) ? [i + 1] : []));
      // A planted unit (image, or whole track) is found at k when one of its images is among the k strongest suspects.
      const unitRank = new Map<number, number>();
      r.suspects.forEach((s, i) => {
        const m = planted.get(d.files[s.index]);
        if (m && !unitRank.has(m.unit)) unitRank.set(m.unit, i + 1);
      });
      const rightSuggestion = r.suspects.filter((s) => planted.get(d.files[s.index])?.truth === s.suggested).length;
      // Out-of-fold accuracy against the folder's labels, and the mean p(given) of the clean images: how confident the fold models are.
      let correct = 0;
      let cleanSelf = 0;
      const plantedIdx = new Set(d.files.flatMap((f, i) => (planted.has(f) ? [i] : [])));
      for (let i = 0; i < d.labels.length; i++) {
        const row = r.probabilities.subarray(i * 43, (i + 1) * 43);
        let best = 0;
        for (let k = 1; k < 43; k++) if (row[k] > row[best]) best = k;
        if (best === d.labels[i]) correct++;
        if (!plantedIdx.has(i)) cleanSelf += row[d.labels[i]];
      }
      const plantedSelf = [...plantedIdx].map((i) => r.probabilities[i * 43 + d.labels[i]]);
      // For comparison: every image ranked by self-confidence alone (no thresholds), lowest p(given) first.
      const bySelf = Array.from(d.labels, (y, i) => i).sort((a, b) => r.probabilities[a * 43 + d.labels[a]] - r.probabilities[b * 43 + d.labels[b]] || a - b);
      const selfRanks = bySelf.flatMap((i, k) => (plantedIdx.has(i) ? [k + 1] : []));
      // The planted images confident learning did not flag: why (p(truth) below its class's threshold, or another class first).
      const flaggedIdx = new Set(r.suspects.map((x) => x.index));
      const missed = [...plantedIdx].filter((i) => !flaggedIdx.has(i)).map((i) => {
        const truth = planted.get(d.files[i])!.truth;
        const p = (k: number) => +r.probabilities[i * 43 + k].toFixed(4);
        return { pGiven: p(d.labels[i]), pTruth: p(truth), tTruth: +r.thresholds[truth].toFixed(4) };
      });
      const row = {
        seed,
        folds: mode,
        images: d.labels.length,
        tracks,
        planted: misfiled.length,
        suspects: r.suspects.length,
        ...Object.fromEntries(CUTS.map((c) => [`recall@${c}`, ranks.filter((k) => k <= c).length])),
        flagged: ranks.length,
        ...(values['whole-tracks'] ? Object.fromEntries(CUTS.map((c) => [`tracks@${c}`, [...unitRank.values()].filter((k) => k <= c).length])) : {}),
        ...Object.fromEntries(CUTS.map((c) => [`selfConfidenceRecall@${c}`, selfRanks.filter((k) => k <= c).length])),
        suggestedTrueClass: rightSuggestion,
        plantedRanks: ranks,
        missed: missed.slice(0, 12),
        oofAccuracy: +(correct / d.labels.length).toFixed(4),
        meanSelfConfidenceClean: +(cleanSelf / (d.labels.length - plantedIdx.size)).toFixed(4),
        meanSelfConfidencePlanted: +(plantedSelf.reduce((s, v) => s + v, 0) / plantedSelf.length).toFixed(4),
        seconds: +r.seconds.toFixed(1),
      };
      rows.push(row);
      process.stderr.write(`${JSON.stringify(row)}\n`);
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
const out = JSON.stringify({ args: { ...values, root: 'ROOT' }, rows }, null, 2);
process.stdout.write(out + '\n');
if (values.json) await fs.writeFile(values.json, out + '\n');
