import { promises as fs } from 'node:fs';

/** A JSON file's value, or null when it is missing, unreadable or not JSON (a run folder still being written). */
export async function readJsonOrNull<T = any>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * Appends one value as one JSON line: a single write on a file opened for appending, then fsync, so a reader or a kill
 * never sees half a line from a single writer, and a crash loses at most this line.
 */
export async function appendJsonLine(file: string, value: unknown): Promise<void> {
  const fh = await fs.open(file, 'a');
  try {
    await fh.write(JSON.stringify(value) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Every complete line of a JSON-lines text that holds an object; blank lines, a line cut short (a writer killed, or
 * still writing) and lines that are not objects (`null`, a number: a file edited by hand or handed to you) are skipped.
 */
export function parseJsonLines<T>(text: string): T[] {
  const rows: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) rows.push(v as T);
    } catch {
      // not a whole line
    }
  }
  return rows;
}
