import { LogicalOr } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { LogicalOp } from '../native.js';
import { logicalKernel } from './compare_common.js';

export const logicalOrConfig: KernelConfig = logicalKernel(LogicalOr, LogicalOp.LogicalOr);
