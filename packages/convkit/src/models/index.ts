// Importing this module registers every built-in model.
import './mnist.js';
import './gtsrb.js';
import './compact.js';
export * from './registry.js';
