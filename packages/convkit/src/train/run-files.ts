import path from 'node:path';

/** The files of a run folder (a module of its own so readers such as the dashboard need not load tfjs). */
export function runFiles(dir: string) {
  return {
    config: path.join(dir, 'config.json'),
    metrics: path.join(dir, 'metrics.jsonl'),
    model: path.join(dir, 'model'),
    result: path.join(dir, 'result.json'),
    status: path.join(dir, 'status.json'),
    checkpoints: path.join(dir, 'checkpoints'),
    tensorboard: path.join(dir, 'tb'),
  };
}
