// Inside the sandboxed process of one fleet job: the pipeline (run/pipeline.ts) executes the
// run with a RunControl that hands everything it would record to the worker instead (events,
// the start, checkpoint files, the result and the weights file); the worker sends them on to
// the coordinator, which records them with the same code as a local run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../common/atomic-write';
import { isCancelled, serializeError } from '../../../contract/errors';
import { decodeCheckpoint, encodeCheckpoint } from '../../run/checkpoints';
import { executeRun } from '../../run/pipeline';
import { writeWeightsFile } from '../../run/run-outputs';
import type { FromJob, JobSpec, ToJob } from './job-protocol';

class PauseAfterCheckpoint extends Error {}

export interface JobLine {
  send(m: FromJob): void;
  onMessage(f: (m: ToJob) => void): void;
}

export async function executeJob(spec: JobSpec, line: JobLine): Promise<FromJob & { type: 'end' }> {
  const abort = new AbortController();
  let pause = false;
  line.onMessage((m) => {
    if (m.type === 'cancel') abort.abort();
    if (m.type === 'pause') pause = true;
  });
  const resume = spec.resumeFrom ? decodeCheckpoint(readFileSync(spec.resumeFrom), spec.resumeFrom) : null;
  let lastCheckpoint = performance.now();
  let n = 0;
  let weightsPath: string | null = null;
  const end = (m: Omit<FromJob & { type: 'end' }, 'type' | 'weightsPath' | 'result' | 'error'> & Partial<FromJob & { type: 'end' }>): FromJob & { type: 'end' } => ({
    type: 'end', error: null, result: null, weightsPath, ...m,
  });
  try {
    const result = await executeRun(spec.options, { signal: abort.signal, onEvent: (event) => line.send({ type: 'event', event }) }, {
      resume,
      started: (info) => line.send({ type: 'started', info }),
      wantsCheckpoint: () => (pause ? 'pause' : performance.now() - lastCheckpoint >= spec.checkpointEveryMs ? 'timer' : null),
      checkpoint: (state, kernelMaps) => {
        const path = join(spec.scratchDir, `checkpoint-${String(++n).padStart(6, '0')}.ckpt`);
        writeFileAtomic(path, encodeCheckpoint(spec.runId, state));
        line.send({ type: 'checkpoint', path, kernelMaps });
        lastCheckpoint = performance.now();
        if (pause) throw new PauseAfterCheckpoint();
      },
    }, {
      writeWeights: async (store, steps) => {
        const record = await writeWeightsFile(spec.scratchDir, store, steps);
        weightsPath = join(spec.scratchDir, record.file);
        return record;
      },
    });
    return end({ status: 'completed', result });
  } catch (e) {
    if (e instanceof PauseAfterCheckpoint) return end({ status: 'paused' });
    if (isCancelled(e)) return end({ status: 'cancelled' });
    return end({ status: 'failed', error: serializeError(e) });
  }
}
