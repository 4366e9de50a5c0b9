import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AugmentSchema, type AugmentSpec } from '../train/augment/schema.js';
import { optionArgs } from './train-args.js';

const spec = (v: unknown) => AugmentSchema.parse(v) as AugmentSpec;

test('a batch job gets its augment setting (from train: or a grid axis) as one --augment that parses back to it', () => {
  for (const text of ['fidle', 'fidle,brightness=0.8:1.2,contrast=0.2,hflip,fill=constant,cval=0.5', 'width-shift=0.3,vflip']) {
    const s = spec(text);
    const args = optionArgs({ augment: s });
    const i = args.indexOf('--augment');
    assert.ok(i >= 0, String(args));
    assert.deepEqual(spec(args[i + 1]), s);
  }
  assert.ok(!optionArgs({ augment: undefined }).includes('--augment'));
});
