// effconv sweep …: a grid of budgets × backbones × datasets × seeds (and the 3×3 baseline) as
// one experiment, through the Api's sweep methods. `effconv sweep` and `sweep resume` drive it
// here: its points run in worker processes of this terminal (--parallel at once), followed
// until the sweep ends; list, show, pause, cancel and delete only read or ask.
import { EffconvError } from '../../../contract/errors';
import type { SweepDetail } from '../../../contract/sweep';
import { homePaths } from '../../../common/paths';
import { settings } from '../../../common/settings';
import { builtWorkerPath, nodeWorkerLauncher } from '../../../api/processes/launcher';
import { RunQueue } from '../../../api/processes/run-queue';
import { inProcessTasks } from '../../../api/processes/tasks';
import { createService, type Service } from '../../../api/service/service';
import { formatParams } from '../../../engine/models/params';
import { intFlag, parse } from '../args';
import { APP_VERSION, cliNotice, cliOutput, queueOf, withCliService } from '../cli-service';
import { connectQueue } from '../../../api/processes/fleet/connection';
import { coordinatorRuns } from '../../../api/processes/fleet/coordinator';
import { parseQueueUrl } from '../../../api/processes/fleet/queue-url';
import { formatTable, pct } from '../table';
import { SweepConsole, sweepHeadline } from '../sweep-progress';
import { checkpointEveryMs, SHARED_RUN_FLAGS, sharedOptionsFromFlags, type Flags } from './run';

const SWEEP_FLAGS = {
  ...SHARED_RUN_FLAGS,
  budget: { type: 'string' },
  backbone: { type: 'string' },
  dataset: { type: 'string' },
  seed: { type: 'string' },
  baseline: { type: 'boolean' },
  parallel: { type: 'string' },
  name: { type: 'string' },
} as const;

const list = (v: unknown): string[] => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

function seeds(v: unknown): number[] {
  return list(v ?? '0').map((s) => intFlag(s, 'seed', 0));
}

/**
 * A service whose queue runs this terminal's sweep points only, in worker processes, `parallel`
 * at once; with a fleet's queue (--queue, EFFCONV_QUEUE), the points go to its workers instead.
 */
async function sweepService(o: { checkpointEveryMs?: number; queue?: string }): Promise<{ service: Service; queue: () => RunQueue }> {
  let queue: RunQueue | null = null;
  const launcher = nodeWorkerLauncher(builtWorkerPath(), process.env);
  const target = o.queue ? parseQueueUrl(o.queue) : null;
  const redis = target ? await connectQueue(target, 'effconv-sweep') : null;
  const service = createService({
    mode: 'cli',
    version: APP_VERSION,
    paths: homePaths(),
    executor: (store) => {
      queue = new RunQueue({ store, launcher, onlyOwn: true, checkpointEveryMs: o.checkpointEveryMs });
      return target ? coordinatorRuns(store, queue, { queue: target, redis, adopt: false, checkpointEveryMs: o.checkpointEveryMs }) : queue;
    },
    tasks: inProcessTasks(),
    store: { nativeBinding: settings().sqliteBinding },
    // Points another process drives (left running by a driver that was killed) are followed too.
    followOutsideRuns: true,
    notice: cliNotice,
    offerSample: cliOutput.offerSample,
  });
  return { service, queue: () => queue! };
}

const ACTIVE = new Set(['queued', 'running']);

/** Follow a sweep to its end; Ctrl-C pauses it at checkpoints (twice: stop its workers at once). */
async function follow(service: Service, queue: RunQueue, sweepId: number, o: { json: boolean; quiet: boolean }): Promise<number> {
  const view = new SweepConsole(process.stderr, Boolean(process.stderr.isTTY), o.quiet);
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) {
      queue.killWorkers();
      process.stderr.write(`\nstopped; effconv sweep resume ${sweepId} continues every point from its last checkpoint\n`);
      process.exit(130);
    }
    process.stderr.write('\npausing the sweep: running points stop at their next checkpoint (Ctrl-C again to stop them at once)\n');
    void service.api.pauseSweep(sweepId).catch(() => {});
  };
  process.on('SIGINT', onSigint);
  let s: SweepDetail;
  try {
    s = await service.api.getSweep(sweepId);
    process.stderr.write(`${sweepHeadline(s)} (sweep ${s.id}, ${s.parallel} at once)\n`);
    for (;;) {
      s = await service.api.getSweep(sweepId);
      view.show(s);
      if (!ACTIVE.has(s.status)) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await queue.idle();
  } finally {
    view.end();
    process.off('SIGINT', onSigint);
  }
  process.stderr.write(`${sweepHeadline(s)}: ${s.status}\n`);
  if (o.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
  const failed = s.points.filter((p) => p.status === 'failed');
  for (const p of failed) process.stderr.write(`  point #${p.index} (run ${p.runId}) failed: ${p.error?.message ?? 'no error recorded'}\n`);
  switch (s.status) {
    case 'completed':
      return 0;
    case 'paused':
      process.stderr.write(`effconv sweep resume ${s.id} continues it\n`);
      return 0;
    case 'cancelled':
      return 130;
    default:
      return 1; // partial: the failed points are named above
  }
}

async function drive(v: Flags, start: (s: Service) => Promise<number>): Promise<number> {
  const { service, queue } = await sweepService({ checkpointEveryMs: checkpointEveryMs(v), queue: queueOf(v) });
  try {
    const id = await start(service);
    return await follow(service, queue(), id, { json: Boolean(v.json), quiet: Boolean(v.quiet) });
  } finally {
    await service.close();
  }
}

async function startCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, SWEEP_FLAGS);
  const v = values as Flags;
  if (typeof v.budget !== 'string') throw new EffconvError('INVALID_ARGUMENT', '--budget is required: a list (0.2M,0.4M), a log-spaced range (0.2M..0.8M:4) or multiples of the 3×3 count (0.5x,1x,2x)', 'budget');
  if (typeof v.dataset !== 'string') throw new EffconvError('INVALID_ARGUMENT', '--dataset is required (one or more library names, comma-separated)', 'dataset');
  const req = {
    name: v.name as string | undefined,
    budgets: v.budget,
    backbones: list(v.backbone ?? 'resnet20'),
    datasets: list(v.dataset),
    seeds: seeds(v.seed),
    baseline: Boolean(v.baseline),
    parallel: intFlag(v.parallel, 'parallel', 1, 1),
    options: sharedOptionsFromFlags(v, 'both'),
  };
  return drive(v, async (s) => (await s.api.startSweep(req)).sweepId);
}

function describe(s: SweepDetail): string {
  const g = s.grid;
  const head = [
    `sweep ${s.id} "${s.name}"  ${s.status}`,
    `grid      budgets ${g.budgets.map((b) => b.label).join(', ')}; backbones ${g.backbones.join(', ')}; datasets ${g.datasets.join(', ')}; seeds ${g.seeds.join(', ')}${g.baseline ? '; with the 3×3 baseline' : ''}`,
    `points    ${s.total} (${Object.entries(s.counts).map(([k, n]) => `${n} ${k}`).join(', ')}), ${s.parallel} at once`,
    '',
  ];
  const rows = s.points.map((p) => [
    String(p.index), String(p.runId), p.status, p.kind === 'baseline' ? 'baseline 3×3' : (p.budgetLabel ?? ''), p.backbone, p.dataset.split(/[\\/]/).pop() ?? p.dataset, String(p.seed),
    p.params != null ? formatParams(p.params) : '', pct(p.top1), pct(p.top5), p.sizes?.join(' ') ?? '', p.onFront ? '*' : '',
  ]);
  return head.join('\n') + formatTable(['POINT', 'RUN', 'STATUS', 'BUDGET', 'BACKBONE', 'DATASET', 'SEED', 'PARAMS', 'TOP-1', 'TOP-5', 'SIZES', 'FRONT'], rows, new Set([0, 1, 6, 7, 8, 9])) + '* on the Pareto front (top-1 against parameters) of its dataset\n';
}

function one(rest: string[], usage: string, flags: Parameters<typeof parse>[1] = {}): { ref: string; values: Flags } {
  const { values, positionals } = parse(rest, flags, true);
  if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', `usage: effconv sweep ${usage}`, 'argv');
  return { ref: positionals[0], values: values as Flags };
}

export async function sweepCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } });
      const all = await withCliService((s) => s.api.listSweeps());
      if (values.json) process.stdout.write(JSON.stringify(all, null, 2) + '\n');
      else if (all.length === 0) process.stdout.write('no sweeps yet (effconv sweep --budget … --dataset … records one)\n');
      else {
        const rows = all.map((s) => [String(s.id), s.status, s.name, `${(s.counts.completed ?? 0) + (s.counts.failed ?? 0)}/${s.total}`, s.createdAt.slice(0, 16).replace('T', ' ')]);
        process.stdout.write(formatTable(['SWEEP', 'STATUS', 'NAME', 'DONE', 'CREATED'], rows, new Set([0, 3])));
      }
      return 0;
    }
    case 'show': {
      const { ref, values } = one(rest, 'show NAME|ID [--json]', { json: { type: 'boolean' } });
      const s = await withCliService((svc) => svc.api.getSweep(ref));
      process.stdout.write(values.json ? JSON.stringify(s, null, 2) + '\n' : describe(s));
      return 0;
    }
    case 'resume': {
      const { ref, values } = one(rest, 'resume NAME|ID [--json] [--quiet] [--queue URL]', { json: { type: 'boolean' }, quiet: { type: 'boolean' }, 'checkpoint-minutes': { type: 'string' }, queue: { type: 'string' } });
      return drive(values, async (s) => {
        const { id } = await s.api.getSweep(ref);
        await s.api.resumeSweep(id);
        return id;
      });
    }
    case 'pause':
    case 'cancel':
    case 'delete': {
      const { ref } = one(rest, `${sub} NAME|ID`);
      await withCliService(async (s) => {
        const { id, name } = await s.api.getSweep(ref);
        await (sub === 'pause' ? s.api.pauseSweep(id) : sub === 'cancel' ? s.api.cancelSweep(id) : s.api.deleteSweep(id));
        process.stderr.write(`${sub === 'pause' ? 'pausing' : sub === 'cancel' ? 'cancelled' : 'deleted'} sweep ${id} "${name}"\n`);
      });
      return 0;
    }
    case undefined:
      throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv sweep --budget LIST --dataset LIST [options] | list | show | resume | pause | cancel | delete', 'argv');
    default:
      if (sub.startsWith('-')) return startCommand(argv);
      throw new EffconvError('INVALID_ARGUMENT', `effconv sweep: unknown subcommand "${sub}" (list, show, resume, pause, cancel, delete; or options to start one)`, 'argv');
  }
}

