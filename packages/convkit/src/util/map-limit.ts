/**
 * Maps `items` through async `fn` with at most `limit` calls in flight, results in input order.
 * On a failure no new call starts; the error of the lowest failing index is thrown, so the report is the same
 * whichever call finished first.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  const failed: { index: number; error: unknown }[] = [];
  let next = 0;
  const worker = async () => {
    while (!failed.length && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (error) {
        failed.push({ index: i, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failed.length) throw failed.reduce((a, b) => (b.index < a.index ? b : a)).error;
  return results;
}
