import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { copyOfficial } from '../../test-fixtures/gtsrb-copy.js';
import type { GtsrbSummary } from '../report/gtsrb-analysis.js';
import { runCli } from '../../test-support/prepare.js';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../..');
const pad = (n: number) => String(n).padStart(5, '0');
const trainDir = (root: string, c: number) => path.join(root, 'GTSRB', 'Final_Training', 'Images', pad(c));

const convkit = (...args: string[]) => runCli(args);

async function editLine(file: string, line: number, edit: (cells: string[]) => void): Promise<void> {
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  const cells = lines[line - 1].split(';');
  edit(cells);
  lines[line - 1] = cells.join(';');
  await fs.writeFile(file, lines.join('\n'));
}

/** Each case breaks a fresh copy of three classes of the GTSRB fixture; `expect` is the error line after "convkit: error: ". */
const cases: { name: string; breakIt: (root: string) => Promise<void>; expect: (root: string) => string }[] = [
  {
    name: 'missing CSV',
    breakIt: (root) => fs.rm(path.join(trainDir(root, 1), 'GT-00001.csv')),
    expect: (root) => `${path.join(trainDir(root, 1), 'GT-00001.csv')}: missing CSV`,
  },
  {
    name: 'a CSV row naming a missing file',
    breakIt: (root) => fs.rm(path.join(trainDir(root, 0), '00001_00000.ppm')),
    expect: (root) => `${path.join(trainDir(root, 0), 'GT-00000.csv')}:5: names a missing file 00001_00000.ppm`,
  },
  {
    name: 'bad PPM header',
    breakIt: (root) => fs.writeFile(path.join(trainDir(root, 2), '00000_00001.ppm'), 'P6\n32 thirty-two\n255\n'),
    expect: (root) => `${path.join(trainDir(root, 2), '00000_00001.ppm')}: bad PNM header: height "thirty-two" is not a number`,
  },
  {
    name: 'truncated pixel data',
    breakIt: async (root) => {
      const f = path.join(trainDir(root, 2), '00000_00002.ppm');
      const buf = await fs.readFile(f);
      await fs.writeFile(f, buf.subarray(0, buf.length - 100));
    },
    expect: (root) => `${path.join(trainDir(root, 2), '00000_00002.ppm')}: truncated pixel data: 2972 of 3072 bytes for 32×32×3`,
  },
  {
    name: 'a non-numeric field',
    breakIt: (root) => editLine(path.join(trainDir(root, 0), 'GT-00000.csv'), 3, (c) => (c[1] = '3O')),
    expect: (root) => `${path.join(trainDir(root, 0), 'GT-00000.csv')}:3: Width "3O" is not an integer`,
  },
  {
    name: 'a class id out of range',
    breakIt: (root) => editLine(path.join(root, 'GTSRB', 'Final_Test', 'GT-final_test.csv'), 4, (c) => (c[7] = '43')),
    expect: (root) => `${path.join(root, 'GTSRB', 'Final_Test', 'GT-final_test.csv')}:4: ClassId 43 out of range 0–42`,
  },
  {
    name: 'an empty class folder',
    breakIt: (root) => fs.mkdir(trainDir(root, 5)),
    expect: (root) => `${trainDir(root, 5)}: empty class folder`,
  },
];

for (const c of cases) {
  test(`analyse gtsrb, ${c.name}: one line naming the file and cause, exit 2, no report`, async () => {
    const root = await copyOfficial([0, 1, 2], 8);
    const out = path.join(root, 'report');
    try {
      await c.breakIt(root);
      const r = await convkit('analyse', 'gtsrb', root, '--out', out);
      assert.equal(r.code, 2);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('convkit: error:'));
      assert.deepEqual(errors, [`convkit: error: ${c.expect(root)}`]);
      await assert.rejects(fs.access(path.join(out, 'report.html')));
      await assert.rejects(fs.access(path.join(out, 'summary.json')));
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
}

test('analyse gtsrb --skip-bad: skips every bad image, row and folder, counts them, and still writes the report', async () => {
  const root = await copyOfficial([0, 1, 2], 8);
  const out = path.join(root, 'report');
  try {
    for (const c of cases) await c.breakIt(root);
    const r = await convkit('analyse', 'gtsrb', root, '--out', out, '--skip-bad', '--json');
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as GtsrbSummary;
    assert.equal(summary.skipped.count, cases.length);
    assert.deepEqual(summary.skipped.items.map((s) => `${s.file}${s.line !== undefined ? `:${s.line}` : ''}: ${s.reason}`).sort(), cases.map((c) => c.expect(root)).sort());
    // class 1 lost its CSV, class 0 two rows (missing file, bad Width), class 2 two images (bad header, truncated);
    // the fixture has 6 training images per class
    assert.equal(summary.classes[0].train, 6 - 2);
    assert.equal(summary.classes[1].train, 0);
    assert.equal(summary.classes[2].train, 6 - 2);
    assert.equal(summary.counts.test, 8 - 1);
    assert.deepEqual(JSON.parse(await fs.readFile(path.join(out, 'summary.json'), 'utf8')).skipped, summary.skipped);
    const html = await fs.readFile(path.join(out, 'report.html'), 'utf8');
    assert.match(html, /7<\/b>skipped/);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('the convkit binary exits with code 2 and one error line on bad GTSRB input', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'packages/convkit/src/cli/main.ts', 'analyse', 'gtsrb', path.join(os.tmpdir(), 'no-such-gtsrb'), '--out', path.join(os.tmpdir(), 'x')], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `convkit: error: ${path.join(os.tmpdir(), 'no-such-gtsrb')}: not a directory\n`);
});
