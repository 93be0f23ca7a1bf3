// effconv show RUN: one run in full (the Api's getRun): options, status, learned sizes per
// layer, epochs, files. --json prints the Api's RunDetail as it is.
import type { RunDetail } from '../../../contract/api';
import { EffconvError } from '../../../contract/errors';
import { formatParams } from '../../../engine/models/params';
import { parse } from '../args';
import { withCliService } from '../cli-service';
import { formatTable, pct, when } from '../table';
import { runIdArg } from './run-id';

const epochs = (n: number) => `${n} epoch${n === 1 ? '' : 's'}`;

function describe(d: RunDetail): string {
  const o = d.options;
  const lines = [
    `run ${d.id}  ${d.status}${d.error ? `: ${d.error.message}` : ''}`,
    `experiment   ${d.experimentName} (${d.experimentId})${d.parentRunId ? `, retrained from run ${d.parentRunId}` : ''}`,
    `model        ${d.backbone}, budget ${d.budget ? formatParams(d.budget) : '—'}, ${d.params ? `${formatParams(d.params)} params` : 'params —'}`,
    `dataset      ${d.dataset}${d.datasetRecord?.sha256 ? ` (sha256 ${d.datasetRecord.sha256.slice(0, 12)}…)` : ''}`,
    `stages       ${o.stages}: search ${epochs(o.searchEpochs)} (batch ${o.batchSize}), train ${epochs(o.trainEpochs)} (batch ${o.trainBatchSize}), seed ${d.seed}`,
    `backend      ${d.backend}${d.device ? ` — ${d.device}` : ''}${d.worker ? `, on worker ${d.worker.name} (${d.worker.host})` : ''}`,
    `times        created ${when(d.createdAt)}${d.startedAt ? `, started ${when(d.startedAt)}` : ''}${d.endedAt ? `, ended ${when(d.endedAt)}` : ''}`,
  ];
  if (d.top1 != null) lines.push(`accuracy     top-1 ${pct(d.top1)}${d.top5 != null ? `, top-5 ${pct(d.top5)}` : ''}`);
  if (d.searchSecondsPerEpoch || d.trainSecondsPerEpoch) {
    lines.push(`s/epoch      search ${d.searchSecondsPerEpoch?.toFixed(2) ?? '—'}, train ${d.trainSecondsPerEpoch?.toFixed(2) ?? '—'}`);
  }
  if (d.progress && d.status !== 'completed') lines.push(`progress     stage ${d.progress.stage}, epoch ${d.progress.epoch}, step ${d.progress.step}/${d.progress.totalSteps}`);
  lines.push(`folder       ${d.dir}${d.outDir ? ` (and --out ${d.outDir})` : ''}`);
  let text = lines.join('\n') + '\n';
  if (d.sizes && d.layers) {
    const rows = d.layers.map((name, i) => [name, String(d.sizes![i]), d.soft ? d.soft[i].toFixed(4) : '']);
    text += '\n' + formatTable(['LAYER', 'SIZE', 'SOFT'], rows, new Set([1, 2]));
  }
  if (d.epochs.length) {
    const rows = d.epochs.map((e) => [String(e.stage), String(e.epoch), e.trainLoss?.toFixed(4) ?? '', pct(e.top1), pct(e.top5), e.params ? formatParams(e.params) : '', e.seconds.toFixed(1)]);
    text += '\n' + formatTable(['STAGE', 'EPOCH', 'LOSS', 'TOP-1', 'TOP-5', 'PARAMS', 'SECONDS'], rows, new Set([1, 2, 3, 4, 5, 6]));
  }
  if (d.artifacts.length) {
    const rows = d.artifacts.map((a) => [a.kind, a.bytes != null ? `${(a.bytes / 1024).toFixed(0)} KiB` : '', a.path]);
    text += '\n' + formatTable(['FILE', 'SIZE', 'PATH'], rows, new Set([1]));
  }
  return text;
}

export async function showCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv show RUN [--json]', 'argv');
  const runId = runIdArg(positionals[0]);
  const d = await withCliService((s) => s.api.getRun(runId));
  process.stdout.write(values.json ? JSON.stringify(d, null, 2) + '\n' : describe(d));
  return 0;
}
