import path from 'node:path';
import { sha256File } from '../datasets/download.js';

/** Extensions of model files: a Keras/tfjs topology, or a module exporting a builder. */
export const TOPOLOGY_EXT = ['.json'];
export const MODULE_EXT = ['.js', '.mjs', '.ts', '.mts'];

/** Whether a `--model` value names a file rather than a zoo model (no tfjs loaded to tell). */
export function isModelFile(name: string): boolean {
  const ext = path.extname(name).toLowerCase();
  return TOPOLOGY_EXT.includes(ext) || MODULE_EXT.includes(ext);
}

/** Whether a `--model` value names a module: code that training imports and runs. */
export function isModelModule(name: string): boolean {
  return MODULE_EXT.includes(path.extname(name).toLowerCase());
}

/** SHA-256 (hex) of the model module `name` resolves to (as training imports it: against the working directory). */
export async function modelModuleSha256(name: string): Promise<string> {
  return sha256File(path.resolve(name));
}
