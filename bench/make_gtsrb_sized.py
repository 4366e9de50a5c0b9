#!/usr/bin/env python3
"""Builds a GTSRB-sized stand-in for benchmarks when the real download is not at hand.

Usage: python3 bench/make_gtsrb_sized.py [SRC_ROOT] [DST_ROOT] [COPIES]
       (defaults: ../shared/data/gtsrb-mini, /tmp/gtsrb-synth, 10)
Each gtsrb-mini image (32x32) is expanded back to its CSV's original Width x Height (15-250 px) by nearest
neighbour and written COPIES times under new names, CSVs included: the official layout with the real size mix
(10 copies: 25,800 train + 12,900 test images, ~450 MB). Not the real data: content is the 32x32 copy, upscaled.
"""
import csv
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '../../shared/data/gtsrb-mini'), 'GTSRB')
DST = os.path.join(sys.argv[2] if len(sys.argv) > 2 else '/tmp/gtsrb-synth', 'GTSRB')
K = int(sys.argv[3]) if len(sys.argv) > 3 else 10
def rp(p):
    d=open(p,'rb').read(); t=[];pos=2
    while len(t)<3:
        while d[pos:pos+1].isspace(): pos+=1
        if d[pos:pos+1]==b'#':
            while d[pos:pos+1] not in (b'\n',b'\r'): pos+=1
            continue
        s=pos
        while not d[pos:pos+1].isspace(): pos+=1
        t.append(int(d[s:pos]))
    return np.frombuffer(d[pos+1:pos+1+t[0]*t[1]*3],np.uint8).reshape(t[1],t[0],3)
def wp(p, a):
    with open(p,'wb') as f:
        f.write(b'P6\n%d %d\n255\n' % (a.shape[1], a.shape[0])); f.write(a.tobytes())
def expand(a, w, h):
    ys=(np.arange(h)*a.shape[0]//h); xs=(np.arange(w)*a.shape[1]//w); return np.ascontiguousarray(a[ys][:,xs])
def do(csvin, imgdir_in, csvout, imgdir_out):
    rows=list(csv.reader(open(csvin),delimiter=';')); os.makedirs(imgdir_out, exist_ok=True)
    out=[rows[0]]
    for r in rows[1:]:
        a=expand(rp(os.path.join(imgdir_in,r[0])), int(r[1]), int(r[2]))
        for k in range(K):
            n=f'r{k}_{r[0]}'; wp(os.path.join(imgdir_out,n), a); out.append([n]+r[1:])
    with open(csvout,'w',newline='') as f: csv.writer(f,delimiter=';').writerows(out)
for c in sorted(os.listdir(SRC+'/Final_Training/Images')):
    d=SRC+'/Final_Training/Images/'+c
    do(f'{d}/GT-{c}.csv', d, f'{DST}/Final_Training/Images/{c}/GT-{c}.csv', f'{DST}/Final_Training/Images/{c}')
do(SRC+'/Final_Test/GT-final_test.csv', SRC+'/Final_Test/Images', DST+'/Final_Test/GT-final_test.csv', DST+'/Final_Test/Images')
