/** The dashboard's JSON payloads: types shared by the server (Node) and the pages (browser), nothing else. */

export type DisplayState = 'running' | 'completed' | 'failed' | 'interrupted' | 'pending';

/** What the runs list shows of one run: metadata only (config, status, result, one pass over the metrics). */
export interface RunSummary {
  /** Path relative to the runs directory, `/`-separated: the run's id in URLs. */
  id: string;
  /** Folder holding the run relative to the runs directory ('' at the top): a batch's output. */
  group: string;
  state: DisplayState;
  /** Why the state is what it is: "killed" for a run whose process vanished, the status message otherwise. */
  note?: string;
  model?: string;
  dataset?: string;
  /** `--data` as the run was given it. */
  data?: string;
  epoch: number;
  epochs?: number;
  batch?: number;
  batches?: number;
  bestValAccuracy?: number;
  bestEpoch?: number;
  testAccuracy?: number;
  /** Images the run trains on (after --limit-train and any validation held out of train). */
  trainCount?: number;
  durationS?: number;
  imagesPerS?: number;
  started?: string;
  updated?: string;
  /** Lines of the run's metrics: the run page refetches its curves when this grows. */
  metricsCount: number;
  hyper: Record<string, string | number | boolean>;
  /** Why the run's files could not be read (shown as a failed run instead of stopping the index). */
  broken?: string;
}

/** One real test image of a run's dataset, as the network sees it (values in [0, 1], HWC, rounded to 1/255). */
export interface SampleImage {
  index: number;
  label: number;
  name: string;
  height: number;
  width: number;
  channels: number;
  /** base64 of height·width·channels bytes (0–255). */
  pixels: string;
}

/** The trained first convolution of a run and what it makes of one test image. */
export interface FirstLayer {
  /** Where the weights came from: the saved model, the best or the last checkpoint (`weightDirs`). */
  weights: string;
  layer: string;
  kernelSize: [number, number];
  inChannels: number;
  filters: number;
  activation: string;
  padding: string;
  /** kernel[filter][channel] = kh·kw values, row-major. */
  kernel: number[][][];
  bias: number[];
  image: number;
  /** Output of the layer (after its activation) per filter: height·width values, row-major. */
  maps: number[][];
  mapHeight: number;
  mapWidth: number;
}
