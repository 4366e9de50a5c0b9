#!/usr/bin/env python3
"""The course's GTSRB preparation (Fidle GTSRB1 `images_enhancement`) in scikit-image, timed per variant.

Usage: /usr/bin/python3 bench/peers/skimage_prepare.py --sizes 24,48 --modes RGB,RGB-HE,L,L-HE,L-LHE,L-CLAHE
       (--list FILE_OF_PATHS | FILE...)
Reads the PPM files (decode timed once, like convkit's single decoding pass), then for each size × mode runs
resize + mode on every image (as the notebook does, one variant after the other) and prints one JSON line:
{"decode_s": ..., "variants": {"24-L": wall seconds, ...}, "cpu": {"24-L": CPU seconds, ...}, "images": n}.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from skimage import transform


# The course's pipeline is defined once, in the script that made the test references, so the
# benchmark times exactly what the tests compare convkit against.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../packages/convkit/test-fixtures'))
from make_skimage_reference import apply_mode, read_ppm  # noqa: E402


def enhance(images, size, mode):
    """Fidle GTSRB1 images_enhancement, one variant."""
    out = np.array([apply_mode(transform.resize(img, (size, size)), mode) for img in images], dtype=np.float32)
    if mode.startswith('L'):
        out = out.reshape(-1, size, size, 1)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sizes', default='24,48')
    ap.add_argument('--modes', default='RGB,RGB-HE,L,L-HE,L-LHE,L-CLAHE')
    ap.add_argument('--list', help='a file holding one image path per line')
    ap.add_argument('files', nargs='*')
    a = ap.parse_args()
    files = a.files + ([l.strip() for l in open(a.list) if l.strip()] if a.list else [])
    t = time.perf_counter()
    images = [read_ppm(f) for f in files]
    res = {'decode_s': time.perf_counter() - t, 'variants': {}, 'cpu': {}, 'images': len(images)}
    for s in [int(x) for x in a.sizes.split(',')]:
        for m in a.modes.split(','):
            t = time.perf_counter()
            c = time.process_time()
            enhance(images, s, m)
            res['variants'][f'{s}-{m}'] = time.perf_counter() - t
            res['cpu'][f'{s}-{m}'] = time.process_time() - c
            print(f'skimage {s}-{m}: {res["variants"][f"{s}-{m}"]:.2f} s', file=sys.stderr)
    print(json.dumps(res))


if __name__ == '__main__':
    main()
