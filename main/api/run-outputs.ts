// A run's output folder: metrics.jsonl (appended as events arrive, one JSON object per
// line) and config.json (written atomically at the end).
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { EffconvConfig } from '../contract/config';
import type { TrainEvent } from '../contract/events';
import { writeJsonAtomic } from '../common/atomic-write';

export class RunOutputs {
  readonly dir: string;
  private fd: number | null;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    this.fd = openSync(join(dir, 'metrics.jsonl'), 'a');
  }

  /** Log events are for the console only; everything else goes to metrics.jsonl. */
  write(e: TrainEvent): void {
    if (this.fd === null || e.type === 'log') return;
    writeSync(this.fd, JSON.stringify({ time: new Date().toISOString(), ...e }) + '\n');
  }

  writeConfig(config: EffconvConfig): string {
    const path = join(this.dir, 'config.json');
    writeJsonAtomic(path, config);
    return path;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
