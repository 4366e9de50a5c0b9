import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c, decodeEvent, encodeEvent, frameRecord, histogramOf, maskedCrc32c, readRecords } from './tfevents.js';

test('CRC-32C matches the published check values', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43); // RFC 3720 B.4: 32 bytes of 0xFF
  const c = crc32c(Buffer.from('abc'));
  assert.equal(maskedCrc32c(Buffer.from('abc')), ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
});

test('records frame and unframe; a flipped byte or a torn tail stops the reader at the last good record', () => {
  const a = frameRecord(Buffer.from('first'));
  const b = frameRecord(Buffer.from('second record'));
  const both = Buffer.concat([a, b]);
  assert.deepEqual(readRecords(both).records.map((r) => Buffer.from(r).toString()), ['first', 'second record']);
  const torn = both.subarray(0, both.length - 3);
  const t = readRecords(torn);
  assert.equal(t.records.length, 1);
  assert.match(t.error!, /torn record/);
  const flipped = Buffer.from(both);
  flipped[a.length + 14] ^= 1;
  assert.match(readRecords(flipped).error!, /bad data CRC/);
});

test('Event messages round-trip through protobuf, histograms count every value', () => {
  const h = histogramOf(new Float32Array([-1, 0, 0.5, 1, 1]), 4);
  assert.equal(h.num, 5);
  assert.equal(h.bucket.reduce((s, x) => s + x, 0), 5);
  assert.equal(h.bucketLimit[h.bucketLimit.length - 1], 1);
  const e = { wallTime: 1700000000.5, step: 3, summary: { value: [{ tag: 'epoch_loss', simpleValue: 0.25 }, { tag: 'w', histo: h }] } };
  const d = decodeEvent(encodeEvent(e));
  assert.equal(d.step, 3);
  assert.equal(d.wallTime, 1700000000.5);
  assert.equal(d.summary!.value[0].simpleValue, 0.25);
  assert.deepEqual(d.summary!.value[1].histo!.bucket, h.bucket);
  assert.equal(decodeEvent(encodeEvent({ wallTime: 1, fileVersion: 'brain.Event:2' })).fileVersion, 'brain.Event:2');
});
