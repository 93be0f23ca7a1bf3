// A run started through the Api, followed in the terminal: its events as console progress,
// Ctrl-C to cancel after the current step (twice to quit at once), and the ending told the way
// a terminal user needs it (what was written, how to resume). Shared by run|search|train|resume.
import { dirname, resolve } from 'node:path';
import type { PushEvent, RunDetail } from '../../contract/api';
import { deserializeError } from '../../contract/errors';
import type { TrainEvent } from '../../contract/events';
import { formatParams } from '../../engine/models/params';
import type { Service } from '../../api/service/service';
import { ConsoleProgress } from './progress';

export interface FollowOptions {
  json: boolean;
  quiet: boolean;
}

const ENDED = new Set(['completed', 'paused', 'cancelled', 'failed', 'interrupted']);

/** The config.json the run wrote where its events went (--out, else its own folder). */
function configPath(d: RunDetail): string | null {
  const where = resolve(d.outDir ?? d.dir);
  return d.artifacts.find((a) => a.kind === 'config' && resolve(dirname(a.path)) === where)?.path ?? null;
}

/** `start` asks the Api for the run (startRun, retrainRun, resumeRun) and returns its id; resolves with the exit code. */
export async function followRun(service: Service, start: () => Promise<number>, o: FollowOptions): Promise<number> {
  const { api, hub } = service;
  const progress = new ConsoleProgress(process.stderr, Boolean(process.stderr.isTTY), o.quiet);
  // This process executes the run: its first events may arrive before its id does.
  const early: PushEvent[] = [];
  let runId: number | null = null;
  let finish: (status: string) => void = () => {};
  const ended = new Promise<string>((r) => (finish = r));
  const onEvent = (e: PushEvent) => {
    if (e.kind === 'task') return;
    if (runId === null) return void early.push(e);
    if (e.runId !== runId) return;
    if (e.kind === 'run') progress.event(e.event);
    else if (ENDED.has(e.status)) finish(e.status);
  };
  const unsubscribe = hub.subscribe(onEvent);
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    // A second Ctrl-C quits at once; the run is then found interrupted and resumable from its last checkpoint.
    if (interrupts > 1 || runId === null) process.exit(130);
    progress.event({ type: 'log', level: 'warn', message: 'stopping after the current step (Ctrl-C again to quit at once)' });
    void api.cancelRun(runId).catch(() => {});
  };
  process.on('SIGINT', onSigint);
  try {
    runId = await start();
    const run = await api.getRun(runId);
    const log: TrainEvent = { type: 'log', level: 'info', message: `run ${runId} in experiment "${run.experimentName}"` };
    progress.event(log);
    for (const e of early.splice(0)) onEvent(e);
    await ended;
    progress.end();
    const d = await api.getRun(runId);
    switch (d.status) {
      case 'completed': {
        const acc = d.top1 != null ? `, top-1 ${(d.top1 * 100).toFixed(2)}%${d.top5 != null ? `, top-5 ${(d.top5 * 100).toFixed(2)}%` : ''}` : '';
        const config = configPath(d);
        process.stderr.write(`sizes ${d.sizes!.join(' ')}; ${formatParams(d.params!)} params${d.budget ? ` (budget ${formatParams(d.budget)})` : ''}${acc}\nwrote ${config}\n`);
        if (o.json) {
          const summary = {
            run: runId, backend: d.backend, device: d.device, dataset: d.config?.dataset ?? null, sizes: d.sizes, soft: d.soft, params: d.params, budget: d.budget,
            top1: d.top1, top5: d.top5, searchSecondsPerEpoch: d.searchSecondsPerEpoch, trainSecondsPerEpoch: d.trainSecondsPerEpoch, out: config ? dirname(config) : null,
          };
          process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        }
        return 0;
      }
      case 'paused':
        process.stderr.write(`run ${runId} paused at a checkpoint; effconv resume ${runId} continues it\n`);
        return 0;
      case 'cancelled':
        process.stderr.write(`run ${runId} cancelled; effconv resume ${runId} continues it from its last checkpoint\n`);
        return 130;
      default:
        throw deserializeError(d.error ?? { code: 'INTERNAL', message: `run ${runId} ended ${d.status}`, detail: '' });
    }
  } finally {
    progress.end();
    unsubscribe();
    process.off('SIGINT', onSigint);
  }
}
