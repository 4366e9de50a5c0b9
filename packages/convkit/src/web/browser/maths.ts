// The maths, demystified: a real image of the run's dataset through a 3×3 convolution, ReLU and 2×2 max pooling,
// number by number; then the run's trained first-layer filters and their feature maps.
import { h } from '../../report/views/dom.js';
import type { FirstLayer, RunSummary, SampleImage } from '../api-types.js';
import { api, app, message } from './common.js';
import { conv2dValid, maxPool2, PRESET_KERNELS, relu, toGray, windowAt } from './conv-maths.js';

const params = new URLSearchParams(location.search);
const fmt = (v: number): string => (Math.abs(v) < 0.005 ? '0' : v.toFixed(2));

/** Draws a map: grey for images (0..1), blue–white–red for signed values scaled by their largest magnitude. */
interface Box {
  i: number;
  j: number;
  k: number;
  kh?: number;
}

function drawMap(canvas: HTMLCanvasElement, values: ArrayLike<number>, h: number, w: number, scale: number, { signed = false, box = null as Box | null, boxColour = '#f5a623' } = {}): void {
  canvas.width = w * scale;
  canvas.height = h * scale;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(w, h);
  let m = 0;
  for (let p = 0; p < values.length; p++) m = Math.max(m, Math.abs(values[p]));
  m ||= 1;
  for (let p = 0; p < h * w; p++) {
    const v = values[p];
    let r;
    let g;
    let b;
    if (!signed) r = g = b = Math.round(Math.max(0, Math.min(1, v)) * 255);
    else {
      const t = v / m;
      r = t < 0 ? Math.round(255 * (1 + t)) : 255;
      b = t > 0 ? Math.round(255 * (1 - t)) : 255;
      g = Math.round(255 * (1 - Math.abs(t)));
    }
    img.data.set([r, g, b, 255], p * 4);
  }
  const tmp = document.createElement('canvas');
  tmp.width = w;
  tmp.height = h;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, w * scale, h * scale);
  if (box) {
    ctx.strokeStyle = boxColour;
    ctx.lineWidth = 2;
    ctx.strokeRect(box.j * scale + 1, box.i * scale + 1, box.k * scale - 2, (box.kh ?? box.k) * scale - 2);
  }
}

function numbers(values: number[], k: number, cls = 'numbers'): HTMLTableElement {
  const t = h('table', { class: cls });
  for (let u = 0; u < k; u++) t.append(h('tr', {}, ...values.slice(u * k, u * k + k).map((v) => h('td', {}, fmt(v)))));
  return t;
}

function thumbOf(sample: SampleImage, scale = 2): { canvas: HTMLCanvasElement; bytes: Uint8Array } {
  const c = h('canvas', { class: 'thumb', title: `test image #${sample.index}: ${sample.name}`, 'data-index': sample.index });
  const bytes = Uint8Array.from(atob(sample.pixels), (ch) => ch.charCodeAt(0));
  c.width = sample.width * scale;
  c.height = sample.height * scale;
  const ctx = c.getContext('2d')!;
  const img = ctx.createImageData(sample.width, sample.height);
  for (let p = 0; p < sample.width * sample.height; p++) {
    const s = sample.channels === 1 ? [bytes[p], bytes[p], bytes[p]] : [bytes[p * 3], bytes[p * 3 + 1], bytes[p * 3 + 2]];
    img.data.set([...s, 255], p * 4);
  }
  const tmp = document.createElement('canvas');
  tmp.width = sample.width;
  tmp.height = sample.height;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, c.width, c.height);
  return { canvas: c, bytes };
}

async function pickRun(): Promise<string | null> {
  const { runs } = await api<{ runs: RunSummary[] }>('/api/runs');
  if (!runs.length) {
    app.replaceChildren(h('h1', {}, 'The maths, demystified'), h('p', { class: 'muted' }, 'No run yet: train one (e.g. convkit train --model mnist-cnn --out RUNS/cnn) and come back.'));
    return null;
  }
  const withConv = runs.find((r) => /cnn|gtsrb/i.test(r.model ?? '') && r.state === 'completed') ?? runs[0];
  return withConv.id;
}

async function main() {
  const picked = params.get('id') ?? (await pickRun());
  if (!picked) return;
  const id: string = picked;
  const [{ runs }, { images }] = await Promise.all([api<{ runs: RunSummary[] }>('/api/runs'), api<{ images: SampleImage[] }>(`/api/run/samples?id=${encodeURIComponent(id)}&count=16`)]);
  let first: FirstLayer | null = null;
  try {
    first = await api<FirstLayer>(`/api/run/first-layer?id=${encodeURIComponent(id)}&image=${images[0].index}`);
  } catch {
    first = null; // a dense model or a run without weights yet: preset kernels only
  }
  const runSelect = h('select', { id: 'run-select', onchange: (e) => (location.href = `/maths?id=${encodeURIComponent((e.target as HTMLSelectElement).value)}`) }, ...runs.map((r) => h('option', { value: r.id, selected: r.id === id }, `${r.id} (${r.model ?? '?'})`)));
  const kernels: Record<string, { k: number[]; b: number }> = {};
  if (first && first.kernelSize[0] === 3 && first.kernelSize[1] === 3) {
    const trained = first;
    trained.kernel.forEach((perChannel, f) => {
      // an RGB filter acts on the luminance here: the sum of its channel kernels is its response to a grey image
      const k = perChannel[0].map((_, p) => perChannel.reduce((s, ch) => s + ch[p], 0));
      kernels[`trained filter ${f} of ${trained.layer}${trained.inChannels > 1 ? ' (channels summed)' : ''}`] = { k, b: trained.bias[f] };
    });
  }
  for (const [name, k] of Object.entries(PRESET_KERNELS)) kernels[name] = { k, b: 0 };
  let kernelName = Object.keys(kernels)[0];
  let sample = images[0];
  let pos = -1; // -1: the centre of the image, where the digit or sign is
  let timer: ReturnType<typeof setInterval> | null = null;

  const thumbs = h('div', { class: 'grid', id: 'images' });
  const kernelSelect = h('select', { id: 'kernel' }, ...Object.keys(kernels).map((n) => h('option', { value: n }, n)));
  const posSlider = h('input', { type: 'range', id: 'position', min: 0, value: 0, style: 'width:280px' });
  const play = h('button', { id: 'play' }, '▶ slide');
  const conv = h('div', { id: 'conv' });
  const reluBox = h('div', { id: 'relu' });
  const poolBox = h('div', { id: 'pool' });
  const filtersBox = h('div', { id: 'filters' });

  app.replaceChildren(
    h('h1', {}, 'The maths, demystified'),
    h('div', { class: 'toolbar' }, h('label', {}, 'run ', runSelect), h('a', { href: `/run?id=${encodeURIComponent(id)}` }, 'run page'), h('a', { href: '/descent' }, 'gradient descent →')),
    h('h2', {}, '1. Pick a real test image of this run’s dataset'),
    thumbs,
    h('h2', {}, '2. A 3×3 convolution slides over it'),
    h('div', { class: 'toolbar' }, h('label', {}, 'kernel ', kernelSelect), h('label', {}, 'window ', posSlider), play),
    conv,
    h('h2', {}, '3. ReLU keeps the positive part'),
    reluBox,
    h('h2', {}, '4. 2×2 max pooling keeps the largest of each block'),
    poolBox,
    h('h2', {}, '5. What the trained first layer sees'),
    filtersBox,
  );

  for (const s of images) {
    const { canvas } = thumbOf(s, s.width <= 32 ? 2 : 1);
    canvas.addEventListener('click', () => {
      sample = s;
      pos = -1;
      for (const c of thumbs.children) c.classList.toggle('on', c === canvas);
      draw();
      drawFilters();
    });
    thumbs.append(canvas);
  }
  thumbs.firstElementChild?.classList.add('on');
  kernelSelect.addEventListener('change', () => {
    kernelName = kernelSelect.value;
    draw();
  });
  posSlider.addEventListener('input', () => {
    pos = Number(posSlider.value);
    draw();
  });
  play.addEventListener('click', () => {
    if (timer) {
      clearInterval(timer);
      timer = null;
      play.textContent = '▶ slide';
      return;
    }
    play.textContent = '⏸ pause';
    timer = setInterval(() => {
      pos = (pos + 1) % (Number(posSlider.max) + 1);
      draw();
    }, 80);
  });

  function draw() {
    const bytes = Uint8Array.from(atob(sample.pixels), (ch) => ch.charCodeAt(0));
    const ih = sample.height;
    const iw = sample.width;
    const x = toGray(bytes, ih, iw, sample.channels);
    const { k, b } = kernels[kernelName];
    const c = conv2dValid(x, ih, iw, k, b);
    if (pos < 0) pos = Math.floor(c.height / 2) * c.width + Math.floor(c.width / 2) - 3;
    posSlider.max = String(c.height * c.width - 1);
    posSlider.value = String(pos);
    const i = Math.floor(pos / c.width);
    const j = pos % c.width;
    const win = windowAt(x, iw, i, j);
    const prods = win.map((v, p) => v * k[p]);
    const z = c.out[i * c.width + j];
    const scale = Math.max(3, Math.floor(240 / Math.max(ih, iw)));
    const inCanvas = h('canvas', { class: 'px', id: 'conv-input' });
    drawMap(inCanvas, x, ih, iw, scale, { box: { i, j, k: 3 } });
    const outCanvas = h('canvas', { class: 'px', id: 'conv-output' });
    drawMap(outCanvas, c.out, c.height, c.width, scale, { signed: true, box: { i, j, k: 1 } });
    outCanvas.addEventListener('click', (e) => {
      const r = outCanvas.getBoundingClientRect();
      pos = Math.floor((e.clientY - r.top) / scale) * c.width + Math.floor((e.clientX - r.left) / scale);
      draw();
    });
    conv.replaceChildren(
      h(
        'div',
        { class: 'step' },
        h('div', {}, h('div', { class: 'muted' }, `input ${ih}×${iw}${sample.channels > 1 ? ' (luminance of the RGB image)' : ''}: ${sample.name}`), inCanvas),
        h('div', {}, h('div', { class: 'muted' }, `window at row ${i}, column ${j}`), numbers(win, 3), h('div', { class: 'muted', style: 'margin-top:8px' }, 'kernel'), numbers(k, 3)),
        h('div', {}, h('div', { class: 'muted' }, 'products x·k'), numbers(prods, 3), h('p', { id: 'conv-value' }, `z = Σ x·k + b = ${prods.map(fmt).join(' + ').replace(/\+ -/g, '− ')} + ${fmt(b)} = `, h('b', {}, z.toFixed(3)))),
        h('div', {}, h('div', { class: 'muted' }, `output ${c.height}×${c.width} (click a cell)`), outCanvas),
      ),
      h('div', { class: 'formula' }, `z[i,j] = b + Σ_{u=0..2} Σ_{v=0..2} x[i+u, j+v] · k[u,v]      ("valid": the output is ${ih}−2 × ${iw}−2; Keras's Conv2D computes exactly this, with one kernel per input channel summed)`),
    );
    const r = relu(c.out);
    const reluCanvas = h('canvas', { class: 'px', id: 'relu-output' });
    drawMap(reluCanvas, r, c.height, c.width, scale, { signed: true, box: { i, j, k: 1 } });
    reluBox.replaceChildren(
      h('div', { class: 'step' }, reluCanvas, h('p', {}, `ReLU(${z.toFixed(3)}) = max(0, ${z.toFixed(3)}) = `, h('b', { id: 'relu-value' }, Math.max(0, z).toFixed(3)), h('br'), `${r.filter((v) => v === 0).length} of ${r.length} values become 0.`)),
      h('div', { class: 'formula' }, 'a[i,j] = max(0, z[i,j])      (negative responses — "this pattern is absent" — are cut to zero)'),
    );
    const p = maxPool2(r, c.height, c.width);
    const pi = Math.min(p.height - 1, Math.floor(i / 2));
    const pj = Math.min(p.width - 1, Math.floor(j / 2));
    const block = [r[2 * pi * c.width + 2 * pj], r[2 * pi * c.width + 2 * pj + 1], r[(2 * pi + 1) * c.width + 2 * pj], r[(2 * pi + 1) * c.width + 2 * pj + 1]];
    const inPool = h('canvas', { class: 'px' });
    drawMap(inPool, r, c.height, c.width, scale, { signed: true, box: { i: 2 * pi, j: 2 * pj, k: 2 } });
    const poolCanvas = h('canvas', { class: 'px', id: 'pool-output' });
    drawMap(poolCanvas, p.out, p.height, p.width, scale * 2, { signed: true, box: { i: pi, j: pj, k: 1 } });
    poolBox.replaceChildren(
      h('div', { class: 'step' }, inPool, h('div', {}, h('div', { class: 'muted' }, `block (${2 * pi}..${2 * pi + 1}, ${2 * pj}..${2 * pj + 1})`), numbers(block, 2), h('p', {}, 'max = ', h('b', { id: 'pool-value' }, p.out[pi * p.width + pj].toFixed(3)))), h('div', {}, h('div', { class: 'muted' }, `pooled ${p.height}×${p.width}`), poolCanvas)),
      h('div', { class: 'formula' }, 'p[i,j] = max(a[2i,2j], a[2i,2j+1], a[2i+1,2j], a[2i+1,2j+1])      (half the size, keeps "the pattern is somewhere here")'),
    );
  }

  async function drawFilters() {
    if (!first) {
      filtersBox.replaceChildren(h('p', { class: 'muted' }, 'This run has no convolution with saved weights (a dense model, or no checkpoint yet): pick a CNN run above.'));
      return;
    }
    let layer = first;
    if (layer.image !== sample.index) layer = first = await api<FirstLayer>(`/api/run/first-layer?id=${encodeURIComponent(id)}&image=${sample.index}`);
    const [kh, kw] = layer.kernelSize;
    const grid = h('div', { class: 'grid', id: 'feature-maps' });
    const ms = Math.max(2, Math.floor(112 / layer.mapWidth));
    layer.maps.forEach((m, f) => {
      const kc = h('canvas', { class: 'px', title: `filter ${f}` });
      const k = layer.kernel[f][0].map((_, p) => layer.kernel[f].reduce((s, ch) => s + ch[p], 0));
      drawMap(kc, k, kh, kw, Math.floor(48 / kw), { signed: true });
      const mc = h('canvas', { class: 'px', title: `feature map ${f}` });
      drawMap(mc, m, layer.mapHeight, layer.mapWidth, ms, { signed: true });
      grid.append(h('div', { class: 'fmap', 'data-filter': f }, kc, h('br'), mc, h('br'), `filter ${f}`));
    });
    filtersBox.replaceChildren(
      h('p', { class: 'muted' }, `${layer.layer}: ${layer.filters} filters of ${kh}×${kw}×${layer.inChannels} (${layer.padding} padding, ${layer.activation}), weights from ${layer.weights}; above each feature map its kernel${layer.inChannels > 1 ? ' (channels summed)' : ''}. Computed by the model itself on test image #${layer.image}.`),
      grid,
    );
  }

  draw();
  await drawFilters();
  document.body.dataset.ready = '1';
}
main().catch((e) => app.replaceChildren(h('p', { class: 'error' }, message(e))));
