// Progress of an import, phase by phase, with an ETA from the rate so far in the phase, and
// the cancel check every long loop calls.
import { EffconvError } from '../../contract/errors';

export type ImportPhase = 'scan' | 'read' | 'decode' | 'write' | 'verify';

/** etaSeconds is NaN while unknown (nothing done yet in the phase); total is 0 when unknown. */
export type ProgressCallback = (done: number, total: number, phase: ImportPhase, etaSeconds: number) => void;

export class ImportProgress {
  private phase: ImportPhase = 'scan';
  private total = 0;
  private done = 0;
  private started = Date.now();
  private lastReport = 0;

  constructor(
    private readonly onProgress?: ProgressCallback,
    private readonly signal?: AbortSignal,
  ) {}

  /** Throw CANCELLED if the user asked to stop. */
  check(): void {
    if (this.signal?.aborted) throw new EffconvError('CANCELLED', 'import cancelled');
  }

  start(phase: ImportPhase, total: number): void {
    this.check();
    this.phase = phase;
    this.total = total;
    this.done = 0;
    this.started = Date.now();
    this.lastReport = 0;
    this.report(true);
  }

  advance(n = 1): void {
    this.set(this.done + n);
  }

  set(done: number): void {
    this.done = done;
    this.report(done >= this.total);
    if ((done & 255) === 0) this.check();
  }

  private report(force: boolean): void {
    if (!this.onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastReport < 100) return;
    this.lastReport = now;
    const elapsed = (now - this.started) / 1000;
    const eta = this.done > 0 && this.total > this.done ? (elapsed / this.done) * (this.total - this.done) : this.done >= this.total ? 0 : NaN;
    this.onProgress(this.done, this.total, this.phase, eta);
  }
}
