// Without the addon, importing the package must not throw: it registers
// nothing, reports why, and tfjs keeps working on cpu.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

describe('addon missing', () => {
  it('import succeeds, isAvailable() is false, loadError says how to fix it', () => {
    const src = fileURLToPath(new URL('../src/index.ts', import.meta.url));
    const script = `
      const tf = await import('@tensorflow/tfjs-core');
      const m = await import(${JSON.stringify(src)});
      await tf.setBackend('cpu');
      console.log(JSON.stringify({ available: m.isAvailable(), error: m.loadError && m.loadError.message,
        registered: tf.findBackendFactory('onednn') != null, sum: tf.sum(tf.tensor([1, 2, 3])).dataSync()[0] }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, CONVKIT_ONEDNN_ADDON: '/nonexistent/convkit_onednn.node' }, encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    assert.equal(r.available, false);
    assert.equal(r.registered, false);
    assert.match(r.error, /apt-get install libdnnl-dev/);
    assert.equal(r.sum, 6);
  });
});
