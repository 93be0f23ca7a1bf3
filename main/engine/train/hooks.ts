// How a caller watches and stops a training stage.
import type { TrainEvent } from '../../contract/events';
import { EffconvError } from '../../contract/errors';

export interface TrainHooks {
  onEvent?: (e: TrainEvent) => void;
  signal?: AbortSignal;
}

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new EffconvError('CANCELLED', 'the run was cancelled');
}

/** Let the event loop run (I/O, signals, UI messages) between synchronous tfjs steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Smoothed seconds-per-step for an ETA that does not jump around. */
export class StepTimer {
  private ema = 0;
  private n = 0;

  add(ms: number): void {
    this.n += 1;
    // The first steps include warm-up (kernel compilation, allocation); weight recent ones more.
    const alpha = this.n < 5 ? 0.5 : 0.1;
    this.ema = this.n === 1 ? ms : this.ema + alpha * (ms - this.ema);
  }

  etaSeconds(remainingSteps: number): number {
    return (this.ema * remainingSteps) / 1000;
  }
}
