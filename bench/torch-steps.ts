// The PyTorch side of the benchmark: bench/torch_steps.py in a long-lived Debian python3
// process, asked for one timed step at a time so its repetitions interleave with ours.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Debian's interpreter, which has python3-torch (not the pyenv python3 on PATH). */
export const TORCH_PYTHON = process.env.EFFCONV_TORCH_PYTHON ?? '/usr/bin/python3';

export class TorchSteps {
  private readonly lines: AsyncIterableIterator<string>;
  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    rl: Interface,
    readonly version: string,
    readonly threads: number,
  ) {
    this.lines = rl[Symbol.asyncIterator]();
  }

  /** Start the PyTorch process, or say why it cannot run here. */
  static async start(threads: number, data: string): Promise<TorchSteps | string> {
    if (!existsSync(TORCH_PYTHON)) return `${TORCH_PYTHON} not found`;
    const proc = spawn(TORCH_PYTHON, [join(here, 'torch_steps.py'), '--threads', String(threads), '--data', data], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    const rl = createInterface({ input: proc.stdout });
    const first = await rl[Symbol.asyncIterator]().next();
    if (first.done) return `PyTorch did not start: ${stderr.trim().split('\n').slice(-1)[0] ?? 'no output'}`;
    const hello = JSON.parse(first.value) as { torch: string; threads: number };
    return new TorchSteps(proc, rl, hello.torch, hello.threads);
  }

  /** One timed step (ms, measured inside Python around the step itself). */
  async step(stage: 1 | 2, size: number): Promise<number> {
    this.proc.stdin.write(JSON.stringify({ cmd: 'step', stage, size }) + '\n');
    const r = await this.lines.next();
    if (r.done) throw new Error('the PyTorch process ended');
    return (JSON.parse(r.value) as { ms: number }).ms;
  }

  close(): void {
    this.proc.stdin.end(JSON.stringify({ cmd: 'quit' }) + '\n');
  }
}
