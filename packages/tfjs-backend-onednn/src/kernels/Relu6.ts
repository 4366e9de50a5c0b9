import { Relu6 } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../native.js';
import { unaryKernel } from './elementwise_common.js';

export const relu6Config: KernelConfig = unaryKernel(Relu6, UnaryOp.Relu6);
