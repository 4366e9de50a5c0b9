// The OpenMP wait policy of a process that only predicts (`convkit predict`).
//
// The native backend makes OpenMP's workers sleep as soon as a parallel region ends (OMP_WAIT_POLICY=passive): a
// training process next to other jobs was many times slower with spinning workers. A batch-1 prediction runs 7–12
// short parallel regions, and waking the second thread at each one is most of the gap to onnxruntime, whose threads
// spin by default. A short spin (GOMP_SPINCOUNT=5000) made the predictor 1.12× and 1.13× onnxruntime at batch 1 on
// GTSRB v1 24×24 and the recipe's model (docs/inference.md), and costs a competing process on the same cores about a
// fifth of its speed: so only `convkit predict` asks for it, and only when the user set neither variable.
// libgomp reads these once, when the native addon loads: call this before anything loads the backend.

export const PREDICT_SPINCOUNT = '5000';

/** Sets GOMP_SPINCOUNT for a predicting process unless GOMP_SPINCOUNT or OMP_WAIT_POLICY is already set; true if it did. */
export function spinBrieflyForLatency(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.GOMP_SPINCOUNT !== undefined || env.OMP_WAIT_POLICY !== undefined) return false;
  env.GOMP_SPINCOUNT = PREDICT_SPINCOUNT;
  return true;
}

/** The thread settings a timing depends on, recorded with it. */
export function threadSettings(env: NodeJS.ProcessEnv = process.env) {
  return { omp_wait_policy: env.OMP_WAIT_POLICY ?? null, gomp_spincount: env.GOMP_SPINCOUNT ?? null };
}
