export { augment, augmentBatch, applyParams, VALUE_RANGE } from './augment.js';
export { drawParams, drawFrom, imageRng, affineRow, isGeometric, IDENTITY, type AugmentParams } from './params.js';
export { AugmentSchema, AUGMENT_PRESETS, FILL_MODES, parseAugmentString, isActive, type AugmentSpec, type AugmentSpecInput } from './schema.js';
export { affineWarp, warpJs, type FillMode } from './warp.js';
