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
import sys
import time

import numpy as np
from skimage import color, exposure, transform
from skimage.filters import rank
from skimage.morphology import disk
from skimage.util import img_as_ubyte


def read_ppm(path):
    data = open(path, 'rb').read()
    tokens, pos = [], 2
    while len(tokens) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b'#':
            while data[pos:pos + 1] not in (b'\n', b'\r'):
                pos += 1
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        tokens.append(int(data[start:pos]))
    w, h, _ = tokens
    pos += 1
    return np.frombuffer(data[pos:pos + w * h * 3], dtype=np.uint8).reshape(h, w, 3)


def enhance(images, size, mode):
    """Fidle GTSRB1 images_enhancement, one variant."""
    out = []
    for img in images:
        img = transform.resize(img, (size, size))
        if mode == 'RGB-HE':
            hsv = color.rgb2hsv(img.reshape(size, size, 3))
            hsv[:, :, 2] = exposure.equalize_hist(hsv[:, :, 2])
            img = color.hsv2rgb(hsv)
        elif mode == 'L':
            img = color.rgb2gray(img)
        elif mode == 'L-HE':
            img = exposure.equalize_hist(color.rgb2gray(img))
        elif mode == 'L-LHE':
            img = rank.equalize(img_as_ubyte(color.rgb2gray(img)), disk(10)) / 255.
        elif mode == 'L-CLAHE':
            img = exposure.equalize_adapthist(color.rgb2gray(img))
        out.append(img)
    out = np.array(out, dtype=np.float32)
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
