// Small copies of the in-repo GTSRB fixture (gtsrb-small/, see README.md) for GTSRB tests, official or Kaggle layout,
// in a fresh temp folder that a test may break on purpose.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { parsePnm } from '../src/datasets/pnm.js';
import { gtsrbFixtureDir, gtsrbMiniDir } from '../test-support/paths.js';

const FIXTURE_GTSRB = path.join(gtsrbFixtureDir, 'GTSRB');
/** ../shared/data/gtsrb-mini and its GTSRB/: extended group only, `test(name, extended(GTSRB_MINI), fn)`. */
export const GTSRB_MINI = gtsrbMiniDir;
export const MINI_GTSRB = path.join(gtsrbMiniDir, 'GTSRB');

const pad = (n: number) => String(n).padStart(5, '0');

async function csvLines(file: string): Promise<string[]> {
  return (await fs.readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.trim());
}

/** Official layout with the given training classes and the first `testRows` test images; returns the folder holding GTSRB/. */
export async function copyOfficial(classes: number[], testRows: number): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-gtsrb-'));
  for (const c of classes) {
    const from = path.join(FIXTURE_GTSRB, 'Final_Training', 'Images', pad(c));
    await fs.cp(from, path.join(root, 'GTSRB', 'Final_Training', 'Images', pad(c)), { recursive: true });
  }
  const lines = await csvLines(path.join(FIXTURE_GTSRB, 'Final_Test', 'GT-final_test.csv'));
  const kept = lines.slice(0, testRows + 1);
  const images = path.join(root, 'GTSRB', 'Final_Test', 'Images');
  await fs.mkdir(images, { recursive: true });
  for (const l of kept.slice(1)) {
    const name = l.split(';')[0];
    await fs.copyFile(path.join(FIXTURE_GTSRB, 'Final_Test', 'Images', name), path.join(images, name));
  }
  await fs.writeFile(path.join(root, 'GTSRB', 'Final_Test', 'GT-final_test.csv'), kept.join('\n') + '\n');
  return root;
}

async function ppmToPng(from: string, to: string, alpha = false): Promise<void> {
  const img = parsePnm(new Uint8Array(await fs.readFile(from)), from);
  let s = sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: img.channels } });
  if (alpha) s = s.ensureAlpha(0.5);
  await fs.mkdir(path.dirname(to), { recursive: true });
  await s.png().toFile(to);
}

/**
 * Kaggle layout (Train.csv/Test.csv/Meta.csv, comma-separated, `Path` column, PNG files) made of the same images:
 * Train/<class>/<name>.png, Test/<name>.png, Meta/<class>.png (with a half-transparent alpha channel).
 */
export async function copyKaggle(classes: number[], perClass: number, testRows: number): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-gtsrb-kaggle-'));
  const train = ['Width,Height,Roi.X1,Roi.Y1,Roi.X2,Roi.Y2,ClassId,Path'];
  const meta = ['Path,ClassId,ShapeId,ColorId,SignId'];
  for (const c of classes) {
    const dir = path.join(FIXTURE_GTSRB, 'Final_Training', 'Images', pad(c));
    const rows = (await csvLines(path.join(dir, `GT-${pad(c)}.csv`))).slice(1, perClass + 1);
    for (const r of rows) {
      const [name, ...rest] = r.split(';');
      const rel = `Train/${c}/${name.replace('.ppm', '.png')}`;
      await ppmToPng(path.join(dir, name), path.join(root, rel));
      train.push([...rest, rel].join(','));
    }
    await ppmToPng(path.join(dir, rows[0].split(';')[0]), path.join(root, 'Meta', `${c}.png`), true);
    meta.push(`Meta/${c}.png,${c},0,0,0`);
  }
  const test = ['Width,Height,Roi.X1,Roi.Y1,Roi.X2,Roi.Y2,ClassId,Path'];
  for (const r of (await csvLines(path.join(FIXTURE_GTSRB, 'Final_Test', 'GT-final_test.csv'))).slice(1, testRows + 1)) {
    const [name, ...rest] = r.split(';');
    const rel = `Test/${name.replace('.ppm', '.png')}`;
    await ppmToPng(path.join(FIXTURE_GTSRB, 'Final_Test', 'Images', name), path.join(root, rel));
    test.push([...rest, rel].join(','));
  }
  await fs.writeFile(path.join(root, 'Train.csv'), train.join('\r\n') + '\r\n');
  await fs.writeFile(path.join(root, 'Test.csv'), test.join('\r\n') + '\r\n');
  await fs.writeFile(path.join(root, 'Meta.csv'), meta.join('\r\n') + '\r\n');
  return root;
}
