// npm run bench: the run-time estimate against a real short run on the same backend, in one
// process: ResNet-20 on the bundled sample (MNIST test set) for one search epoch and one
// training epoch, estimated from a fresh probe (an empty timing cache), then run through the
// pipeline with its stage wall times taken from the run's own stage events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainEvent } from '../main/contract/events';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../main/contract/run';
import { executeRun } from '../main/api/run/pipeline';
import { ensureSampleDataset } from '../main/data/library';
import type { BackendName } from '../main/engine/backends/probe';
import { estimateRuns } from '../main/api/run/estimate-run';
import type { ProbedEstimate } from '../main/engine/estimate/run-estimate';

export interface EstimateBench {
  options: RunOptions;
  estimate: ProbedEstimate;
  measured: { search: number; train: number; total: number };
  line: string;
}

export async function benchEstimate(backend: BackendName = 'wasm'): Promise<EstimateBench> {
  const home = mkdtempSync(join(tmpdir(), 'effconv-bench-estimate-'));
  const saved = process.env.EFFCONV_HOME;
  process.env.EFFCONV_HOME = home;
  try {
    const r = await ensureSampleDataset();
    const options: RunOptions = {
      ...DEFAULT_RUN_OPTIONS, dataset: r.name!, backbone: 'resnet20', budget: '0.2M', searchEpochs: 1, trainEpochs: 1,
      batchSize: 64, trainBatchSize: 128, limitTrain: 1024, limitTest: 1000, backend, seed: 0,
    };
    const [estimate] = await estimateRuns([options], { keep: false });
    const at: Record<string, number> = {};
    await executeRun(options, { onEvent: (e: TrainEvent) => void (e.type === 'stage' && (at[`${e.stage}-${e.status}`] = performance.now())) });
    const search = (at['1-end'] - at['1-start']) / 1000;
    const train = (at['2-end'] - at['2-start']) / 1000;
    const measured = { search, train, total: search + train };
    const cell = (est: number, real: number) => `${est.toFixed(1)} s / ${real.toFixed(1)} s (${(est / real).toFixed(2)})`;
    const line =
      `run-time estimate vs a real run (ResNet-20, ${options.dataset} ${options.limitTrain} train / ${options.limitTest} test, 1 + 1 epochs, batch 64 / 128, ${estimate.backend}), ` +
      `estimated / measured (ratio): stage 1 ${cell(estimate.search!.seconds, search)}, stage 2 ${cell(estimate.train!.seconds, train)}, ` +
      `total ${cell(estimate.totalSeconds, measured.total)}; the probe took ${estimate.probeSeconds.toFixed(1)} s`;
    return { options, estimate, measured, line };
  } finally {
    if (saved === undefined) delete process.env.EFFCONV_HOME;
    else process.env.EFFCONV_HOME = saved;
    rmSync(home, { recursive: true, force: true });
  }
}
