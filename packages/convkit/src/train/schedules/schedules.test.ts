import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosineWithWarmup } from './cosine.js';
import { scheduleAt } from './index.js';
import { oneCycle } from './one-cycle.js';
import { stepDecay } from './step.js';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 + 1e-9 * Math.abs(b), `${what}: ${a} ≠ ${b}`);

test('cosine with warmup against a hand computation', () => {
  const o = { lr: 0.1, total: 10, warmup: 2, floor: 0.01 };
  // warmup: 0.1·1/2, 0.1·2/2; then 0.01 + 0.09·(1 + cos(π·(t − 2)/8))/2
  close(cosineWithWarmup(0, o), 0.05, 't=0');
  close(cosineWithWarmup(1, o), 0.1, 't=1');
  close(cosineWithWarmup(2, o), 0.1, 't=2');
  close(cosineWithWarmup(6, o), 0.055, 't=6'); // cos(π/2) = 0
  close(cosineWithWarmup(9, o), 0.01 + 0.09 * (1 - Math.SQRT1_2 * Math.sqrt(1 + Math.SQRT1_2)) / 2 * 1, 't=9'); // cos(7π/8) = −√(2+√2)/2
  close(cosineWithWarmup(10, o), 0.01, 't=10');
});

test('one-cycle equals PyTorch OneCycleLR(max_lr=1, total_steps=10) step by step', () => {
  // torch 1.13: [o.param_groups[0]['lr'] for each of 10 steps] (printed by python3-torch, copied here)
  const torch = [0.040000000000000036, 0.52, 1.0, 0.9504846320134737, 0.8117456539497631, 0.6112620219362893, 0.38874197806371075, 0.18825834605023697, 0.049519367986526286, 4e-6];
  torch.forEach((v, t) => close(oneCycle(t, { lr: 1, total: 10 }), v, `t=${t}`));
  // by hand: up from 1/25 to 1 over steps 0..2 on a half cosine: t=1 is the midpoint (0.04 + 1)/2
  close(oneCycle(1, { lr: 1, total: 10 }), 0.52, 'midpoint');
});

test('step decay halves every 2 epochs', () => {
  assert.deepEqual([1, 2, 3, 4, 5].map((e) => stepDecay(e, { lr: 0.1, every: 2, factor: 0.5 })), [0.1, 0.1, 0.05, 0.05, 0.025]);
});

test('scheduleAt counts global steps over epochs', () => {
  const base = { lr: 0.1, epochs: 3, stepsPerEpoch: 2 };
  assert.equal(scheduleAt({ ...base, name: 'constant' }, 5), 0.1);
  close(scheduleAt({ ...base, name: 'step', stepEvery: 1, stepFactor: 0.1 }, 3), 0.01, 'step: t=3 is epoch 2');
  close(scheduleAt({ ...base, name: 'cosine', warmupEpochs: 1 }, 1), 0.1, 'cosine: warmup of 2 steps ends at t=1');
  close(scheduleAt({ ...base, name: 'cosine', warmupEpochs: 1 }, 4), 0.05, 'cosine: t=4 is halfway through the 4 decay steps');
});
