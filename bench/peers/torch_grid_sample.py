#!/usr/bin/python3
"""PyTorch twin of convkit's spatial transformer (`npm run bench:stn-twin`, bench/stn-twin.ts): reads the inputs and
convkit's results from FILE.json, computes torch.nn.functional.affine_grid + grid_sample (bilinear, zeros padding,
align_corners=False) and the gradients of sum(out * w) with respect to the image, theta and the grid, and prints one
JSON object per case and convkit backend: the largest absolute difference of each quantity and the largest absolute
value of PyTorch's (the scale it is relative to).

Usage: torch_grid_sample.py FILE.json
"""
import json
import sys

import torch
import torch.nn.functional as F


def nhwc_to_nchw(a, shape):
    return torch.tensor(a, dtype=torch.float32).reshape(shape).permute(0, 3, 1, 2).contiguous()


def twin(case):
    b, h, w, c = case['x_shape']
    ho, wo = case['out_size']
    x = nhwc_to_nchw(case['x'], (b, h, w, c)).requires_grad_(True)
    theta = torch.tensor(case['theta'], dtype=torch.float32).reshape(b, 2, 3).requires_grad_(True)
    weights = nhwc_to_nchw(case['w'], (b, ho, wo, c))
    grid = F.affine_grid(theta, size=(b, c, ho, wo), align_corners=False)
    grid.retain_grad()
    out = F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
    (out * weights).sum().backward()
    nhwc = lambda t: t.detach().permute(0, 2, 3, 1).reshape(-1)
    return {'out': nhwc(out), 'dx': nhwc(x.grad), 'dtheta': theta.grad.reshape(-1),
            'grid': grid.detach().reshape(-1), 'dgrid': grid.grad.reshape(-1)}


def main():
    torch.set_num_threads(1)
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    for case in cases:
        ref = twin(case)
        for backend, got in case['convkit'].items():
            row = {'case': case['name'], 'backend': backend, 'torch': torch.__version__}
            for k, want in ref.items():
                have = torch.tensor(got[k], dtype=torch.float32)
                row[k] = {'max_abs_diff': float((have - want).abs().max()), 'max_abs': float(want.abs().max())}
            print(json.dumps(row), flush=True)


if __name__ == '__main__':
    main()
