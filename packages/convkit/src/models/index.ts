// Importing this module registers every built-in model.
import './mnist.js';
export * from './registry.js';
