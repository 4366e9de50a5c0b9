import { GTSRB_CLASS_NAMES } from '../datasets/gtsrb.js';
import { FASHION_CLASS_NAMES } from '../datasets/mnist.js';

const DIGITS = Array.from({ length: 10 }, (_, i) => String(i));

/**
 * Class names of a run: those stored with its data (HDF5 `class_names`, IDX readers), else known by source:
 * GTSRB's 43, Fashion-MNIST's 10, MNIST's digits; else the ids.
 */
export function classNamesFor(numClasses: number, data: string, stored?: string[]): string[] {
  if (stored && stored.length >= numClasses) return stored.slice(0, numClasses);
  if (numClasses === GTSRB_CLASS_NAMES.length && /gtsrb/i.test(data)) return [...GTSRB_CLASS_NAMES];
  if (numClasses === 10 && /fashion/i.test(data)) return [...FASHION_CLASS_NAMES];
  if (numClasses === 10 && /mnist/i.test(data)) return [...DIGITS];
  // Fidle's own GTSRB sets (set-24x24-L.h5 …) carry no names; 43 classes in an HDF5 set are GTSRB's.
  if (numClasses === GTSRB_CLASS_NAMES.length && /\.(h5|hdf5)$/i.test(data)) return [...GTSRB_CLASS_NAMES];
  return Array.from({ length: numClasses }, (_, i) => String(i));
}
