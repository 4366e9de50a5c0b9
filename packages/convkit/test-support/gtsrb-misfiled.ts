// A copy of a GTSRB training set (official layout) with some images filed under another class, as a person would
// misfile them: the file moved to another class folder, its CSV row moved to that folder's CSV with the new ClassId.
// Used by the label-suspects test and by bench/label-suspects.ts.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gtsrbTrackId, indexGtsrb, readGtsrbImage } from '../src/datasets/gtsrb.js';
import { applyMode } from '../src/image/modes.js';
import { resizeImage } from '../src/image/resize.js';
import { mapLimit } from '../src/util/map-limit.js';
import { Rng } from '../src/util/rng.js';


export interface Misfiled {
  /** Path in the copy, relative to its root (GTSRB/Final_Training/Images/000KK/NAME). */
  file: string;
  /** The class it shows, and the class folder it was moved to. */
  truth: number;
  filedAs: number;
  /** Which planted unit (image, or whole track) it belongs to: 0, 1, … */
  unit: number;
}

async function csvLines(file: string): Promise<string[]> {
  return (await fs.readFile(file, 'utf8')).split(/\r?\n/).filter((l) => l.trim());
}

/**
 * Copies `tracksPerClass` tracks of each class (0: all) of `src`'s training set (GTSRB/Final_Training/Images) into a
 * fresh temp folder, then misfiles `plant` images (or, with `wholeTracks`, whole tracks), each from a different
 * track, chosen with `seed`: moved to a randomly chosen other class folder, their CSV rows following them with the new
 * ClassId. Moved files are renamed `9NNNN_SSSSS`, one track number per planted unit that no real track uses, so a
 * misfiled image is a track of its own and a misfiled track stays one track. The
 * copy gets a one-image Final_Test/ (a training image), since the training set alone is not a GTSRB folder to the reader.
 */
export async function copyWithMisfiled(src: string, o: { tracksPerClass: number; plant: number; seed: number; wholeTracks?: boolean }): Promise<{ root: string; misfiled: Misfiled[] }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'convkit-misfiled-'));
  const srcImages = path.join(src, 'GTSRB', 'Final_Training', 'Images');
  const dstImages = path.join(root, 'GTSRB', 'Final_Training', 'Images');
  const classes = (await fs.readdir(srcImages)).filter((d) => /^\d{5}$/.test(d)).sort();
  const rows = new Map<string, string[]>(); // class folder → CSV lines (header first)
  for (const c of classes) {
    const lines = await csvLines(path.join(srcImages, c, `GT-${c}.csv`));
    const tracks = [...new Set(lines.slice(1).map((l) => l.split(';')[0].split('_')[0]))].sort();
    const keep = new Set(o.tracksPerClass > 0 ? tracks.slice(0, o.tracksPerClass) : tracks);
    const kept = [lines[0], ...lines.slice(1).filter((l) => keep.has(l.split(';')[0].split('_')[0]))];
    await fs.mkdir(path.join(dstImages, c), { recursive: true });
    await mapLimit(kept.slice(1), 16, (l) => fs.copyFile(path.join(srcImages, c, l.split(';')[0]), path.join(dstImages, c, l.split(';')[0])));
    rows.set(c, kept);
  }
  const rng = new Rng(o.seed);
  const candidates: { c: string; line: string }[] = [];
  for (const [c, lines] of rows) for (const line of lines.slice(1)) candidates.push({ c, line });
  rng.shuffle(candidates);
  const usedTracks = new Set<string>();
  const misfiled: Misfiled[] = [];
  const trackOf = (line: string) => line.split(';')[0].split('_')[0];
  for (const { c, line } of candidates) {
    if (usedTracks.size === o.plant) break;
    const track = `${c}/${trackOf(line)}`;
    if (usedTracks.has(track)) continue;
    usedTracks.add(track);
    const newTrack = `9${String(usedTracks.size).padStart(4, '0')}`; // no real track number starts with 9: no clash
    const truth = Number(c);
    let filedAs = rng.int(classes.length - 1);
    if (filedAs >= classes.indexOf(c)) filedAs++;
    const to = classes[filedAs];
    const moved = o.wholeTracks ? rows.get(c)!.slice(1).filter((l) => trackOf(l) === trackOf(line)) : [line];
    for (const l of moved) {
      const fields = l.split(';');
      const newName = `${newTrack}_${fields[0].split('_')[1]}`;
      await fs.rename(path.join(dstImages, c, fields[0]), path.join(dstImages, to, newName));
      fields[0] = newName;
      fields[fields.length - 1] = String(Number(to));
      rows.get(to)!.push(fields.join(';'));
      misfiled.push({ file: path.join('GTSRB', 'Final_Training', 'Images', to, newName), truth, filedAs: Number(to), unit: usedTracks.size - 1 });
    }
    const gone = new Set(moved);
    rows.set(c, rows.get(c)!.filter((l) => !gone.has(l)));
  }
  for (const [c, lines] of rows) await fs.writeFile(path.join(dstImages, c, `GT-${c}.csv`), lines.join('\r\n') + '\r\n');
  const first = rows.get(classes[0])![1].split(';');
  await fs.mkdir(path.join(root, 'GTSRB', 'Final_Test', 'Images'), { recursive: true });
  await fs.copyFile(path.join(dstImages, classes[0], first[0]), path.join(root, 'GTSRB', 'Final_Test', 'Images', '00000.ppm'));
  await fs.writeFile(path.join(root, 'GTSRB', 'Final_Test', 'GT-final_test.csv'), `Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\r\n00000.ppm;${first.slice(1).join(';')}\r\n`);
  return { root, misfiled };
}

/**
 * The training images of a GTSRB folder as `convkit prepare` makes them (whole image, its resize, mode RGB): NHWC
 * float32 in [0, 1] at size×size, with the class the folder gives each image, its track id (the group) and its path
 * relative to `root`.
 */
export async function loadTrainingImages(root: string, size: number): Promise<{ x: Float32Array; labels: Int32Array; groups: Int32Array; files: string[] }> {
  const index = await indexGtsrb(root);
  const pixels = size * size * 3;
  const x = new Float32Array(index.train.length * pixels);
  await mapLimit(index.train, 8, async (s, i) => x.set(applyMode('RGB', resizeImage(await readGtsrbImage(s), size, size), size, size), i * pixels));
  return {
    x,
    labels: Int32Array.from(index.train, (s) => s.classId),
    groups: Int32Array.from(index.train, gtsrbTrackId),
    files: index.train.map((s) => path.relative(root, s.file)),
  };
}

