// The run page's try-it panel, bundled apart (/static/try-it.js, 1.5 MB with tfjs) and loaded when the panel opens:
// draw a digit or drop / paste / choose a photo; the run's own model (tfjs format, from /api/run/model/) classifies it
// in this page, with the WebGL backend, or the CPU one when the browser has no WebGL (the panel says which ran).
// The image reaches the model as `convkit predict` gives it (image/model-input.ts; sharp's part re-implemented in
// image/to-size-js.ts). The tfjs packages register their backends when imported (their API, not a registry of ours).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgl';
import * as tfl from '@tensorflow/tfjs-layers';
import { modelInput } from '../../image/model-input.js';
import { registerConvkitLayers } from '../../models/layers/index.js';
import type { RawImage } from '../../image/raw-image.js';
import { toSizeJs } from '../../image/to-size-js.js';
import { h } from '../../report/views/dom.js';
import { pct } from '../../report/views/format.js';
import type { TryIt, TryItDataset } from './try-it-api.js';

const PAD = 280; // the drawing pad's side in CSS pixels (10× MNIST's 28)
const MAX_MAPS = 32;

/** The renderer of tfjs's own WebGL context: a GPU, or a software rasteriser (SwiftShader, llvmpipe) without one. */
function webglRenderer(): string {
  const gl = (tf.backend() as MathBackendWebGL).gpgpu.gl;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

/** WebGL when the browser gives a working context, else the CPU backend; with the reason shown. */
async function pickBackend(): Promise<{ name: string; note: string }> {
  try {
    if (await tf.setBackend('webgl')) return { name: 'webgl', note: `WebGL on ${webglRenderer()}` };
  } catch {
    /* no WebGL: below */
  }
  await tf.setBackend('cpu');
  return { name: 'cpu', note: 'CPU in JavaScript: this browser gives no WebGL context' };
}

/** Pixels of a canvas as convkit's decoded image: grey when every pixel is opaque grey (as sharp decodes a grey PNG). */
function rawImageOf(ctx: CanvasRenderingContext2D, width: number, height: number): RawImage {
  const rgba = ctx.getImageData(0, 0, width, height).data;
  let grey = true;
  for (let i = 0; i < rgba.length && grey; i += 4) grey = rgba[i] === rgba[i + 1] && rgba[i] === rgba[i + 2] && rgba[i + 3] === 255;
  if (!grey) return { data: new Uint8Array(rgba.buffer.slice(0)), width, height, channels: 4 };
  const data = new Uint8Array(width * height);
  for (let p = 0; p < data.length; p++) data[p] = rgba[p * 4];
  return { data, width, height, channels: 1 };
}

/** One channel (or all three) of NHWC floats in [0, 1] or any range (scaled to its own) into a canvas, square pixels. */
function drawValues(canvas: HTMLCanvasElement, values: ArrayLike<number>, height: number, width: number, channels: number, channel: number | null, scale: number): void {
  let lo = Infinity;
  let hi = -Infinity;
  if (channel === null) [lo, hi] = [0, 1];
  else for (let p = 0; p < height * width; p++) [lo, hi] = [Math.min(lo, values[p * channels + channel]), Math.max(hi, values[p * channels + channel])];
  const range = hi - lo || 1;
  const img = new ImageData(width, height);
  for (let p = 0; p < height * width; p++) {
    for (let k = 0; k < 3; k++) {
      const v = channel === null ? values[p * channels + Math.min(k, channels - 1)] : values[p * channels + channel];
      img.data[p * 4 + k] = Math.round(((v - lo) / range) * 255);
    }
    img.data[p * 4 + 3] = 255;
  }
  const tmp = h('canvas', { width, height });
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  canvas.width = width * scale;
  canvas.height = height * scale;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, canvas.width, canvas.height);
}

async function mount(el: HTMLElement, { id, dataset }: { id: string; dataset?: TryItDataset }): Promise<void> {
  const status = h('p', { id: 'try-status', class: 'muted' }, 'Starting tfjs…');
  el.replaceChildren(status);
  const backend = await pickBackend();
  status.textContent = 'Loading the run’s model…';
  registerConvkitLayers(); // a vision transformer's run names convkit's own layers
  const model = await tfl.loadLayersModel(`/api/run/model/model.json?id=${encodeURIComponent(id)}`);
  const [, height, width, channels] = model.inputs[0].shape as number[];
  const names = dataset?.classNames ?? [];
  const conv = model.layers.find((l) => l.getClassName() === 'Conv2D');
  // one call gives the probabilities and the first convolution's output (its activation included)
  const probe = tfl.model({ inputs: model.inputs, outputs: conv ? [model.outputs[0], conv.output as tfl.SymbolicTensor] : [model.outputs[0]] });
  el.dataset.backend = backend.name;
  status.replaceChildren(
    `${model.name}: input ${height}×${width}×${channels}${dataset?.preparation?.mode ? ` (${dataset.preparation.mode}, as prepared)` : ''}, ${model.outputs[0].shape[1]} classes · runs in this page on `,
    h('b', { id: 'try-backend' }, backend.name),
    ` (${backend.note})`,
  );

  const pad = h('canvas', { id: 'try-pad', width: PAD, height: PAD, title: 'draw with the mouse or a finger' });
  const ctx = pad.getContext('2d', { willReadFrequently: true })!;
  const invert = h('input', { type: 'checkbox', id: 'try-invert' });
  const file = h('input', { type: 'file', id: 'try-file', accept: 'image/*' });
  const shown = h('canvas', { id: 'try-input', title: 'what the model sees' });
  const top = h('ol', { id: 'try-top' });
  const maps = h('div', { id: 'try-maps' });
  /** The image classified: the pad's pixels, or a photo at its own size. */
  let source: { canvas: HTMLCanvasElement; width: number; height: number } = { canvas: pad, width: PAD, height: PAD };
  let count = 0;

  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, PAD, PAD);
    source = { canvas: pad, width: PAD, height: PAD };
  };
  clear();

  async function classify(): Promise<void> {
    const sctx = source.canvas.getContext('2d', { willReadFrequently: true })!;
    const x = await modelInput(rawImageOf(sctx, source.width, source.height), dataset?.preparation, height, width, channels, toSizeJs, invert.checked);
    const outs = tf.tidy(() => [probe.predict(tf.tensor4d(x, [1, height, width, channels]))].flat() as tf.Tensor[]);
    const [p, fm] = await Promise.all(outs.map((t) => t.data()));
    const fmShape = outs[1]?.shape;
    outs.forEach((t) => t.dispose());
    const probabilities = Array.from(p);
    drawValues(shown, x, height, width, channels, null, Math.max(1, Math.floor(112 / width)));
    const ranked = probabilities.map((v, k) => [k, v] as const).sort((a, b) => b[1] - a[1]).slice(0, 5);
    top.replaceChildren(
      ...ranked.map(([k, v], i) =>
        h('li', { 'data-class': k, 'data-p': v, class: i === 0 ? 'top1' : '' },
          h('span', { class: 'try-name' }, names[k] && names[k] !== String(k) ? `${k} ${names[k]}` : String(k)),
          h('span', { class: 'try-bar', style: `width:${Math.max(1, Math.round(v * 160))}px` }),
          h('span', { class: 'try-p' }, pct(v)),
        ),
      ),
    );
    if (conv && fm && fmShape) {
      const [, fh, fw, fk] = fmShape;
      const scale = Math.max(1, Math.floor(84 / fw));
      maps.replaceChildren(
        h('p', { class: 'muted' }, `${conv.name} (${conv.getClassName()}${conv.getConfig().activation ? ` + ${String(conv.getConfig().activation)}` : ''}): ${fh}×${fw}×${fk}${fk > MAX_MAPS ? `, first ${MAX_MAPS}` : ''}, each map scaled to its own range`),
        ...Array.from({ length: Math.min(fk, MAX_MAPS) }, (_, k) => {
          const c = h('canvas', { class: 'try-map', 'data-channel': k, title: `channel ${k}` });
          drawValues(c, fm, fh, fw, fk, k, scale);
          return c;
        }),
      );
    }
    tryIt.last = { input: Array.from(x), probabilities };
    el.dataset.top1 = String(ranked[0][0]);
    el.dataset.classified = String(++count);
  }

  // drawing: pointer events cover mouse, pen and touch
  let drawing = false;
  const at = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * PAD) / r.width, ((e.clientY - r.top) * PAD) / r.height];
  };
  pad.addEventListener('pointerdown', (e) => {
    if (source.canvas !== pad) clear();
    drawing = true;
    pad.setPointerCapture(e.pointerId);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 22;
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(...at(e));
    ctx.lineTo(...at(e));
    ctx.stroke();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    ctx.lineTo(...at(e));
    ctx.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    void classify();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);

  async function usePhoto(blob: Blob): Promise<void> {
    const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const photo = h('canvas', { width: bitmap.width, height: bitmap.height });
    photo.getContext('2d', { willReadFrequently: true })!.drawImage(bitmap, 0, 0);
    source = { canvas: photo, width: bitmap.width, height: bitmap.height };
    // shown on the pad, fitted; classified at its own size
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, PAD, PAD);
    const f = Math.min(PAD / bitmap.width, PAD / bitmap.height);
    ctx.drawImage(bitmap, (PAD - bitmap.width * f) / 2, (PAD - bitmap.height * f) / 2, bitmap.width * f, bitmap.height * f);
    bitmap.close();
    await classify();
  }
  const failed = (e: unknown) => (status.textContent = `cannot read this image: ${e instanceof Error ? e.message : String(e)}`);
  file.addEventListener('change', () => file.files?.[0] && usePhoto(file.files[0]).catch(failed));
  el.addEventListener('dragover', (e) => e.preventDefault());
  el.addEventListener('drop', (e) => {
    e.preventDefault();
    const f = [...(e.dataTransfer?.files ?? [])].find((x) => x.type.startsWith('image/'));
    if (f) usePhoto(f).catch(failed);
  });
  document.addEventListener('paste', (e) => {
    const f = [...(e.clipboardData?.files ?? [])].find((x) => x.type.startsWith('image/'));
    if (f) usePhoto(f).catch(failed);
  });
  invert.addEventListener('change', () => void classify());

  el.append(
    h('div', { class: 'try-row' },
      h('div', { class: 'try-col' },
        pad,
        h('div', { class: 'toolbar' },
          h('button', { id: 'try-clear', onclick: () => (clear(), void classify()) }, 'Clear'),
          h('label', {}, 'photo ', file),
          h('label', { title: 'dark on light (a written digit) → light on dark, as convkit predict --invert' }, invert, ' invert'),
        ),
        h('p', { class: 'muted' }, 'Draw with the mouse or a finger, or drop / paste a photo here.'),
      ),
      h('div', { class: 'try-col' }, h('div', { class: 'muted' }, `what the model sees (${height}×${width}×${channels})`), shown),
      h('div', { class: 'try-col' }, h('div', { class: 'muted' }, 'top 5'), top),
    ),
    h('h3', {}, 'Feature maps of the first convolution'),
    conv ? maps : h('p', { class: 'muted' }, 'This model has no convolution.'),
  );
  el.dataset.ready = '1';
}

const tryIt: TryIt = { mount };
window.convkitTryIt = tryIt;
