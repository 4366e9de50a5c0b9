import { Equal } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { CompareOp } from '../native.js';
import { compareKernel } from './compare_common.js';

export const equalConfig: KernelConfig = compareKernel(Equal, CompareOp.Equal);
