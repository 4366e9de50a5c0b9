import { Max } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { ReduceOp } from '../native.js';
import { reduceKernel } from './reduce_common.js';

export const maxConfig: KernelConfig = reduceKernel(Max, ReduceOp.Max, 'reductionIndices');
