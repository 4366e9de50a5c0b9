import type { Command } from 'commander';
import { printJson } from './options.js';

/** `convkit export RUN --onnx FILE`: the trained network in a format other runtimes read. */
export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description('write a trained run (or a model folder holding model.json) as ONNX: float32 NHWC images in [0, 1] with any batch size in, class probabilities out, class names in the metadata (docs/export.md)')
    .argument('<dir>', 'run folder (its model/) or model folder')
    .requiredOption('--onnx <file>', 'the ONNX file to write (replaced atomically if it exists)')
    .option('--json', 'print what was written as JSON', false)
    .action(async (dir: string, o: { onnx: string; json: boolean }) => {
      const { selectBackend } = await import('../train/backend.js');
      await selectBackend('cpu'); // only reads the weights
      const { exportOnnx } = await import('../export/onnx.js');
      const r = await exportOnnx(dir, o.onnx);
      if (o.json) printJson(r);
      else process.stdout.write(`wrote ${r.file}: ONNX opset ${r.opset}, input ${r.input.name} [${r.input.shape.join(', ')}] NHWC float32, output ${r.output.name} [${r.output.shape.join(', ')}], ${r.bytes} bytes\n`);
    });
}
