import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadModel } from './io.js';

// A model folder may come from someone else: its model.json must not make convkit read files outside the folder.

async function modelDir(paths: string[]): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-model-'));
  await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths, weights: [{ name: 'w', shape: [1], dtype: 'float32' }] }] }));
  return dir;
}

const refused = (re: RegExp) => (e: Error) => e.name === 'ConvkitError' && re.test(e.message);

test('weight paths leaving the model folder (.., absolute, a symlink out) are refused before reading', async () => {
  for (const p of ['../../../etc/passwd', '/etc/passwd', 'sub/../../x', '..\\..\\etc\\passwd']) {
    const dir = await modelDir([p]);
    await assert.rejects(loadModel(dir), refused(/leaves the model folder/), p);
    await fs.rm(dir, { recursive: true });
  }
  const dir = await modelDir(['./weights.bin']);
  await fs.symlink('/etc/passwd', path.join(dir, 'weights.bin'));
  await assert.rejects(loadModel(dir), refused(/link leading out of the model folder/));
  await fs.rm(path.join(dir, 'weights.bin'));
  await fs.rename(path.join(dir, 'model.json'), path.join(dir, 'real.json'));
  await fs.symlink('/etc/hostname', path.join(dir, 'model.json'));
  await assert.rejects(loadModel(dir), refused(/link leading out of the model folder/));
  await fs.rm(dir, { recursive: true });
});

test('a weights file inside the folder still loads up to the size check', async () => {
  const dir = await modelDir(['./weights.bin']);
  await fs.writeFile(path.join(dir, 'weights.bin'), Buffer.alloc(8));
  await assert.rejects(loadModel(dir), refused(/weights hold 8 bytes, model.json expects 4/));
  await fs.rm(dir, { recursive: true });
});
