// The tools the test suite checks against — one list for setup (scripts/setup.sh installs their Debian packages),
// the tests (which skip without them, or fail under CI) and scripts/test.mjs (which reports them and fails CI when one
// is missing). Each check looks at the real tool.
//
// Required (a test whose tool is missing fails instead of skipping) when CI or CONVKIT_EXTENDED=require is set.
// CONVKIT_TEST_HIDE_TOOLS=scipy,h5py makes the named tools look missing, to see the suite fail on a machine that
// has them (the check of each other tool is unchanged).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A python3 that can import `modules` (PATH's python3 may be a pyenv one without Debian's packages), or null. */
export function findPython(modules) {
  return ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', `import ${modules.join(',')}`], { stdio: 'ignore' }).status === 0) ?? null;
}
const pythonTool = (modules, rest) => ({ ...rest, python: modules, check: () => (findPython(modules) ? null : `no python3 can import ${modules.join(', ')}`) });
const onPath = (c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status === 0;

/** name → Debian packages, what the tests use it for, the Python modules of a Python tool, and a check returning null when present, else why not. */
export const REQUIRED_TOOLS = {
  h5py: pythonTool(['h5py', 'numpy'], { debian: ['python3-h5py', 'python3-numpy'], use: 'reads the HDF5 files convkit writes' }),
  crcmod: pythonTool(['crcmod.predefined'], { debian: ['python3-crcmod'], use: 'the TensorBoard event-file reader (CRC-32C)' }),
  scipy: pythonTool(['numpy', 'scipy.ndimage'], { debian: ['python3-scipy', 'python3-numpy'], use: "Keras's affine warp (scipy.ndimage) for the augmentation check" }),
  onnx: pythonTool(['onnx', 'onnx.checker'], { debian: ['python3-onnx'], use: "ONNX's own checker (onnx.checker.check_model, full check) on the exported files" }),
  chromium: { debian: ['chromium'], use: 'the report and dashboard tests in a browser', check: () => (existsSync('/usr/bin/chromium') ? null : '/usr/bin/chromium not found') },
  slurm: {
    debian: ['slurm-wlm', 'munge'], use: 'the batch tests on a local Slurm cluster',
    check: () => {
      const miss = [...['sbatch', 'squeue', 'scancel', 'sinfo'].filter((c) => !onPath(c)), ...['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/sbin/munged'].filter((f) => !existsSync(f))];
      return miss.length ? `not found: ${miss.join(', ')}` : null;
    },
  },
  asan: {
    debian: ['g++'], use: "the addon's tests under AddressSanitizer",
    // gcc prints the bare name back when it has no such library
    check: () => (path.isAbsolute(spawnSync('gcc', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).stdout?.trim() ?? '') ? null : 'gcc has no libasan.so'),
  },
  cli: { debian: [], use: 'the compiled CLI (dist/, built by `make build`)', check: () => (existsSync(path.join(root, 'packages/convkit/dist/prepare/worker.js')) ? null : 'packages/convkit/dist not built') },
  onednn: {
    debian: ['libdnnl-dev'], use: 'the native backend (its addon, built by `make build`)',
    check: () => {
      const addon = path.join(root, 'packages/tfjs-backend-onednn/build/Release/convkit_onednn.node');
      if (!existsSync(addon)) return `${path.relative(root, addon)} not built`;
      const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(addon)})`], { encoding: 'utf8' });
      return r.status === 0 ? null : `the addon does not load: ${r.stderr.trim().split('\n').find((l) => /Error/.test(l)) ?? r.stderr.trim()}`;
    },
  },
};

/** True where nothing may skip for want of a tool or data: CI, or CONVKIT_EXTENDED=require (.ci/run). */
export function toolsRequired() {
  return process.env.CONVKIT_EXTENDED === 'require' || Boolean(process.env.CI);
}

const hidden = () => (process.env.CONVKIT_TEST_HIDE_TOOLS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const cache = new Map();

/** Why `name` is missing (null when it is there); `why` overrides the list's own check (e.g. a probe the test ran). */
export function toolMissing(name, why) {
  const tool = REQUIRED_TOOLS[name];
  if (!tool) throw new Error(`unknown tool ${name}`);
  if (hidden().includes(name)) return 'hidden by CONVKIT_TEST_HIDE_TOOLS';
  if (why !== undefined) return why;
  if (!cache.has(name)) cache.set(name, tool.check());
  return cache.get(name);
}

/** The line naming a missing tool: the prefix `required tool NAME missing` is what scripts/test.mjs counts. */
export function missingLine(name, why) {
  const { debian, use } = REQUIRED_TOOLS[name];
  const how = debian.length ? `Debian ${debian.join(', ')}; scripts/setup.sh installs it` : 'run `make build`';
  return `required tool ${name} missing: ${why} (${use}; ${how})`;
}

/** A test's `skip` option: the reason when the tool is missing, false when it is there or required (the test then fails in requireTool). */
export function skipWithoutTool(name, why) {
  const w = toolMissing(name, why);
  return w && !toolsRequired() ? missingLine(name, w) : false;
}

/** Throws (failing the test) when the tool is missing. */
export function requireTool(name, why) {
  const w = toolMissing(name, why);
  if (w) throw new Error(missingLine(name, w));
}

/** In a running test `t`: true (after t.skip) when the tool is missing and not required; throws when it is required. */
export function skipOrRequire(t, name, why) {
  const w = toolMissing(name, why);
  if (!w) return false;
  if (toolsRequired()) throw new Error(missingLine(name, w));
  t.skip(missingLine(name, w));
  return true;
}

// `node scripts/required-tools.mjs debian`: the Debian packages, for setup.sh.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && process.argv[2] === 'debian') {
  console.log([...new Set(Object.values(REQUIRED_TOOLS).flatMap((t) => t.debian))].join(' '));
}
