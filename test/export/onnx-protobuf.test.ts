// The protocol-buffers encoding under the ONNX export, against the wire format's own examples.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float32, int, message, string } from '../../main/export/onnx/protobuf';

test('varints: 1, 150 and 300 as in the protobuf encoding guide; negative int64 takes 10 bytes', () => {
  assert.deepEqual([...int(1, 1)], [0x08, 0x01]);
  assert.deepEqual([...int(1, 150)], [0x08, 0x96, 0x01]); // the guide's "08 96 01"
  assert.deepEqual([...int(2, 300)], [0x10, 0xac, 0x02]);
  assert.deepEqual([...int(3, -1)], [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.deepEqual([...int(1, 2n ** 63n - 1n)], [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
});

test('strings, floats and nested messages', () => {
  assert.deepEqual([...string(2, 'testing')], [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]); // the guide's example
  assert.deepEqual([...float32(2, 1e-5)], [0x15, 0xac, 0xc5, 0x27, 0x37]); // 1e-5f = 0x3727c5ac
  assert.deepEqual([...message(3, [int(1, 150)])], [0x1a, 0x03, 0x08, 0x96, 0x01]); // the guide's "1a 03 08 96 01"
});
