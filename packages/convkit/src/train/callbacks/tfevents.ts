import { promises as fs, openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import protobuf from 'protobufjs';
import { writeFileAtomic } from '../../util/atomic.js';

// Hand-written: CRC-32C (Castagnoli) and TFRecord framing are ~40 lines and no installed package provides them.
const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32c(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant, so CRCs of CRCs stay well distributed. */
export function maskedCrc32c(data: Uint8Array): number {
  const c = crc32c(data);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord: uint64 length, masked CRC of the length, data, masked CRC of the data (all little-endian). */
export function frameRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(8 + 4 + data.length + 4);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

/** Splits a TFRecord file into records, stopping at the first torn or corrupt one (a writer killed mid-record). */
export function readRecords(buf: Uint8Array): { records: Uint8Array[]; validBytes: number; error?: string } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const records: Uint8Array[] = [];
  let off = 0;
  while (off < b.length) {
    if (off + 12 > b.length) return { records, validBytes: off, error: `torn header at byte ${off}` };
    if (b.readUInt32LE(off + 8) !== maskedCrc32c(b.subarray(off, off + 8))) return { records, validBytes: off, error: `bad length CRC at byte ${off}` };
    const len = Number(b.readBigUInt64LE(off));
    if (off + 12 + len + 4 > b.length) return { records, validBytes: off, error: `torn record at byte ${off}` };
    const data = b.subarray(off + 12, off + 12 + len);
    if (b.readUInt32LE(off + 12 + len) !== maskedCrc32c(data)) return { records, validBytes: off, error: `bad data CRC at byte ${off}` };
    records.push(data);
    off += 12 + len + 4;
  }
  return { records, validBytes: off };
}

/**
 * The few TensorFlow messages an event file needs, with TensorFlow's field numbers
 * (tensorflow/core/util/event.proto, tensorflow/core/framework/summary.proto).
 */
export const TFEVENTS_PROTO = {
  nested: {
    tensorboard: {
      nested: {
        Event: {
          oneofs: { what: { oneof: ['fileVersion', 'summary'] } },
          fields: {
            wallTime: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            fileVersion: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: {
          fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
          nested: {
            Value: {
              oneofs: { value: { oneof: ['simpleValue', 'histo'] } },
              fields: {
                tag: { type: 'string', id: 1 },
                simpleValue: { type: 'float', id: 2 },
                histo: { type: 'HistogramProto', id: 5 },
              },
            },
          },
        },
        HistogramProto: {
          fields: {
            min: { type: 'double', id: 1 },
            max: { type: 'double', id: 2 },
            num: { type: 'double', id: 3 },
            sum: { type: 'double', id: 4 },
            sumSquares: { type: 'double', id: 5 },
            bucketLimit: { rule: 'repeated', type: 'double', id: 6, options: { packed: true } },
            bucket: { rule: 'repeated', type: 'double', id: 7, options: { packed: true } },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(TFEVENTS_PROTO);
export const EventMessage = root.lookupType('tensorboard.Event');

export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

export interface TfEvent {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  summary?: { value: { tag: string; simpleValue?: number; histo?: Histogram }[] };
}

export function encodeEvent(e: TfEvent): Uint8Array {
  return EventMessage.encode(EventMessage.fromObject(e)).finish();
}

export function decodeEvent(data: Uint8Array): TfEvent {
  return EventMessage.toObject(EventMessage.decode(data), { longs: Number, defaults: false }) as TfEvent;
}

/** Equal-width buckets over [min, max] (TensorBoard draws any bucket layout). */
export function histogramOf(values: Float32Array | number[], buckets = 30): Histogram {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
  }
  const n = values.length;
  if (n === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  const width = max > min ? (max - min) / buckets : 1;
  const k = max > min ? buckets : 1;
  const counts = new Array<number>(k).fill(0);
  for (const v of values) counts[Math.min(k - 1, Math.floor((v - min) / width))]++;
  const bucketLimit = counts.map((_, i) => (i === k - 1 ? max : min + (i + 1) * width));
  return { min, max, num: n, sum, sumSquares, bucketLimit, bucket: counts };
}

/** An append-only TensorBoard event file (`events.out.tfevents.<secs>.<host>.<pid>.v2`), first record `brain.Event:2`. */
export class EventFileWriter {
  readonly file: string;
  private fd: number;

  constructor(dir: string, wallTime = Date.now() / 1000) {
    this.file = path.join(dir, `events.out.tfevents.${Math.floor(wallTime)}.${os.hostname()}.${process.pid}.v2`);
    this.fd = openSync(this.file, 'a');
    this.write({ wallTime, fileVersion: 'brain.Event:2' });
  }

  write(e: TfEvent): void {
    writeSync(this.fd, frameRecord(encodeEvent(e)));
  }

  scalar(tag: string, value: number, step: number, wallTime = Date.now() / 1000): void {
    this.write({ wallTime, step, summary: { value: [{ tag, simpleValue: value }] } });
  }

  histogram(tag: string, values: Float32Array, step: number, wallTime = Date.now() / 1000): void {
    this.write({ wallTime, step, summary: { value: [{ tag, histo: histogramOf(values) }] } });
  }

  flush(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd < 0) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** Event files of `dir`, oldest first. */
export async function eventFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith('events.out.tfevents.')).sort().map((n) => path.join(dir, n));
}

/**
 * Rewrites the event files of `dir` keeping only the events `keep` accepts (and each file's version record),
 * and drops a torn tail — a resumed run uses this so every epoch appears once.
 */
export async function filterEventFiles(dir: string, keep: (e: TfEvent) => boolean): Promise<void> {
  for (const file of await eventFiles(dir)) {
    const { records } = readRecords(await fs.readFile(file));
    const kept: Buffer[] = [];
    for (const r of records) {
      const e = decodeEvent(r);
      if (e.fileVersion !== undefined || keep(e)) kept.push(frameRecord(r));
    }
    await writeFileAtomic(file, Buffer.concat(kept));
  }
}
