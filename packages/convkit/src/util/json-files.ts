import { promises as fs } from 'node:fs';

/** A JSON file's value, or null when it is missing, unreadable or not JSON (a run folder still being written). */
export async function readJsonOrNull<T = any>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Every complete line of a JSON-lines text; blank lines and a line cut short (a writer killed, or still writing) are skipped. */
export function parseJsonLines<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      // not a whole line
    }
  }
  return rows;
}
