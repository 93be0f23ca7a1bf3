// effconv runs: the recorded runs, newest first, filtered by experiment and status (the Api's
// listRuns; --json prints its Page<RunRow> as it is).
import { EffconvError } from '../../../contract/errors';
import { RUN_STATUSES, type RunStatus, type RunRow } from '../../../contract/store';
import { formatDuration } from '../progress';
import { formatParams } from '../../../engine/models/params';
import { intFlag, parse } from '../args';
import { withCliService } from '../cli-service';
import { formatTable, pct, when } from '../table';

function progressText(r: RunRow): string {
  const p = r.progress;
  if (!p || r.status === 'completed') return '';
  const eta = r.status === 'running' && p.etaSeconds != null ? ` ETA ${formatDuration(p.etaSeconds)}` : '';
  return `stage ${p.stage} ${p.step}/${p.totalSteps}${eta}`;
}

export async function runsCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    experiment: { type: 'string' },
    status: { type: 'string' },
    limit: { type: 'string' },
    offset: { type: 'string' },
    json: { type: 'boolean' },
  });
  const status = typeof values.status === 'string' ? (values.status.split(',') as RunStatus[]) : undefined;
  for (const s of status ?? []) {
    if (!RUN_STATUSES.includes(s)) throw new EffconvError('INVALID_ARGUMENT', `--status must be one or more of ${RUN_STATUSES.join(', ')} (comma-separated), got "${s}"`, 'status');
  }
  const experiment = values.experiment as string | undefined;
  const page = await withCliService((s) => s.api.listRuns({ experiment, status, limit: intFlag(values.limit, 'limit', 1, 50), offset: intFlag(values.offset, 'offset', 0, 0) }));
  if (values.json) {
    process.stdout.write(JSON.stringify(page, null, 2) + '\n');
    return 0;
  }
  if (page.total === 0) {
    process.stdout.write('no runs recorded yet (effconv run … records one)\n');
    return 0;
  }
  const rows = page.items.map((r) => [
    String(r.id), r.status, r.experimentName, r.backbone, r.dataset.split(/[\\/]/).pop() ?? r.dataset, r.budget ? formatParams(r.budget) : '',
    r.params ? formatParams(r.params) : '', pct(r.top1), r.backend, progressText(r), when(r.createdAt),
  ]);
  process.stdout.write(formatTable(['RUN', 'STATUS', 'EXPERIMENT', 'BACKBONE', 'DATASET', 'BUDGET', 'PARAMS', 'TOP-1', 'BACKEND', 'PROGRESS', 'CREATED'], rows, new Set([0, 5, 6, 7])));
  if (page.total > page.offset + page.items.length) process.stdout.write(`${page.offset + page.items.length} of ${page.total} shown (--limit, --offset for more)\n`);
  return 0;
}
