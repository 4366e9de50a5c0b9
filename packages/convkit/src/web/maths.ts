import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadDataset } from '../datasets/index.js';
import type { ImageDataset } from '../datasets/types.js';
import { loadModel } from '../models/io.js';
import { selectBackend } from '../train/backend.js';
import { readRunConfig } from '../run/config.js';
import { CHECKPOINT_FILE_NAMES, weightDirs } from '../run/layout.js';
import { exists } from '../util/atomic.js';

import type { FirstLayer, SampleImage } from './api-types.js';

export type { FirstLayer, SampleImage } from './api-types.js';

let cached: { key: string; dataset: Promise<ImageDataset> } | null = null;

/** The run's dataset, one at a time in memory (the maths pages look at one run at a time). */
async function datasetOf(dir: string): Promise<{ dataset: ImageDataset; classNames: string[] }> {
  const cfg = await readRunConfig(dir);
  const key = `${cfg.data}\0${cfg.seed}`;
  if (cached?.key !== key) cached = { key, dataset: loadDataset(cfg.data, { seed: cfg.seed }) };
  let dataset: ImageDataset;
  try {
    dataset = await cached.dataset;
  } catch (e) {
    cached = null;
    throw e;
  }
  return { dataset, classNames: dataset.classNames ?? cfg.dataset?.classNames ?? [] };
}

function imageBytes(d: ImageDataset, index: number): Uint8Array {
  const n = d.height * d.width * d.channels;
  const src = d.test.x.subarray(index * n, (index + 1) * n);
  return src instanceof Uint8Array ? Uint8Array.from(src) : Uint8Array.from(src, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}

/** `count` test images, the first of each class first (so the picker shows every class it can). */
export async function sampleImages(dir: string, count: number): Promise<SampleImage[]> {
  const { dataset: d, classNames } = await datasetOf(dir);
  const picked: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < d.test.count && picked.length < count; i++) {
    if (!seen.has(d.test.y[i])) {
      seen.add(d.test.y[i]);
      picked.push(i);
    }
  }
  for (let i = 0; i < d.test.count && picked.length < count; i++) if (!picked.includes(i)) picked.push(i);
  return picked.map((i) => ({
    index: i,
    label: d.test.y[i],
    name: classNames[d.test.y[i]] ?? String(d.test.y[i]),
    height: d.height,
    width: d.width,
    channels: d.channels,
    pixels: Buffer.from(imageBytes(d, i)).toString('base64'),
  }));
}


/** The run's weights, newest finished first: the saved model, else the best or last checkpoint of a run in progress. */
async function runModel(dir: string): Promise<{ model: tfl.LayersModel; from: string } | null> {
  for (const { from, dir: p } of weightDirs(dir)) {
    if (await exists(path.join(p, CHECKPOINT_FILE_NAMES.modelJson))) return { model: await loadModel(p), from };
  }
  return null;
}

/** null when the run has no weights yet or its model has no convolution. */
export async function firstLayer(dir: string, imageIndex: number): Promise<FirstLayer | null> {
  await selectBackend('auto', () => {});
  const { dataset: d } = await datasetOf(dir);
  if (!Number.isInteger(imageIndex) || imageIndex < 0 || imageIndex >= d.test.count) return null;
  const loaded = await runModel(dir);
  if (!loaded) return null;
  const { model } = loaded;
  try {
    const layers = model.layers;
    const convAt = layers.findIndex((l) => l.getClassName() === 'Conv2D');
    if (convAt < 0) return null;
    const conv = layers[convAt];
    const cfg = conv.getConfig() as { kernelSize: number[]; activation: string; padding: string; filters: number };
    const [kernelT, biasT] = conv.getWeights();
    const [kh, kw, cin, cout] = kernelT.shape as number[];
    const k = kernelT.dataSync();
    const kernel: number[][][] = [];
    for (let o = 0; o < cout; o++) {
      kernel.push([]);
      for (let c = 0; c < cin; c++) {
        const vals: number[] = [];
        for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) vals.push(k[((y * kw + x) * cin + c) * cout + o]);
        kernel[o].push(vals);
      }
    }
    const bias = biasT ? Array.from(biasT.dataSync()) : new Array(cout).fill(0);
    const out = tf.tidy(() => {
      let x: tf.Tensor = tf.tensor4d(Float32Array.from(imageBytes(d, imageIndex), (v) => v / 255), [1, d.height, d.width, d.channels]);
      for (let i = 0; i <= convAt; i++) x = layers[i].apply(x) as tf.Tensor;
      return x;
    });
    const [, mh, mw] = out.shape as number[];
    const data = out.dataSync();
    out.dispose();
    const maps: number[][] = [];
    for (let o = 0; o < cout; o++) {
      const m: number[] = new Array(mh * mw);
      for (let p = 0; p < mh * mw; p++) m[p] = data[p * cout + o];
      maps.push(m);
    }
    return {
      weights: loaded.from,
      layer: conv.name,
      kernelSize: [kh, kw],
      inChannels: cin,
      filters: cout,
      activation: String(cfg.activation),
      padding: String(cfg.padding),
      kernel,
      bias,
      image: imageIndex,
      maps,
      mapHeight: mh,
      mapWidth: mw,
    };
  } finally {
    model.dispose();
  }
}
