// metrics.jsonl after a crash: drop the lines of steps past the checkpoint the run resumes
// from (they are run and logged again), and a torn last line, so each step appears once.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../common/atomic-write';
import type { TrainEvent } from '../../contract/events';
import type { MetricsMark } from '../../store';

function keep(e: TrainEvent, m: MetricsMark): boolean {
  switch (e.type) {
    case 'step':
      return e.stage < m.stage || (e.stage === m.stage && e.step <= m.steps);
    case 'epoch':
      return e.stage < m.stage || (e.stage === m.stage && e.epoch <= m.epochs);
    case 'stage':
      // The resumed stage announces its start again.
      return e.stage < m.stage;
    default:
      return true;
  }
}

/** Rewrite the log (atomically) with only the events at or before the mark; returns how many lines were dropped. */
export function truncateEventLog(path: string, mark: MetricsMark): number {
  if (!existsSync(path)) return 0;
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const kept = lines.filter((l) => {
    try {
      return keep(JSON.parse(l) as TrainEvent, mark);
    } catch {
      return false; // a line cut short by the crash
    }
  });
  if (kept.length !== lines.length) writeFileAtomic(path, kept.map((l) => l + '\n').join(''));
  return lines.length - kept.length;
}
