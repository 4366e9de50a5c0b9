// convkit's public API: what a program needs to load data, prepare GTSRB, build or load a model, train with callbacks,
// evaluate, read a run folder and report on it. Everything else under src/ is internal and may change without notice.
// Importing this module has no effect beyond loading code: no tfjs mode or backend is set (`selectBackend` does that),
// no native addon, sharp or h5wasm is loaded until a function needs it. docs/api.md describes each name.

// Data
export type { ImageDataset, ImageSplit } from './datasets/types.js';
export { loadDataset, listDataSources, type DataSource, type LoadOptions } from './datasets/index.js';
export { readImage } from './datasets/image-file.js';
export type { RawImage } from './image/raw-image.js';
export { GTSRB_CLASS_NAMES, GTSRB_NUM_CLASSES, indexGtsrb, type GtsrbIndex, type GtsrbSample } from './datasets/gtsrb.js';
export { downloadGtsrb, type GtsrbDownloadOptions } from './datasets/gtsrb-download.js';

// Prepare
export { prepareGtsrb, type PrepareGtsrbInput, type PrepareReport } from './prepare/gtsrb.js';
export { PREPARE_MODES, type PrepareMode } from './image/modes.js';

// Models
export { buildModel, listModels, resolveModel, type ModelBuilder, type ModelInput, type ModelSpec } from './models/index.js';
export { loadModel, saveModel } from './models/io.js';
export {
  registerConvkitLayers, ConvkitLayerNormalization, ConvkitGelu, ConvkitMultiHeadSelfAttention, ConvkitPositionEmbedding,
  ConvkitSpatialTransformer, type LayerNormArgs, type MultiHeadSelfAttentionArgs, type PositionEmbeddingArgs,
  type SpatialTransformerArgs,
} from './models/layers/index.js';

// Training
export { selectBackend } from './train/backend.js';
export { TrainConfigSchema, type TrainConfig, type TrainConfigInput } from './train/config.js';
export { trainRun, resumeRun, type TrainResult, type TrainRunOptions, type ResumeOverrides } from './train/run.js';
export type { Callback, EpochLogs, BatchLogs, TrainingContext } from './train/callbacks/callback.js';
export { EarlyStopping, type EarlyStoppingOptions } from './train/callbacks/early-stop.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './train/callbacks/reduce-lr.js';
export { TensorBoard, type TensorBoardOptions } from './train/callbacks/tensorboard.js';
export { AugmentSchema, AUGMENT_PRESETS, type AugmentSpec, type AugmentSpecInput } from './train/augment/schema.js';

// Evaluation and inference
export { evaluateSplit, type BatchPredict, type Evaluation } from './train/evaluate.js';
export { evaluateRun, predictImages, benchmarkRun, type Prediction } from './train/inference.js';
export { loadPredictor, type Predictor } from './inference/predictor.js';
export { modelGraph, UnsupportedLayerError, type InferenceGraph, type GraphNode } from './inference/graph.js';
export { benchmarkPredictor, type PredictorBenchmark } from './inference/benchmark.js';

// Export (docs/export.md)
export { exportOnnx, ONNX_INPUT, ONNX_METADATA_KEYS, ONNX_OUTPUT, type OnnxExport, type OnnxMetadata } from './export/onnx.js';

// Runs (the run folder's format: docs/run-folder.md)
export { runFiles } from './run/layout.js';
export { readRunConfig, type RunConfigFile } from './run/config.js';
export { readRunMetrics, readMetrics } from './run/metrics.js';
export { readRunStatus, readStatus, effectiveState, type RunStatus, type RunState } from './run/status.js';
export { readRunResult, type RunResult } from './run/result.js';

// Reports
export { analyseRun, type AnalyseOptions } from './report/analysis.js';
export type { RunAnalysis, CompareRun } from './report/analysis-types.js';
export { writeReportHtml, writeCompareHtml } from './report/html.js';
export { summariseRuns, comparisonMarkdown, type RunSummary } from './report/compare.js';

// Errors and version
export { ConvkitError, isConvkitError } from './util/errors.js';
export { CONVKIT_VERSION } from './version.js';
