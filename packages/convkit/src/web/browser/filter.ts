/** Compiles a filter: /regex/flags or plain words (all must appear, case-insensitive). Returns null for a bad regex. */
export function compileFilter(text: string): ((s: string) => boolean) | null {
  const t = text.trim();
  if (!t) return () => true;
  const m = /^\/(.*)\/([a-z]*)$/.exec(t);
  if (m) {
    try {
      const re = new RegExp(m[1], m[2].replace(/[gy]/g, ''));
      return (s) => re.test(s);
    } catch {
      return null;
    }
  }
  const words = t.toLowerCase().split(/\s+/);
  return (s) => {
    const l = s.toLowerCase();
    return words.every((w) => l.includes(w));
  };
}
