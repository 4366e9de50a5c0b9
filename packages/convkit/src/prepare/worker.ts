// Worker thread of `prepareGtsrb`: decodes each image once, resizes it to every size (skimage-style) and applies every mode.
import { parentPort } from 'node:worker_threads';
import { readGtsrbImage, type GtsrbSample } from '../datasets/gtsrb.js';
import { ConvkitError } from '../util/errors.js';
import { applyMode, type PrepareMode } from './modes.js';
import { resizeImage } from './resize.js';

export interface WorkerInit {
  sizes: number[];
  modes: PrepareMode[];
  roi: boolean;
  skipBad: boolean;
}

export interface WorkerTask {
  id: number;
  samples: GtsrbSample[];
}

export interface WorkerBad {
  file: string;
  line?: number;
  reason: string;
}

export interface WorkerResult {
  id: number;
  /** One buffer per size × mode (sizes outer, modes inner), the good images back to back. */
  outputs: Float32Array[];
  labels: Int32Array;
  bad: WorkerBad[];
  /** Set when an image is bad and skipBad is off: the whole task failed. */
  error?: { reason: string; file?: string; line?: number; exitCode: number; stack?: string };
}

/** Processes one batch; exported so it can run in-process too. */
export async function processBatch(init: WorkerInit, task: WorkerTask): Promise<WorkerResult> {
  const perVariant: Float32Array[][] = init.sizes.flatMap(() => init.modes.map(() => []));
  const labels: number[] = [];
  const bad: WorkerBad[] = [];
  for (const s of task.samples) {
    let outs: Float32Array[];
    try {
      const img = await readGtsrbImage(s, { roi: init.roi });
      outs = [];
      for (const size of init.sizes) {
        const rgb = resizeImage(img, size, size);
        for (const m of init.modes) outs.push(applyMode(m, rgb, size, size));
      }
    } catch (e) {
      if (!(e instanceof ConvkitError)) throw e;
      if (!init.skipBad) return { id: task.id, outputs: [], labels: new Int32Array(0), bad: [], error: { reason: e.reason, file: e.file ?? s.file, line: e.line, exitCode: e.exitCode } };
      bad.push({ file: e.file ?? s.file, line: e.line, reason: e.reason });
      continue;
    }
    outs.forEach((o, i) => perVariant[i].push(o));
    labels.push(s.classId);
  }
  const outputs = perVariant.map((parts) => {
    const total = parts.reduce((a, p) => a + p.length, 0);
    const buf = new Float32Array(total);
    let off = 0;
    for (const p of parts) {
      buf.set(p, off);
      off += p.length;
    }
    return buf;
  });
  return { id: task.id, outputs, labels: Int32Array.from(labels), bad };
}

if (parentPort) {
  const port = parentPort;
  let init: WorkerInit | null = null;
  port.on('message', async (msg: { init?: WorkerInit; task?: WorkerTask }) => {
    if (msg.init) {
      init = msg.init;
      return;
    }
    const task = msg.task!;
    try {
      const r = await processBatch(init!, task);
      port.postMessage(r, [...r.outputs.map((o) => o.buffer as ArrayBuffer), r.labels.buffer as ArrayBuffer]);
    } catch (e) {
      const err = e as Error;
      port.postMessage({ id: task.id, outputs: [], labels: new Int32Array(0), bad: [], error: { reason: err.message, exitCode: 1, stack: err.stack } } satisfies WorkerResult);
    }
  });
}
