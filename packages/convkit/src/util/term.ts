/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream = process.stderr): boolean {
  return !process.env.NO_COLOR && !!stream.isTTY && process.env.TERM !== 'dumb';
}

export function bold(s: string, stream?: NodeJS.WriteStream): string {
  return useColor(stream) ? `\x1b[1m${s}\x1b[22m` : s;
}

export function red(s: string, stream?: NodeJS.WriteStream): string {
  return useColor(stream) ? `\x1b[31m${s}\x1b[39m` : s;
}

/** A plain text table with aligned columns: the first column left, the others right, unless `align` says ('l' | 'r' per column). */
export function table(header: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const left = (i: number) => (align ? align[i] === 'l' : i === 0);
  return cells
    .map((r) => r.map((c, i) => (left(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd())
    .join('\n');
}
