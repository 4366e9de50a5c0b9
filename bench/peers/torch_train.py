#!/usr/bin/python3
"""PyTorch twin of convkit's gtsrb-v1 (Fidle's GTSRB v1) trained on a prepared .h5 set, for the side-by-side table.

Same model (bench/peers/torch_bench.py's build), same data (the .h5 `convkit prepare gtsrb` writes: x_train/y_train,
x_test/y_test, float32 NHWC in [0, 1]), same optimizer (Adam, lr 1e-3), batch 64, a fresh shuffle every epoch,
categorical cross-entropy; trains on the whole of x_train and scores x_test once at the end, as
`convkit train --model gtsrb-v1 --validation test` does. Prints one JSON object.

Run it as the README says: OPENBLAS_CORETYPE kept, OPENBLAS_L2_SIZE unset.
Usage: torch_train.py SET.h5 [--epochs 5] [--batch 64] [--threads 2] [--seed 0]
"""
import argparse
import json
import os
import sys
import time

import h5py
import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import build  # noqa: E402  the same layers as the benchmark twin


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('h5')
    ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    with h5py.File(a.h5, 'r') as f:
        x_train = torch.from_numpy(np.ascontiguousarray(f['x_train'][...].transpose(0, 3, 1, 2)))
        y_train = torch.from_numpy(f['y_train'][...].astype(np.int64))
        x_test = torch.from_numpy(np.ascontiguousarray(f['x_test'][...].transpose(0, 3, 1, 2)))
        y_test = torch.from_numpy(f['y_test'][...].astype(np.int64))
    n, c, h, w = x_train.shape
    model = build(dict(shape=(c, h, w), classes=43, widths=(96, 192, 1500)))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    epochs = []
    t_start = time.perf_counter()
    for e in range(a.epochs):
        model.train()
        order = torch.from_numpy(rng.permutation(n))
        t0, c0 = time.perf_counter(), time.process_time()
        loss_sum, correct = 0.0, 0
        for s in range(0, n, a.batch):
            idx = order[s:s + a.batch]
            xb, yb = x_train[idx], y_train[idx]
            opt.zero_grad(set_to_none=True)
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(idx)
            correct += (out.argmax(1) == yb).sum().item()
        secs = time.perf_counter() - t0
        epochs.append(dict(epoch=e + 1, loss=loss_sum / n, accuracy=correct / n, seconds=secs, images_per_s=n / secs,
                           cpu_images_per_s=n / max(1e-9, time.process_time() - c0)))
        print(json.dumps(epochs[-1]), file=sys.stderr)
    train_s = time.perf_counter() - t_start
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x_test[s:s + 512]).argmax(1) for s in range(0, len(x_test), 512)])
    print(json.dumps(dict(set=os.path.basename(a.h5), epochs=a.epochs, batch=a.batch, threads=a.threads,
                          test_accuracy=(pred == y_test).float().mean().item(), test_count=len(y_test),
                          train_seconds=train_s, images_per_s=n * a.epochs / train_s,
                          torch=torch.__version__, history=epochs)))


if __name__ == '__main__':
    main()
