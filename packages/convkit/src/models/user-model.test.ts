import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import { repoRoot } from '../../test-support/paths.js';
import { ConvkitError } from '../util/errors.js';
import { buildModel, resolveModel } from './index.js';

const fixtures = path.join(repoRoot, 'packages/convkit/test-fixtures/models');
const dir = mkdtempSync(path.join(os.tmpdir(), 'convkit-user-model-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const mnist = { inputShape: [28, 28, 1] as [number, number, number], numClasses: 10 };

async function errorOf(p: Promise<unknown>): Promise<ConvkitError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ConvkitError, String(e));
    return e;
  }
  assert.fail('expected a ConvkitError');
}

test('user model: a tfjs model.json topology builds a fresh model each time', async () => {
  const file = path.join(fixtures, 'tiny-dense.json');
  const a = await buildModel(file, mnist);
  const b = await buildModel(file, mnist);
  assert.notEqual(a, b);
  assert.deepEqual(a.outputs[0].shape, [null, 10]);
  assert.equal(a.countParams(), 28 * 28 * 32 + 32 + 32 * 10 + 10);
  a.dispose();
  b.dispose();
});

test('user model: a .ts builder module gets the data shapes and convkit\'s tfl', async () => {
  const file = path.join(fixtures, 'tiny-cnn.ts');
  const m = await buildModel(file, { inputShape: [24, 24, 3], numClasses: 43 });
  assert.deepEqual(m.inputs[0].shape, [null, 24, 24, 3]);
  assert.deepEqual(m.outputs[0].shape, [null, 43]);
  m.dispose();
});

test('user model: wrong shapes, bad files and missing builders are one-line errors naming the file', async () => {
  const rgb = path.join(fixtures, 'tiny-dense-rgb32.json');
  const e1 = await errorOf(buildModel(rgb, mnist));
  assert.equal(e1.file, rgb);
  assert.match(e1.reason, /input shape \[32, 32, 3\] does not fit the data's \[28, 28, 1\]/);
  const e2 = await errorOf(buildModel(path.join(fixtures, 'tiny-dense.json'), { ...mnist, numClasses: 43 }));
  assert.match(e2.reason, /output has 10 units, the data has 43 classes/);
  const notTopo = path.join(dir, 'not-a-model.json');
  writeFileSync(notTopo, '{"layers": []}');
  assert.match((await errorOf(resolveModel(notTopo))).reason, /not a model topology/);
  const noBuilder = path.join(dir, 'no-builder.mjs');
  writeFileSync(noBuilder, 'export const x = 1;\n');
  assert.match((await errorOf(resolveModel(noBuilder))).reason, /exports no builder/);
  const missing = await errorOf(resolveModel(path.join(dir, 'missing.json')));
  assert.match(missing.reason, /model file not found/);
  assert.match((await errorOf(resolveModel('resnet-9000'))).message, /unknown model "resnet-9000"/);
});
