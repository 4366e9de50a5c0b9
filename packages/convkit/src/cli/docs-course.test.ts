// docs/course.md must not lie: every ```sh block of it is run here, in order, by one bash in a fresh temporary folder,
// with the repository's compiled `convkit` (bin/convkit.js on dist/, what `make build` gives a reader) on PATH and
// REPO set to the clone. A block that exits non-zero fails the test, named by its number and first line.
// Blocks meant not to run (they need the full datasets, or start a server) are fenced ```console instead of ```sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../test-support/paths.js';

const coursePage = path.join(repoRoot, 'docs/course.md');

/** The ```sh blocks of a Markdown text, in order, with the line where each starts. */
export function shBlocks(markdown: string): { line: number; code: string }[] {
  const blocks: { line: number; code: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```sh') continue;
    const start = i + 1;
    let j = start;
    while (j < lines.length && lines[j].trim() !== '```') j++;
    assert.ok(j < lines.length, `docs/course.md:${i + 1}: unclosed sh block`);
    blocks.push({ line: start + 1, code: lines.slice(start, j).join('\n') });
    i = j;
  }
  return blocks;
}

test('shBlocks finds sh blocks only', () => {
  const md = ['text', '```sh', 'echo a', 'echo b', '```', '```console', 'not run', '```', '```sh', 'echo c', '```'].join('\n');
  assert.deepEqual(shBlocks(md), [
    { line: 3, code: 'echo a\necho b' },
    { line: 10, code: 'echo c' },
  ]);
});

test('every sh block of docs/course.md runs (in-repo fixtures, compiled CLI)', async (t) => {
  const bin = path.join(repoRoot, 'packages/convkit/bin/convkit.js');
  if (!existsSync(path.join(repoRoot, 'packages/convkit/dist/cli/main.js'))) {
    t.skip('dist/ not built (run `make build`): the course page runs the compiled convkit');
    return;
  }
  const blocks = shBlocks(await fs.readFile(coursePage, 'utf8'));
  assert.ok(blocks.length >= 10, `docs/course.md has ${blocks.length} sh blocks, expected the whole course`);

  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-course-'));
  const binDir = path.join(work, '.bin');
  await fs.mkdir(binDir);
  await fs.writeFile(path.join(binDir, 'convkit'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} "$@"\n`, { mode: 0o755 });

  // One bash for the whole page (variables and `cd` carry over, as in a reader's terminal); a marker before each
  // block says which one was running when bash stopped.
  const script = blocks.map((b, k) => `echo "@@block ${k} line ${b.line}" >&2\n${b.code}\n`).join('') + 'echo "@@done" >&2\n';
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: work,
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH}`, REPO: repoRoot, W: work, NO_COLOR: '1', CONVKIT_HOME: path.join(work, '.convkit-home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const ran = [...r.stderr.matchAll(/@@block (\d+) line (\d+)/g)];
  const last = ran.at(-1);
  const where = last ? `docs/course.md:${last[2]} (block ${Number(last[1]) + 1} of ${blocks.length}: ${blocks[Number(last[1])].code.split('\n')[0]})` : 'before the first block';
  assert.equal(r.code, 0, `the course page failed at ${where}\n--- stderr (end) ---\n${r.stderr.slice(-4000)}\n--- stdout (end) ---\n${r.stdout.slice(-2000)}`);
  assert.match(r.stderr, /@@done/);
  assert.equal(ran.length, blocks.length);
  // What the page promises exists: the runs it trained, the reports it wrote.
  for (const f of ['runs/dnn/result.json', 'runs/cnn/result.json', 'runs/v1/result.json', 'runs/v1-tb/result.json', 'runs/v1-aug/result.json', 'v1.html', 'batch.md', 'augment.png', 'sets/set-24x24-L.h5', 'gtsrb-analysis/report.html']) {
    assert.ok(existsSync(path.join(work, f)), `docs/course.md ran but ${f} is missing`);
  }
  await fs.rm(work, { recursive: true, force: true });
});
