// Before a run's first step: how long each stage should take here, as the Api estimates it
// (estimateRun: a short probe of the run's network on its backend, cached per machine), on one line.
import type { RunEstimate } from '../../contract/estimate';
import { humanDuration } from '../../contract/format';
import type { RunOptions } from '../../contract/run';
import type { Service } from '../../api/service/service';

export function describeEstimate(e: RunEstimate): string {
  const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
  const parts: string[] = [];
  if (e.search) parts.push(`stage 1 ≈ ${humanDuration(e.search.seconds)} (${e.search.steps.toLocaleString('en-US')} steps × ${ms(e.search.stepMs)})`);
  if (e.train) {
    const evals = e.train.evalSeconds >= 1 ? ` + evaluation ${humanDuration(e.train.evalSeconds)}` : '';
    parts.push(`stage 2 ≈ ${humanDuration(e.train.seconds)} (${e.train.steps.toLocaleString('en-US')} steps × ${ms(e.train.stepMs)}${evals})`);
  }
  const how = e.cached ? "this machine's earlier probe" : `a ${e.probeSeconds.toFixed(1)} s probe`;
  const busy = e.probedWhileBusy ? '; other runs were training meanwhile, so it may read high' : '';
  return `estimate on ${e.backend}: ${parts.join(', ')}; total ≈ ${humanDuration(e.totalSeconds)} (from ${how}${busy})`;
}

/** Print the estimate; a failure here is left for the run itself to report. */
export async function printRunEstimate(service: Service, o: RunOptions, out: NodeJS.WritableStream = process.stderr): Promise<void> {
  try {
    out.write(describeEstimate(await service.api.estimateRun(o)) + '\n');
  } catch {
    // The run opens the same data and backend next and names the problem there.
  }
}
