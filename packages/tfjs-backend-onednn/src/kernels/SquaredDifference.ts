import { SquaredDifference } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BinaryOp } from '../native.js';
import { binaryKernel } from './elementwise_common.js';

export const squaredDifferenceConfig: KernelConfig = binaryKernel(SquaredDifference, BinaryOp.SquaredDiff);
