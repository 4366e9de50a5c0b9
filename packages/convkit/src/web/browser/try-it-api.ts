// What the run page and its lazily loaded try-it script (try-it.ts, /static/try-it.js) agree on.

/** The run's dataset as its config.json records it (what the panel needs to see an image as training did). */
export interface TryItDataset {
  classNames?: string[];
  preparation?: { mode?: string };
}

export interface TryIt {
  /** Draws the panel into `el` and loads the run's model from /api/run/model/. */
  mount(el: HTMLElement, opts: { id: string; dataset?: TryItDataset }): Promise<void>;
  /** The last image given to the model (float32 NHWC in [0, 1]) and its probabilities: read by the tests. */
  last?: { input: number[]; probabilities: number[] };
}

declare global {
  interface Window {
    convkitTryIt?: TryIt;
  }
}
