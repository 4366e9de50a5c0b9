import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTrainOptions } from '../train/config.js';
import { ConvkitError } from './errors.js';
import { parseConfigText } from './config-file.js';

function errorOf(f: () => unknown): ConvkitError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConvkitError, String(e));
    return e;
  }
  assert.fail('expected a ConvkitError');
}

test('train options: CLI names and camelCase, only the keys given, no defaults', () => {
  const cfg = parseConfigText('train:\n  epochs: 3\n  batch-size: 64\n  limitTrain: 100\n', 'r.yaml');
  const t = parseTrainOptions((cfg.data as { train: unknown }).train, cfg, ['train']);
  assert.deepEqual(t, { epochs: 3, batchSize: 64, limitTrain: 100 });
});

test('train options: a wrong type names the key as written and its line', () => {
  const cfg = parseConfigText('name: x\ntrain:\n  epochs: 3\n  batch-size: lots\n', 'r.yaml');
  const e = errorOf(() => parseTrainOptions((cfg.data as { train: unknown }).train, cfg, ['train']));
  assert.equal(e.file, 'r.yaml');
  assert.equal(e.line, 4);
  assert.match(e.message, /^r\.yaml:4: train\.batch-size: /);
});

test('train options: an unknown key is refused at its line', () => {
  const cfg = parseConfigText('train:\n  epochs: 3\n  epoch: 4\n', 'r.yaml');
  const e = errorOf(() => parseTrainOptions((cfg.data as { train: unknown }).train, cfg, ['train']));
  assert.equal(e.message, 'r.yaml:3: train.epoch: unknown key');
});

test('train options: one key spelt twice is refused', () => {
  const cfg = parseConfigText('train:\n  batch-size: 3\n  batchSize: 4\n', 'r.yaml');
  assert.match(errorOf(() => parseTrainOptions((cfg.data as { train: unknown }).train, cfg, ['train'])).message, /given twice/);
});

test('config text: YAML and JSON syntax errors give file and line', () => {
  const y = errorOf(() => parseConfigText('a: 1\nb: [1, 2\nc: 3\n', 'bad.yaml'));
  assert.equal(y.file, 'bad.yaml');
  assert.ok(y.line !== undefined && y.line >= 2, `line ${y.line}`);
  const j = errorOf(() => parseConfigText('{\n  "a": 1,\n  "a": 2\n}\n', 'bad.json'));
  assert.match(j.message, /^bad\.json:3: not valid JSON/);
});
