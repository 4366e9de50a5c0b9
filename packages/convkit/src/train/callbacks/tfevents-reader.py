#!/usr/bin/env python3
"""Independent reader for TensorBoard event files, used by tensorboard.test.ts.

Written separately from tfevents.ts on purpose: CRC-32C comes from crcmod (Debian python3-crcmod),
the protobuf wire format is decoded by hand here. Prints JSON; exits 1 on any framing or CRC error.
Usage: tfevents-reader.py FILE...
"""
import json
import struct
import sys

import crcmod.predefined

_crc32c = crcmod.predefined.mkCrcFun('crc-32c')


def masked_crc(data):
    crc = _crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def fields(buf):
    """Yields (field_number, wire_type, value) of a protobuf message."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(buf, i)
        elif wt == 1:
            v = buf[i:i + 8]
            i += 8
        elif wt == 2:
            n, i = varint(buf, i)
            v = buf[i:i + n]
            i += n
        elif wt == 5:
            v = buf[i:i + 4]
            i += 4
        else:
            raise ValueError('unsupported wire type %d' % wt)
        yield num, wt, v


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def histogram(buf):
    h = {'bucket_limit': [], 'bucket': []}
    names = {1: 'min', 2: 'max', 3: 'num', 4: 'sum', 5: 'sum_squares'}
    for num, wt, v in fields(buf):
        if num in names:
            h[names[num]] = struct.unpack('<d', v)[0]
        elif num in (6, 7):
            key = 'bucket_limit' if num == 6 else 'bucket'
            if wt == 2:
                h[key].extend(struct.unpack('<%dd' % (len(v) // 8), v))
            else:
                h[key].append(struct.unpack('<d', v)[0])
    return h


def summary_value(buf):
    out = {}
    for num, wt, v in fields(buf):
        if num == 1:
            out['tag'] = v.decode('utf-8')
        elif num == 2:
            out['simple_value'] = struct.unpack('<f', v)[0]
        elif num == 5:
            out['histo'] = histogram(v)
    return out


def event(buf):
    e = {}
    for num, wt, v in fields(buf):
        if num == 1:
            e['wall_time'] = struct.unpack('<d', v)[0]
        elif num == 2:
            e['step'] = v
        elif num == 3:
            e['file_version'] = v.decode('utf-8')
        elif num == 5:
            e['values'] = [summary_value(x) for n2, _, x in fields(v) if n2 == 1]
    return e


def read_file(path):
    data = open(path, 'rb').read()
    i = 0
    events = []
    while i < len(data):
        if i + 12 > len(data):
            raise ValueError('%s: truncated header at %d' % (path, i))
        header = data[i:i + 8]
        (length,) = struct.unpack('<Q', header)
        (hcrc,) = struct.unpack('<I', data[i + 8:i + 12])
        if hcrc != masked_crc(header):
            raise ValueError('%s: bad length CRC at %d' % (path, i))
        body = data[i + 12:i + 12 + length]
        if len(body) != length or i + 16 + length > len(data):
            raise ValueError('%s: truncated record at %d' % (path, i))
        (dcrc,) = struct.unpack('<I', data[i + 12 + length:i + 16 + length])
        if dcrc != masked_crc(body):
            raise ValueError('%s: bad data CRC at %d' % (path, i))
        events.append(event(body))
        i += 16 + length
    return {'file': path, 'records': len(events), 'events': events}


if __name__ == '__main__':
    try:
        print(json.dumps([read_file(p) for p in sys.argv[1:]]))
    except ValueError as e:
        print(str(e), file=sys.stderr)
        sys.exit(1)
