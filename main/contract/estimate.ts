// The expected wall time of a run, or of a sweep, before it starts: per-step times from a short
// probe of the run's own network on its backend (cached per machine), times the steps it takes.
// Plain JSON values only.

export interface StageEstimate {
  seconds: number;
  steps: number;
  stepMs: number;
  /** Stage 2: the evaluations after every epoch (included in seconds). */
  evalSeconds: number;
}

export interface RunEstimate {
  search: StageEstimate | null;
  train: StageEstimate | null;
  totalSeconds: number;
  /** Stage 2's sizes the estimate assumed. */
  trainSizes: number[] | null;
  /** Whether every timing came from the cache. */
  cached: boolean;
  /** Seconds the probe took now (0 when cached). */
  probeSeconds: number;
  backend: string;
  device: string;
  /** Runs were training on this machine while the probe ran: its times may read high, and were not kept. */
  probedWhileBusy: boolean;
}

/** A sweep's expected wall time: every point's, summed, over the points that run at once. */
export interface SweepEstimate {
  /** Each planned point's estimate, in the plan's order. */
  points: { index: number; seconds: number; search: StageEstimate | null; train: StageEstimate | null }[];
  /** The points one after another. */
  sumSeconds: number;
  parallel: number;
  /** sumSeconds / parallel. */
  totalSeconds: number;
  /** wasm threads each point was probed with (its share of the cores when points run side by side); null for other backends. */
  threadsPerPoint: number | null;
  /** Whether every point's timings came from this machine's earlier probes. */
  cached: boolean;
  backend: string;
  device: string;
  probedWhileBusy: boolean;
}

/** The same estimate for other epoch counts: steps and evaluations grow with the epochs, the per-step times do not. */
export function rescaleEstimate(e: RunEstimate, from: { searchEpochs: number; trainEpochs: number }, to: { searchEpochs: number; trainEpochs: number }): RunEstimate {
  const scale = (s: StageEstimate | null, a: number, b: number): StageEstimate | null => {
    if (!s) return null;
    const f = a > 0 ? b / a : 0;
    const steps = Math.round(s.steps * f);
    const evalSeconds = s.evalSeconds * f;
    return { steps, stepMs: s.stepMs, evalSeconds, seconds: (steps * s.stepMs) / 1000 + evalSeconds };
  };
  const search = scale(e.search, from.searchEpochs, to.searchEpochs);
  const train = scale(e.train, from.trainEpochs, to.trainEpochs);
  return { ...e, search, train, totalSeconds: (search?.seconds ?? 0) + (train?.seconds ?? 0) };
}
