import { promises as fs } from 'node:fs';
import type { Callback, EpochLogs } from './callback.js';

/** Appends one JSON line per epoch to `metrics.jsonl` and flushes it, so a crash loses at most the current epoch. */
export class MetricsLog implements Callback {
  constructor(readonly file: string) {}

  async onEpochEnd(_epoch: number, logs: EpochLogs): Promise<void> {
    const fh = await fs.open(this.file, 'a');
    try {
      await fh.appendFile(JSON.stringify(logs) + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

export async function readMetrics(file: string): Promise<EpochLogs[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EpochLogs);
}
