#!/usr/bin/env python3
"""Computes the scikit-image reference outputs that convkit's prepare modes are checked against.

Run once (Debian: python3-skimage 0.19, numpy): /usr/bin/python3 make_skimage_reference.py
Reads the real GTSRB images in gtsrb-prepare/*.ppm and writes gtsrb-prepare/reference.json (manifest)
+ gtsrb-prepare/reference.f32 (all arrays, float32 little-endian, concatenated).

Each mode is computed exactly as the Fidle course's GTSRB notebook does (images_enhancement):
  RGB     : the image as float in [0, 1]
  RGB-HE  : rgb2hsv, exposure.equalize_hist on V, hsv2rgb
  L       : color.rgb2gray (0.2125 R + 0.7154 G + 0.0721 B)
  L-HE    : rgb2gray, exposure.equalize_hist
  L-LHE   : rgb2gray, img_as_ubyte, filters.rank.equalize(disk(10)) / 255
  L-CLAHE : rgb2gray, exposure.equalize_adapthist (defaults)
"mode/<M>" arrays (all modes but RGB) apply the mode to the 8-bit image itself (no resize): they check the mode alone.
"resize<S>" is transform.resize(img, (S, S)) (anti-aliasing on when shrinking, bilinear).
"pipe<S>/<M>" is the whole course pipeline: resize to S×S, then the mode.
"""
import json
import os
import sys

import numpy as np
import skimage
from skimage import color, exposure, transform
from skimage.filters import rank
from skimage.morphology import disk
from skimage.util import img_as_ubyte

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'gtsrb-prepare')
# (file, crop rows, crop cols): one crop is non-square with odd sizes to exercise CLAHE padding.
CASES = [
    ('class00001-00000_00006.ppm', None),
    ('class00014-00000_00006.ppm', None),
    ('class00033-00000_00006.ppm', (2, 29, 0, 31)),
]
MODES = ['RGB', 'RGB-HE', 'L', 'L-HE', 'L-LHE', 'L-CLAHE']
SIZES = [7, 24, 48]  # 7: a strong shrink (sigma 1.8, as for GTSRB's large images → 24)
PIPE_SIZE = 24  # the whole pipeline is stored for one size only, to keep the fixture small


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


def apply_mode(img, mode):
    """img: float RGB in [0, 1]."""
    if mode == 'RGB':
        return img
    if mode == 'RGB-HE':
        hsv = color.rgb2hsv(img)
        hsv[:, :, 2] = exposure.equalize_hist(hsv[:, :, 2])
        return color.hsv2rgb(hsv)
    gray = color.rgb2gray(img)
    if mode == 'L':
        return gray
    if mode == 'L-HE':
        return exposure.equalize_hist(gray)
    if mode == 'L-LHE':
        return rank.equalize(img_as_ubyte(gray), disk(10)) / 255.
    if mode == 'L-CLAHE':
        return exposure.equalize_adapthist(gray)
    raise ValueError(mode)


def main():
    manifest = {'generator': 'make_skimage_reference.py', 'skimage': skimage.__version__, 'numpy': np.__version__, 'cases': []}
    blob = bytearray()

    def put(arrays, name, a):
        a = np.ascontiguousarray(a, dtype='<f4')
        arrays[name] = {'offset': len(blob) // 4, 'shape': list(a.shape)}
        blob.extend(a.tobytes())

    for name, crop in CASES:
        u8 = read_ppm(os.path.join(HERE, name))
        if crop:
            u8 = u8[crop[0]:crop[1], crop[2]:crop[3]]
        u8 = np.ascontiguousarray(u8)
        x = u8.astype(np.float64) / 255.
        arrays = {}
        for m in MODES[1:]:
            put(arrays, f'mode/{m}', apply_mode(x, m))
        for s in SIZES:
            r = transform.resize(u8, (s, s))
            put(arrays, f'resize{s}', r)
            if s == PIPE_SIZE:
                for m in MODES[1:]:
                    put(arrays, f'pipe{s}/{m}', apply_mode(r, m))
        manifest['cases'].append({'file': name, 'crop': crop, 'height': int(u8.shape[0]), 'width': int(u8.shape[1]), 'arrays': arrays})

    with open(os.path.join(HERE, 'reference.f32'), 'wb') as f:
        f.write(bytes(blob))
    with open(os.path.join(HERE, 'reference.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')
    print(f'wrote {len(blob)} bytes of reference arrays for {len(CASES)} images', file=sys.stderr)


if __name__ == '__main__':
    main()
