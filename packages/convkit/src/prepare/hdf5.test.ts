import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { h5, readH5Dataset } from '../datasets/hdf5.js';
import { loadDataset } from '../datasets/index.js';
import { ConvkitError } from '../util/errors.js';
import { H5SetWriter, H5_CHUNK_IMAGES } from './hdf5.js';
import { h5pyJson, runCli } from '../../test-support/prepare.js';
import { requirePython, skipWithoutPython } from '../../test-support/python.js';

async function tmpDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'convkit-h5-'));
}

/** Deterministic, distinct pixel values per image so a slice written at the wrong offset shows. */
function images(first: number, n: number, per: number): Float32Array {
  return Float32Array.from({ length: n * per }, (_, i) => ((first * per + i) % 9973) / 9973);
}

test('a set written in uneven slices reads back identically, with attributes, via readH5Dataset and h5py', async (t) => {
  const dir = await tmpDir();
  const file = path.join(dir, 'set-6x5-RGB.h5');
  const [h, w, c] = [6, 5, 3];
  const per = h * w * c;
  const w5 = await H5SetWriter.create(file, { height: h, width: w, channels: c, attrs: { mode: 'RGB', size: [h, w], class_names: ['stop', 'yield', 'speed'], convkit_version: 'test', scale: 0.5 } });
  const slices = [100, 1, H5_CHUNK_IMAGES + 3, 35];
  let n = 0;
  for (const k of slices) {
    w5.append('train', images(n, k, per), Int32Array.from({ length: k }, (_, i) => (n + i) % 3));
    n += k;
  }
  w5.append('test', images(1000, 7, per), Int32Array.from([0, 1, 2, 0, 1, 2, 2]));
  w5.append('meta', images(2000, 3, per), Int32Array.from([0, 1, 2]));
  assert.deepEqual(await fs.readdir(dir).then((f) => f.filter((x) => x === 'set-6x5-RGB.h5')), [], 'no final name before commit');
  await w5.commit();
  assert.deepEqual(await fs.readdir(dir), ['set-6x5-RGB.h5'], 'temp file renamed, nothing else left');

  const d = await readH5Dataset(file);
  assert.equal(d.train.count, n);
  assert.deepEqual([d.height, d.width, d.channels, d.numClasses], [h, w, c, 3]);
  assert.deepEqual(d.classNames, ['stop', 'yield', 'speed']);
  assert.ok(d.train.x instanceof Float32Array);
  assert.deepEqual(d.train.x, images(0, n, per));
  assert.deepEqual(Array.from(d.train.y.subarray(0, 5)), [0, 1, 2, 0, 1]);
  assert.deepEqual(d.test.x, images(1000, 7, per));
  assert.equal(d.meta?.count, 3);

  await t.test('h5py reads the same file', { skip: skipWithoutPython('h5py') }, () => {
    const py = requirePython('h5py');
    const r = h5pyJson(
      py,
      `import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
out = {k: {'shape': list(f[k].shape), 'dtype': str(f[k].dtype), 'chunked': f[k].chunks is not None, 'maxshape0': f[k].maxshape[0]} for k in f}
out['sum_x_train'] = float(f['x_train'][:].astype('float64').sum())
out['last_pixel'] = f['x_train'][-1, -1, -1].tolist()
out['y_test'] = f['y_test'][:].tolist()
out['attrs'] = {k: (v.tolist() if hasattr(v, 'tolist') else v) for k, v in f.attrs.items()}
out['attrs']['class_names'] = [s.decode() if isinstance(s, bytes) else s for s in out['attrs']['class_names']]
print(json.dumps(out))`,
      file,
    );
    assert.deepEqual(Object.keys(r).filter((k) => /^[xy]_/.test(k)).sort(), ['x_meta', 'x_test', 'x_train', 'y_meta', 'y_test', 'y_train']);
    assert.deepEqual(r.x_train.shape, [n, h, w, c]);
    assert.equal(r.x_train.dtype, 'float32');
    assert.equal(r.x_train.chunked, true);
    assert.equal(r.x_train.maxshape0, null, 'resizable along N');
    assert.match(r.y_train.dtype, /^int/);
    let sum = 0;
    for (const v of images(0, n, per)) sum += v;
    assert.ok(Math.abs(r.sum_x_train - sum) < 1e-6 * n * per);
    assert.deepEqual(r.last_pixel, Array.from(images(0, n, per).subarray(n * per - c)));
    assert.deepEqual(r.y_test, [0, 1, 2, 0, 1, 2, 2]);
    assert.equal(r.attrs.mode, 'RGB');
    assert.deepEqual(r.attrs.size, [h, w]);
    assert.deepEqual(r.attrs.class_names, ['stop', 'yield', 'speed']);
  });
});

test('abort leaves no file at all', async () => {
  const dir = await tmpDir();
  const wr = await H5SetWriter.create(path.join(dir, 'set-4x4-L.h5'), { height: 4, width: 4, channels: 1, attrs: { mode: 'L' } });
  wr.append('train', images(0, 10, 16), new Int32Array(10));
  await wr.abort();
  assert.deepEqual(await fs.readdir(dir), []);
});

test('a file without x_test: one-line error naming file and key; `convkit train` exits 2', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'broken.h5');
  const lib = await h5();
  const f = new lib.File(file, 'w');
  f.create_dataset({ name: 'x_train', data: new Float32Array(2 * 4 * 4), shape: [2, 4, 4, 1], dtype: '<f' });
  f.create_dataset({ name: 'y_train', data: new Int32Array([0, 1]), dtype: '<i' });
  f.close();
  await assert.rejects(readH5Dataset(file), (e: unknown) => e instanceof ConvkitError && e.file === file && /x_test/.test(e.message) && !e.message.includes('\n'));
  await assert.rejects(loadDataset(file), /x_test/, 'the --data resolver recognises .h5 files');
  const r = await runCli(['train', '--model', 'mnist-dnn', '--data', file, '--out', path.join(dir, 'run'), '--backend', 'cpu']);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0].includes(file) && lines[0].includes('x_test'), lines[0]);
});

test('a missing .h5 file and a non-HDF5 file are one-line errors', async () => {
  const dir = await tmpDir();
  await assert.rejects(readH5Dataset(path.join(dir, 'nope.h5')), /file not found/);
  const junk = path.join(dir, 'junk.h5');
  await fs.writeFile(junk, 'not hdf5 at all');
  await assert.rejects(readH5Dataset(junk), (e: unknown) => e instanceof ConvkitError && e.file === junk);
});

test('a writer that cannot create its file fails with a one-line error naming it', async () => {
  const dir = await tmpDir();
  const notADir = path.join(dir, 'file');
  await fs.writeFile(notADir, 'x');
  const target = path.join(notADir, 'set-4x4-L.h5');
  await assert.rejects(H5SetWriter.create(target, { height: 4, width: 4, channels: 1, attrs: {} }), (e: unknown) => e instanceof ConvkitError && e.file === target && e.exitCode === 2);
});
