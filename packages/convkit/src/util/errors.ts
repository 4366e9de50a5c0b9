/** One error type for every bad input: the CLI prints `message` on one line and exits 2. */
export class ConvkitError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly reason: string;
  readonly exitCode: number;

  constructor(reason: string, opts: { file?: string; line?: number; exitCode?: number } = {}) {
    const where = opts.file ? `${opts.file}${opts.line !== undefined ? `:${opts.line}` : ''}: ` : '';
    super(`${where}${reason}`);
    this.name = 'ConvkitError';
    this.file = opts.file;
    this.line = opts.line;
    this.reason = reason;
    this.exitCode = opts.exitCode ?? 2;
  }
}

/** A bad command-line option: names the option instead of a file. */
export function optionError(option: string, reason: string): ConvkitError {
  return new ConvkitError(`option ${option}: ${reason}`);
}

export function isConvkitError(e: unknown): e is ConvkitError {
  return e instanceof ConvkitError;
}

/** Reads a whole input file; a missing or unreadable file becomes a one-line ConvkitError naming it. */
export async function readInputFile(file: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  try {
    const buf = await readFile(file);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConvkitError(code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? (e as Error).message})`, { file });
  }
}
