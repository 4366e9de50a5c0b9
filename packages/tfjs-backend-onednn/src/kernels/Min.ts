import { Min } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { ReduceOp } from '../native.js';
import { reduceKernel } from './reduce_common.js';

export const minConfig: KernelConfig = reduceKernel(Min, ReduceOp.Min, 'axis');
