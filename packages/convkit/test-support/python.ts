// Python peers of the tests (h5py reads our HDF5 files, a crcmod-based reader checks TensorBoard files, scipy gives
// Keras's affine warp, onnx checks the ONNX export). The tools and their Debian packages are listed once, in scripts/required-tools.mjs.
import { findPython, REQUIRED_TOOLS, requireTool, skipWithoutTool } from '../../../scripts/required-tools.mjs';

export type PythonTool = 'h5py' | 'crcmod' | 'scipy' | 'onnx';

/**
 * The `skip` option of a test whose check runs in Python: the reason when the modules are missing, so the summary
 * counts it as skipped — except under CI or CONVKIT_EXTENDED=require, where the test runs and fails (requirePython).
 */
export function skipWithoutPython(tool: PythonTool): string | false {
  return skipWithoutTool(tool);
}

/** The python3 that imports the tool's modules; throws (failing the test, naming the tool) when there is none. */
export function requirePython(tool: PythonTool): string {
  requireTool(tool);
  return findPython(REQUIRED_TOOLS[tool].python!)!;
}
