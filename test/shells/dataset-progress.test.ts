// The import progress display: a bar with ETA redrawn in place on a terminal, and a few plain
// lines (phase starts and every 10 %) in a log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importProgress } from '../../main/shells/cli/commands/dataset';

function sink(columns = 100) {
  const chunks: string[] = [];
  return { chunks, stream: { columns, write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WriteStream };
}

test('terminal: one line redrawn with a bar, counts, percent and ETA', () => {
  const s = sink();
  const p = importProgress(s.stream, true);
  p.update(0, 400, 'decode', NaN);
  p.update(100, 400, 'decode', 75);
  p.end();
  assert.equal(s.chunks[1], '\r\x1b[2K[██████░░░░░░░░░░░░░░░░░░] decoding 100/400 25%  ETA 1:15');
  assert.match(s.chunks[0], /decoding 0\/400 0%  ETA --:--$/);
  assert.equal(s.chunks.at(-1), '\r\x1b[2K', 'the bar is cleared at the end');
});

test('log: a line when a phase starts and each further tenth, nothing for unknown totals', () => {
  const s = sink();
  const p = importProgress(s.stream, false);
  p.update(0, 0, 'scan', NaN);
  for (let done = 0; done <= 1000; done += 50) p.update(done, 1000, 'write', 1);
  p.update(1, 1, 'verify', 0);
  assert.equal(s.chunks.length, 11);
  assert.equal(s.chunks[0], 'writing 0/1,000 0%  ETA 0:01\n');
  assert.equal(s.chunks[10], 'writing 1,000/1,000 100%  ETA 0:01\n');
});
