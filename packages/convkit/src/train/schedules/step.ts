// Hand-written: tfjs ships no learning-rate schedules; one line of arithmetic.
/** Step decay: lr·factor^⌊(epoch − 1)/every⌋ for 1-based epochs (Keras's classic step_decay). */
export function stepDecay(epoch: number, o: { lr: number; every: number; factor: number }): number {
  return o.lr * Math.pow(o.factor, Math.floor((epoch - 1) / o.every));
}
