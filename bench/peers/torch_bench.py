#!/usr/bin/python3
"""PyTorch peer for `npm run bench`: the same models, shapes and optimizer
(Adam, lr 1e-3, categorical cross-entropy) as bench/models.ts, on CPU with a
fixed number of threads. Prints one JSON object per model on stdout.

Usage: torch_bench.py --threads 2 --seconds 10 [--models mnist-cnn,gtsrb-v1-24,gtsrb-v1-48,vit-tiny,vit-tiny-32]
       torch_bench.py --params [--models ...]   (parameter counts only, no timing)
       torch_bench.py --same-function FILE.json    (convkit's weights, input and output: does the twin agree?)
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
    'vit-tiny': dict(kind='vit', shape=(1, 28, 28), classes=10, batch=128),
    'vit-tiny-32': dict(kind='vit', shape=(3, 32, 32), classes=43, batch=128),
}

# convkit's vit-tiny (docs/training.md): patch size 4, width 64, 4 blocks, 4 heads, MLP 128.
VIT = dict(patch=4, dim=64, depth=4, heads=4, mlp=128, dropout=0.1, eps=1e-6)


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


class SelfAttention(nn.Module):
    """Multi-head self-attention as convkit's: separate q, k, v Dense(dim) with bias; head h is channels
    h*dim/heads ... (h+1)*dim/heads - 1; softmax(q_h k_h^T / sqrt(dim/heads)) v_h, heads concatenated back.
    No dropout on the attention weights. (torch 1.13 has no scaled_dot_product_attention.)"""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)

    def forward(self, x):
        b, t, d = x.shape
        split = lambda z: z.view(b, t, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731  [B, h, T, d/h]
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        a = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) * self.scale, dim=-1)
        return torch.matmul(a, v).transpose(1, 2).reshape(b, t, d)


class Block(nn.Module):
    """Pre-norm: x + Drop(Dense(MHSA(LN(x)))), then x + Drop(Dense(GELU(Dense(LN(x)))))."""

    def __init__(self, dim, heads, mlp, dropout, eps):
        super().__init__()
        self.ln1, self.attn, self.proj = nn.LayerNorm(dim, eps=eps), SelfAttention(dim, heads), nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp), nn.GELU(), nn.Linear(mlp, dim))  # exact erf GELU
        self.drop1, self.drop2 = nn.Dropout(dropout), nn.Dropout(dropout)

    def forward(self, x):
        x = x + self.drop1(self.proj(self.attn(self.ln1(x))))
        return x + self.drop2(self.mlp(self.ln2(x)))


class VitTiny(nn.Module):
    """Patch embedding (strided conv), learned position embedding, pre-norm blocks, LN, mean over tokens, Dense(K)."""

    def __init__(self, shape, classes, patch, dim, depth, heads, mlp, dropout, eps):
        super().__init__()
        c, h, w = shape
        self.embed = nn.Conv2d(c, dim, patch, stride=patch)
        self.pos = nn.Parameter(torch.empty((h // patch) * (w // patch), dim))
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp, dropout, eps) for _ in range(depth)])
        self.ln = nn.LayerNorm(dim, eps=eps)
        self.head = nn.Linear(dim, classes)
        # tfjs-layers' initialisers: glorot-uniform kernels, zero biases, position embedding normal(0.02).
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.xavier_uniform_(m.weight)
                nn.init.zeros_(m.bias)
        nn.init.normal_(self.pos, std=0.02)

    def forward(self, x):
        x = self.embed(x).flatten(2).transpose(1, 2)  # [B, T, dim], tokens row-major like the NHWC reshape
        x = self.blocks(self.drop(x + self.pos))
        return self.head(self.ln(x).mean(dim=1))  # softmax folded into the loss


def vit_params(shape, classes, patch, dim, depth, heads, mlp, **_):
    """The parameter count of the fixed architecture, from its description (not from the module)."""
    c, h, w = shape
    block = 2 * 2 * dim + 4 * (dim * dim + dim) + (dim * mlp + mlp) + (mlp * dim + dim)
    return (patch * patch * c * dim + dim) + (h // patch) * (w // patch) * dim + depth * block + 2 * dim + \
        dim * classes + classes


def load_convkit_vit(model, weights):
    """Copies a convkit vit-tiny's weights ({layer, weight, shape, values} in tfjs's layouts) into the twin."""
    state = {}
    for w in weights:
        layer, name = w['layer'], w['weight']
        t = torch.tensor(w['values'], dtype=torch.float32).reshape(w['shape'])
        if layer == 'pos_embed':
            state['pos'] = t
            continue
        if layer in ('patch_embed', 'ln', 'classes'):
            target = dict(patch_embed='embed', ln='ln', classes='head')[layer]
        else:  # b{i}_ln1, b{i}_mhsa, b{i}_ln2, b{i}_mlp1, b{i}_mlp2
            prefix, _, part = layer.partition('_')
            block = f'blocks.{int(prefix[1:]) - 1}'
            if part == 'mhsa':  # query_kernel, query_bias, ..., output_bias
                proj, _, name = name.partition('_')
                target = f'{block}.' + dict(query='attn.q', key='attn.k', value='attn.v', output='proj')[proj]
            else:
                target = f'{block}.' + dict(ln1='ln1', ln2='ln2', mlp1='mlp.0', mlp2='mlp.2')[part]
        if name == 'kernel':  # conv HWIO -> OIHW, dense [in, out] -> [out, in]
            t = t.permute(3, 2, 0, 1) if t.dim() == 4 else t.t()
        state[f'{target}.' + dict(kernel='weight', gamma='weight', bias='bias', beta='bias')[name]] = t
    model.load_state_dict(state, strict=True)  # every parameter of the twin set, none left over


def same_function(path):
    """Max |convkit - twin| of the class probabilities on convkit's weights and input (both in inference mode)."""
    with open(path) as f:
        d = json.load(f)
    spec = SPECS[d['model']]
    model = build_model(spec)
    load_convkit_vit(model, d['weights'])
    model.eval()
    x = torch.tensor(d['x']['values'], dtype=torch.float32).reshape(d['x']['shape']).permute(0, 3, 1, 2)
    with torch.no_grad():
        p = torch.softmax(model(x), dim=1)
    ref = torch.tensor(d['y']['values'], dtype=torch.float32).reshape(d['y']['shape'])
    return dict(model=d['model'], images=x.shape[0], max_abs_diff=(p - ref).abs().max().item(),
                params=sum(t.numel() for t in model.parameters()))


def build_model(spec):
    if spec.get('kind') != 'vit':
        return build(spec)
    model = VitTiny(spec['shape'], spec['classes'], **VIT)
    n = sum(p.numel() for p in model.parameters())
    if n != vit_params(spec['shape'], spec['classes'], **VIT):
        raise AssertionError(f'vit-tiny twin has {n} parameters, its description {vit_params(spec["shape"], spec["classes"], **VIT)}')
    return model


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
    model = build_model(spec)
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
                train_step_ms=1e3 * train_s, infer_step_ms=1e3 * infer_s,
                params=sum(p.numel() for p in model.parameters()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seconds', type=float, default=10.0)
    ap.add_argument('--models', default=','.join(SPECS))
    ap.add_argument('--params', action='store_true', help='print each model\'s parameter count, time nothing')
    ap.add_argument('--same-function', metavar='FILE', help='compare the twin with convkit\'s output in FILE')
    args = ap.parse_args()
    if args.same_function:
        print(json.dumps(same_function(args.same_function)))
        return
    torch.set_num_threads(args.threads)
    for m in args.models.split(','):
        if args.params:
            print(json.dumps(dict(model=m, params=sum(p.numel() for p in build_model(SPECS[m]).parameters()))))
            continue
        r = run(m, args.seconds)
        r.update(threads=torch.get_num_threads(), torch=torch.__version__)
        print(json.dumps(r), flush=True)


if __name__ == '__main__':
    sys.exit(main())
