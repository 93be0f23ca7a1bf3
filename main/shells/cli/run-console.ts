// Run a claimed run in this process with console progress, Ctrl-C to cancel after the
// current step, and the ending told the way a terminal user needs it (what was written, how
// to resume). Shared by effconv run|search|train and effconv resume.
import { deserializeError } from '../../contract/errors';
import { formatParams } from '../../engine/models/params';
import { executeStoredRun } from '../../api/execute-stored-run';
import { getRunSummary, type Store } from '../../store';
import { ConsoleProgress } from './progress';

export interface ConsoleRunOptions {
  json: boolean;
  quiet: boolean;
  checkpointMinutes?: number;
}

export async function runInConsole(store: Store, runId: number, o: ConsoleRunOptions): Promise<number> {
  const progress = new ConsoleProgress(process.stderr, Boolean(process.stderr.isTTY), o.quiet);
  const run = getRunSummary(store, runId);
  progress.event({ type: 'log', level: 'info', message: `run ${runId} in experiment "${run.experimentName}"` });
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    // A second Ctrl-C quits at once; the run is then found interrupted and resumable from its last checkpoint.
    if (interrupts > 1) process.exit(130);
    progress.event({ type: 'log', level: 'warn', message: 'stopping after the current step (Ctrl-C again to quit at once)' });
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const out = await executeStoredRun(store, runId, {
      signal: abort.signal,
      onEvent: (e) => progress.event(e),
      checkpointEveryMs: o.checkpointMinutes !== undefined ? o.checkpointMinutes * 60_000 : undefined,
    });
    progress.end();
    switch (out.status) {
      case 'completed': {
        const s = out.result!.summary;
        const acc = s.top1 != null ? `, top-1 ${(s.top1 * 100).toFixed(2)}%${s.top5 != null ? `, top-5 ${(s.top5 * 100).toFixed(2)}%` : ''}` : '';
        process.stderr.write(`sizes ${s.sizes.join(' ')}; ${formatParams(s.params)} params${s.budget ? ` (budget ${formatParams(s.budget)})` : ''}${acc}\nwrote ${out.configPaths[0]}\n`);
        if (o.json) process.stdout.write(JSON.stringify({ run: runId, ...s, out: out.configPaths[0].replace(/[\\/]config\.json$/, '') }, null, 2) + '\n');
        return 0;
      }
      case 'paused':
        process.stderr.write(`run ${runId} paused at a checkpoint; effconv resume ${runId} continues it\n`);
        return 0;
      case 'cancelled':
        process.stderr.write(`run ${runId} cancelled; effconv resume ${runId} continues it from its last checkpoint\n`);
        return 130;
      case 'failed':
        throw deserializeError(out.error!);
    }
  } finally {
    progress.end();
    process.off('SIGINT', onSigint);
  }
}
