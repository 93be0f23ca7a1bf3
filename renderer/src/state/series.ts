// Append-only columns of numbers indexed by step, for live charts. Plain arrays: 100,000
// steps × a few columns is a few MB; charts downsample for display.
export class GrowingSeries<K extends string> {
  readonly step: number[] = [];
  readonly columns: Record<K, number[]>;

  constructor(readonly keys: readonly K[]) {
    this.columns = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  }

  get last(): number {
    return this.step.length ? this.step[this.step.length - 1] : 0;
  }

  push(step: number, values: Partial<Record<K, number>>): void {
    if (step <= this.last) return; // already loaded from the store
    this.step.push(step);
    for (const k of this.keys) this.columns[k].push(values[k] ?? Number.NaN);
  }

  load(step: number[], columns: Record<string, number[]>): void {
    this.step.length = 0;
    this.step.push(...step);
    for (const k of this.keys) {
      this.columns[k].length = 0;
      this.columns[k].push(...(columns[k] ?? step.map(() => Number.NaN)));
    }
  }
}

/** Per-step size rows, kept under a bound by dropping every other row when full. */
export class SizeRows {
  step: number[] = [];
  soft: number[][] = [];
  hard: number[][] = [];
  private stride = 1;
  private seen = 0;

  constructor(private readonly capacity = 1200) {}

  load(step: number[], soft: number[][], hard: number[][]): void {
    this.step = step.slice();
    this.soft = soft.slice();
    this.hard = hard.slice();
    this.seen = step.length ? step[step.length - 1] : 0;
    this.stride = step.length > 1 ? Math.max(1, Math.round((step[step.length - 1] - step[0]) / (step.length - 1))) : 1;
  }

  push(step: number, soft: number[], hard: number[]): void {
    if (step <= this.seen) return;
    this.seen = step;
    if (this.step.length && step - this.step[this.step.length - 1] < this.stride) return;
    this.step.push(step);
    this.soft.push(soft);
    this.hard.push(hard);
    if (this.step.length > this.capacity) {
      const keep = (_: unknown, i: number) => i % 2 === 0;
      this.step = this.step.filter(keep);
      this.soft = this.soft.filter(keep);
      this.hard = this.hard.filter(keep);
      this.stride *= 2;
    }
  }
}
