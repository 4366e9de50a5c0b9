#!/usr/bin/python3
"""PyTorch peer for `npm run bench`: the same models, shapes and optimizer
(Adam, lr 1e-3, categorical cross-entropy) as bench/models.ts, on CPU with a
fixed number of threads. Prints one JSON object per model on stdout.

Usage: torch_bench.py --threads 2 --seconds 10 [--models mnist-cnn,gtsrb-v1-24,gtsrb-v1-48]
"""
import argparse
import json
import sys
import time

import torch
from torch import nn

SPECS = {
    'mnist-cnn': dict(shape=(1, 28, 28), classes=10, batch=512, widths=(8, 16, 100)),
    'gtsrb-v1-24': dict(shape=(1, 24, 24), classes=43, batch=64, widths=(96, 192, 1500)),
    'gtsrb-v1-48': dict(shape=(3, 48, 48), classes=43, batch=64, widths=(96, 192, 1500)),
}


def build(spec):
    c, h, w = spec['shape']
    c1, c2, d = spec['widths']
    h2, w2 = ((h - 2) // 2 - 2) // 2, ((w - 2) // 2 - 2) // 2
    # Softmax is folded into the loss (CrossEntropyLoss), as is usual in PyTorch.
    return nn.Sequential(
        nn.Conv2d(c, c1, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.2),
        nn.Conv2d(c1, c2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.2),
        nn.Flatten(), nn.Linear(c2 * h2 * w2, d), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(d, spec['classes']))


def timed(fn, seconds, min_iters=3):
    """Seconds per call: (wall, process CPU time of all threads)."""
    fn()  # warm-up (allocations, kernel selection)
    fn()
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while n < min_iters or time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return (time.perf_counter() - t0) / n, (time.process_time() - c0) / n


def run(model_id, seconds):
    spec = SPECS[model_id]
    torch.manual_seed(0)
    model = build(spec)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    b = spec['batch']
    x = torch.rand(b, *spec['shape'])
    y = torch.randint(0, spec['classes'], (b,))

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    model.train()
    train_s, train_cpu = timed(train_step, seconds)
    model.eval()
    with torch.no_grad():
        infer_s, infer_cpu = timed(lambda: model(x), seconds / 2)
    return dict(model=model_id, batch=b, train_img_s=b / train_s, infer_img_s=b / infer_s,
                train_img_cpu_s=b / train_cpu, infer_img_cpu_s=b / infer_cpu,
                train_step_ms=1e3 * train_s, infer_step_ms=1e3 * infer_s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seconds', type=float, default=10.0)
    ap.add_argument('--models', default=','.join(SPECS))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for m in args.models.split(','):
        r = run(m, args.seconds)
        r.update(threads=torch.get_num_threads(), torch=torch.__version__)
        print(json.dumps(r), flush=True)


if __name__ == '__main__':
    sys.exit(main())
