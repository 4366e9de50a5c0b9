import path from 'node:path';

/** Extensions of model files: a Keras/tfjs topology, or a module exporting a builder. */
export const TOPOLOGY_EXT = ['.json'];
export const MODULE_EXT = ['.js', '.mjs', '.ts', '.mts'];

/** Whether a `--model` value names a file rather than a zoo model (no tfjs loaded to tell). */
export function isModelFile(name: string): boolean {
  const ext = path.extname(name).toLowerCase();
  return TOPOLOGY_EXT.includes(ext) || MODULE_EXT.includes(ext);
}
