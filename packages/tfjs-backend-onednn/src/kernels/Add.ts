import { Add } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BinaryOp } from '../native.js';
import { binaryKernel } from './elementwise_common.js';

export const addConfig: KernelConfig = binaryKernel(Add, BinaryOp.Add);
