import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { h5 } from '../datasets/hdf5.js';
import { extended } from '../../test-support/extended.js';
import { gtsrbFixtureDir, gtsrbMiniDir } from '../../test-support/paths.js';
import { runCli } from '../../test-support/prepare.js';
import { preparedGtsrbSet } from './cache.js';
import { PREPARE_RECORD_ATTR, type PrepareRecord } from './existing-sets.js';

const tmp = () => fs.mkdtemp(path.join(os.tmpdir(), 'convkit-exclude-'));
const sha256 = async (f: string) => createHash('sha256').update(await fs.readFile(f)).digest('hex');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function record(file: string): Promise<PrepareRecord> {
  const lib = await h5();
  const f = new lib.File(file, 'r');
  try {
    return JSON.parse(f.attrs[PREPARE_RECORD_ATTR].json_value as string);
  } finally {
    f.close();
  }
}

const TRAIN_A = 'GTSRB/Final_Training/Images/00001/00000_00003.ppm';
const TRAIN_B = 'GTSRB/Final_Training/Images/00042/00001_00029.ppm';
const TEST_A = 'GTSRB/Final_Test/Images/00005.ppm';

test('prepare --exclude on gtsrb-mini: a text list or an audit JSON drops exactly the listed images, recorded in the set', extended(gtsrbMiniDir), async () => {
  const dir = await tmp();
  try {
    const prep = (out: string, ...more: string[]) => runCli(['prepare', 'gtsrb', gtsrbMiniDir, '--size', '16', '--mode', 'L', '--out', path.join(dir, out), '--json', ...more]);
    const plain = await prep('plain');
    assert.equal(plain.code, 0, plain.stderr);
    const base = JSON.parse(plain.stdout).files[0];
    assert.deepEqual([base.train, base.test], [2580, 1290]);
    assert.equal((await record(base.path)).exclude, undefined, 'no exclusion, no exclude key (sets made before the option stay up to date)');

    // A text list: comments, blank lines, spaces around, one absolute path (through a symlinked folder: matched by real path).
    const link = path.join(dir, 'mini-link');
    await fs.symlink(gtsrbMiniDir, link);
    const list = path.join(dir, 'chosen.txt');
    await fs.writeFile(list, `# chosen after convkit audit\n${TRAIN_A}\n\n   ${TRAIN_B}  \r\n${path.join(link, TEST_A)}\n${TRAIN_A}\n`);
    const r = await prep('plain', '--exclude', list);
    assert.equal(r.code, 2, 'the set prepared without exclusions is not taken for this one');
    assert.match(r.stderr, /exists and was prepared differently \(made with images .*; use --force/);
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('convkit: error:')).length, 1);
    const ex = await prep('excluded', '--exclude', list);
    assert.equal(ex.code, 0, ex.stderr);
    const report = JSON.parse(ex.stdout);
    assert.deepEqual([report.files[0].train, report.files[0].test, report.files[0].meta], [2578, 1289, base.meta]);
    const want = { sha256: await sha256(list), files: [TEST_A, TRAIN_A, TRAIN_B].map((f) => f.replace('GTSRB/', '')).sort() };
    assert.deepEqual((await record(report.files[0].path)).exclude, want);
    assert.deepEqual(report.excluded, { file: list, ...want });
    const again = await prep('excluded', '--exclude', list);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).kept, [report.files[0].path], 'same list, same set: kept');

    // An audit JSON: only its top-level "exclude" array counts; the findings themselves exclude nothing.
    const audit = path.join(dir, 'audit.json');
    await fs.writeFile(audit, JSON.stringify({ label_suspects: [{ file: TRAIN_B }], duplicates: [{ files: [TRAIN_A, TEST_A] }], exclude: [TRAIN_B] }, null, 2));
    const aj = await prep('from-audit', '--exclude', audit);
    assert.equal(aj.code, 0, aj.stderr);
    const ar = JSON.parse(aj.stdout);
    assert.deepEqual([ar.files[0].train, ar.files[0].test], [2579, 1290]);
    assert.deepEqual((await record(ar.files[0].path)).exclude, { sha256: await sha256(audit), files: [TRAIN_B.replace('GTSRB/', '')] });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('prepare --exclude: bad exclude files are one line naming the file (and line), exit 2, nothing written', async () => {
  const dir = await tmp();
  try {
    const out = path.join(dir, 'out');
    const prep = (file: string) => runCli(['prepare', 'gtsrb', gtsrbFixtureDir, '--size', '8', '--mode', 'L', '--out', out, '--exclude', file]);
    const cases: [string, string, RegExp][] = [
      ['typo.txt', '# one real, one typo\nGTSRB/Final_Training/Images/00001/00000_00001.ppm\nGTSRB/Final_Training/Images/00001/00000_0002.ppm\n', /typo\.txt:3: GTSRB\/Final_Training\/Images\/00001\/00000_0002\.ppm is not an image of /],
      ['outside.txt', `${path.join(gtsrbMiniDir, 'GTSRB/Final_Training/Images/00001/00000_00001.ppm')}\n`, /outside\.txt:1: .* is not an image of /],
      ['no-key.json', '{"label_suspects": [{"file": "GTSRB/Final_Training/Images/00001/00000_00001.ppm"}]}', /no-key\.json: exclude: missing; an audit JSON excludes only the paths you list under a top-level "exclude" array$/m],
      ['not-list.json', '{"exclude": "GTSRB/Final_Training/Images/00001/00000_00001.ppm"}', /not-list\.json: exclude: expected an array of image paths$/m],
      ['bad-entry.json', '{"exclude": ["GTSRB/Final_Training/Images/00001/00000_00001.ppm", 7]}', /bad-entry\.json: exclude\[1\]: expected an image path, got 7$/m],
      ['broken.json', '{"exclude": [', /broken\.json: not valid JSON \(/],
      ['binary.txt', '\xff\xfe\x00', /binary\.txt: exclude file is not UTF-8 text/],
    ];
    for (const [name, content, want] of cases) {
      const file = path.join(dir, name);
      await fs.writeFile(file, name === 'binary.txt' ? Buffer.from([0xff, 0xfe, 0x00]) : content);
      const r = await prep(file);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${name}: one line: ${r.stderr}`);
      assert.match(lines[0], new RegExp(`^convkit: error: ${esc(dir)}/`));
      assert.match(lines[0], want);
    }
    const missing = await prep(path.join(dir, 'nowhere.txt'));
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim(), `convkit: error: ${path.join(dir, 'nowhere.txt')}: file not found`);
    assert.deepEqual(await fs.readdir(out).catch(() => []), [], 'nothing written');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('the prepare: block\'s exclude is part of the prepared-set cache key', async () => {
  const dir = await tmp();
  const saved = process.env.CONVKIT_HOME;
  process.env.CONVKIT_HOME = path.join(dir, 'home');
  try {
    const list = path.join(dir, 'list.txt');
    await fs.writeFile(list, 'GTSRB/Final_Training/Images/00003/00001_00002.ppm\n');
    const block = { size: 8, mode: 'L' as const, roi: false, seed: 42 };
    const plain = await preparedGtsrbSet(gtsrbFixtureDir, block);
    const ex = await preparedGtsrbSet(gtsrbFixtureDir, { ...block, exclude: list });
    assert.notEqual(ex.hash, plain.hash);
    assert.equal(ex.cached, false, 'the set without exclusions is not reused');
    assert.equal((await record(ex.file)).images.train, (await record(plain.file)).images.train - 1);
    assert.equal((await preparedGtsrbSet(gtsrbFixtureDir, { ...block, exclude: list })).cached, true, 'the same exclusion is');
    await fs.appendFile(list, 'GTSRB/Final_Training/Images/00004/00000_00000.ppm\n');
    const more = await preparedGtsrbSet(gtsrbFixtureDir, { ...block, exclude: list });
    assert.equal(more.cached, false);
    assert.equal((await record(more.file)).exclude?.files.length, 2);
  } finally {
    if (saved === undefined) delete process.env.CONVKIT_HOME;
    else process.env.CONVKIT_HOME = saved;
    await fs.rm(dir, { recursive: true, force: true });
  }
});
