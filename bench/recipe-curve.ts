// Learning curves of a run as one SVG for the README: training and validation accuracy (left axis, %) and the
// learning rate (right axis) per epoch, from the run's metrics.jsonl.
//   node --import tsx bench/recipe-curve.ts RUN_DIR OUT.svg [title]
// Hand-written: a few lines of SVG keep the README's figure a plain file (uPlot needs a browser to draw).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [dir, out, title = path.basename(process.argv[2] ?? '')] = process.argv.slice(2);
if (!dir || !out) throw new Error('usage: recipe-curve.ts RUN_DIR OUT.svg [title]');
const rows = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
const W = 640, H = 320, L = 50, R = 60, T = 30, B = 40;
const n = rows.length;
const x = (e: number) => L + ((e - 1) / Math.max(1, n - 1)) * (W - L - R);
const accLo = Math.floor(Math.min(...rows.map((r) => Math.min(r.accuracy, r.val_accuracy ?? 1))) * 20) / 20;
const yAcc = (a: number) => T + (1 - (a - accLo) / (1 - accLo)) * (H - T - B);
const lrMax = Math.max(...rows.map((r) => r.lr ?? 0)) || 1;
const yLr = (v: number) => T + (1 - v / lrMax) * (H - T - B);
const line = (pts: [number, number][], color: string, dash = '') =>
  `<polyline fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''} points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`;
const parts: string[] = [`<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${title}</text>`];
for (let k = 0; k <= 4; k++) {
  const a = accLo + ((1 - accLo) * k) / 4;
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${yAcc(a)}" y2="${yAcc(a)}" stroke="#ddd"/>`, `<text x="${L - 6}" y="${yAcc(a) + 4}" text-anchor="end" font-size="11">${(a * 100).toFixed(1)}</text>`);
  parts.push(`<text x="${W - R + 6}" y="${yLr((lrMax * k) / 4) + 4}" font-size="11" fill="#999">${((lrMax * k) / 4).toExponential(1)}</text>`);
}
for (const r of rows) parts.push(`<text x="${x(r.epoch)}" y="${H - B + 16}" text-anchor="middle" font-size="11">${r.epoch}</text>`);
parts.push(`<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle" font-size="12">epoch</text>`);
parts.push(line(rows.map((r) => [x(r.epoch), yLr(r.lr ?? 0)]), '#999', '4 3'));
parts.push(line(rows.map((r) => [x(r.epoch), yAcc(r.accuracy)]), '#1f77b4'));
parts.push(line(rows.filter((r) => r.val_accuracy !== undefined).map((r) => [x(r.epoch), yAcc(r.val_accuracy)]), '#d62728'));
parts.push(`<text x="${L + 140}" y="${H - B - 50}" font-size="12" fill="#1f77b4">training accuracy % (augmented batches)</text>`, `<text x="${L + 140}" y="${H - B - 34}" font-size="12" fill="#d62728">validation accuracy % (held-out tracks)</text>`, `<text x="${L + 140}" y="${H - B - 18}" font-size="12" fill="#999">learning rate (right axis)</text>`);
writeFileSync(out, `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">${parts.join('')}</svg>\n`);
