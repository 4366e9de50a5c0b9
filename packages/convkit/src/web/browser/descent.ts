// Gradient descent, demystified: full-batch vs mini-batch vs SGD paths on the loss surface of y ≈ w·x + b, and the
// effect of the learning rate.
import { colour, h } from '../../report/views/dom.js';
import { app, lineChart } from './common.js';
import { descend, leastSquares, loss, makeProblem, type Step } from './descent-maths.js';

const P = makeProblem();
const OPT = leastSquares(P);
const W = [-3, 4];
const B = [-3, 3.5];
const SIZE = 360;

function surface(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  canvas.width = SIZE;
  canvas.height = SIZE;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(SIZE, SIZE);
  const lmin = Math.log(loss(P, OPT.w, OPT.b));
  const lmax = Math.log(loss(P, W[0], B[1]) * 2);
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      const w = W[0] + ((W[1] - W[0]) * px) / SIZE;
      const b = B[1] - ((B[1] - B[0]) * py) / SIZE;
      const t = Math.min(1, Math.max(0, (Math.log(loss(P, w, b)) - lmin) / (lmax - lmin)));
      const band = Math.floor(t * 14) % 2 ? 0.93 : 1; // contour bands
      img.data.set([Math.round((40 + 215 * t) * band), Math.round((90 + 120 * (1 - t)) * band), Math.round((200 - 150 * t) * band), 255], (py * SIZE + px) * 4);
    }
  }
  ctx.putImageData(img, 0, 0);
  const [ox, oy] = toPx(OPT.w, OPT.b);
  ctx.fillStyle = '#fff';
  ctx.beginPath();
  ctx.arc(ox, oy, 5, 0, 2 * Math.PI);
  ctx.fill();
  ctx.fillStyle = '#000';
  ctx.font = '12px system-ui';
  ctx.fillText('minimum', ox + 7, oy - 6);
  ctx.fillText('w →', SIZE - 30, SIZE - 6);
  ctx.fillText('b ↑', 4, 14);
  return ctx;
}

function toPx(w: number, b: number): [number, number] {
  return [((w - W[0]) / (W[1] - W[0])) * SIZE, ((B[1] - b) / (B[1] - B[0])) * SIZE];
}

function drawPath(ctx: CanvasRenderingContext2D, path: Step[], c: string): void {
  ctx.strokeStyle = c;
  ctx.lineWidth = 1.6;
  ctx.beginPath();
  path.forEach((s, i) => {
    const [x, y] = toPx(Math.max(W[0] - 50, Math.min(W[1] + 50, s.w)), Math.max(B[0] - 50, Math.min(B[1] + 50, s.b)));
    if (i) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
  });
  ctx.stroke();
  const end = path.at(-1)!;
  const [x, y] = toPx(end.w, end.b);
  ctx.fillStyle = c;
  ctx.fillRect(x - 3, y - 3, 6, 6);
}

const lrFromSlider = (v: number): number => Math.pow(10, v); // slider holds log10(lr)

function main() {
  const lrSlider = h('input', { type: 'range', id: 'lr', min: -3, max: 0.1, step: 0.01, value: Math.log10(0.1) });
  const epochsSlider = h('input', { type: 'range', id: 'epochs', min: 1, max: 30, step: 1, value: 5 });
  const batchSelect = h('select', { id: 'batch' }, ...[8, 16, 32, 64].map((n) => h('option', { value: n, selected: n === 16 }, String(n))));
  const lrText = h('span', { id: 'lr-value' });
  const epochsText = h('span');
  const canvas = h('canvas', { class: 'px', id: 'surface' });
  const legend = h('div', { id: 'legend' });
  const chart = h('div', { class: 'chart', id: 'loss-chart', style: 'width:560px' });
  const lrCanvas = h('canvas', { class: 'px', id: 'lr-surface' });
  const lrLegend = h('div');
  const lrChart = h('div', { class: 'chart', style: 'width:560px' });

  app.replaceChildren(
    h('h1', {}, 'Gradient descent, demystified'),
    h('p', {}, `Fit a line y ≈ w·x + b to ${P.n} noisy points (true w = ${P.trueW}, b = ${P.trueB}) by minimising the mean squared error. Two parameters, so the whole loss surface fits on screen; lighter = lower loss, the white dot is the exact minimum (w = ${OPT.w.toFixed(3)}, b = ${OPT.b.toFixed(3)}).`),
    h('div', { class: 'formula' }, 'L(w, b) = (1/m) Σᵢ (w·xᵢ + b − yᵢ)²      ∂L/∂w = (2/m) Σᵢ (w·xᵢ + b − yᵢ)·xᵢ      ∂L/∂b = (2/m) Σᵢ (w·xᵢ + b − yᵢ)\nstep:  w ← w − η·∂L/∂w,  b ← b − η·∂L/∂b      over m = all points (full batch), a mini-batch, or one point (SGD)'),
    h('h2', {}, 'Full batch, mini-batch and SGD'),
    h('div', { class: 'toolbar' }, h('label', {}, 'learning rate η ', lrSlider, ' ', lrText), h('label', {}, 'epochs ', epochsSlider, ' ', epochsText), h('label', {}, 'mini-batch size ', batchSelect)),
    h('div', { class: 'step' }, canvas, h('div', {}, legend, chart)),
    h('h2', {}, 'The learning rate (full batch)'),
    h('p', { class: 'muted' }, 'Too small crawls, a good one goes straight in, too large oscillates across the valley, larger still diverges (here beyond η ≈ 1, 2 / the largest curvature of L).'),
    h('div', { class: 'step' }, lrCanvas, h('div', {}, lrLegend, lrChart)),
  );

  function draw() {
    const lr = lrFromSlider(Number(lrSlider.value));
    const epochs = Number(epochsSlider.value);
    const mb = Number(batchSelect.value);
    lrText.textContent = lr.toPrecision(2);
    epochsText.textContent = String(epochs);
    const methods = [
      { name: `full batch (${P.n} points, ${epochs} steps)`, batchSize: P.n },
      { name: `mini-batch of ${mb} (${epochs * Math.ceil(P.n / mb)} steps)`, batchSize: mb },
      { name: `SGD, one point (${epochs * P.n} steps)`, batchSize: 1 },
    ];
    const ctx = surface(canvas);
    const paths = methods.map((m) => descend(P, { batchSize: m.batchSize, lr, epochs }));
    paths.forEach((p, i) => drawPath(ctx, p, colour(i)));
    legend.replaceChildren(...methods.map((m, i) => h('div', { 'data-method': i }, h('span', { style: `color:${colour(i)}` }, '■ '), `${m.name}: final loss ${paths[i].at(-1)!.loss.toPrecision(4)} (minimum ${loss(P, OPT.w, OPT.b).toPrecision(4)})`)));
    lineChart(chart, { title: 'loss over the whole data set', xLabel: 'epoch', width: 540, height: 220, series: paths.map((p, i) => ({ label: ['full batch', 'mini-batch', 'SGD'][i], x: p.map((s) => s.epoch), y: p.map((s) => s.loss), colour: colour(i) })) });

    const lrs = [0.02, 0.3, 0.9, 1.05];
    const lctx = surface(lrCanvas);
    const lpaths = lrs.map((r) => descend(P, { batchSize: P.n, lr: r, epochs: 12 }));
    lpaths.forEach((p, i) => drawPath(lctx, p, colour(i + 4)));
    lrLegend.replaceChildren(...lrs.map((r, i) => h('div', {}, h('span', { style: `color:${colour(i + 4)}` }, '■ '), `η = ${r}: loss after 12 steps ${lpaths[i].at(-1)!.loss.toPrecision(4)}`)));
    lineChart(lrChart, { title: 'loss per step (clipped at 50)', xLabel: 'step', width: 540, height: 220, series: lpaths.map((p, i) => ({ label: `η = ${lrs[i]}`, x: p.map((_, k) => k), y: p.map((s) => Math.min(s.loss, 50)), colour: colour(i + 4) })) });
    document.body.dataset.ready = '1';
  }
  for (const c of [lrSlider, epochsSlider, batchSelect]) c.addEventListener('input', draw);
  draw();
}
main();
