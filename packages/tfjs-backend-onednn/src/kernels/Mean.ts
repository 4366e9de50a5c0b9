import { Mean } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { ReduceOp } from '../native.js';
import { reduceKernel } from './reduce_common.js';

export const meanConfig: KernelConfig = reduceKernel(Mean, ReduceOp.Mean, 'axis');
