import { Neg } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { UnaryOp } from '../native.js';
import { unaryKernel } from './elementwise_common.js';

export const negConfig: KernelConfig = unaryKernel(Neg, UnaryOp.Neg);
