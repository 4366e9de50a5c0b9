// Specs of tfjs-core's suite that do not apply to a CPU backend in Node. Nothing else is excluded.
export const EXCLUDED: { match: string; why: string }[] = [
  // tfjs-backend-cpu's own runner excludes it too: it starts a browser Web Worker.
  { match: 'computation in worker', why: 'needs a browser Web Worker (excluded by tfjs-backend-cpu as well)' },
];

export function customInclude(testName: string): boolean {
  return !EXCLUDED.some((e) => testName.includes(e.match));
}
