import { LessEqual } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { CompareOp } from '../native.js';
import { compareKernel } from './compare_common.js';

export const lessEqualConfig: KernelConfig = compareKernel(LessEqual, CompareOp.LessEqual);
