// Real `effconv worker` processes for the fleet's tests: the built CLI, each with its own
// EFFCONV_HOME (so data sets really travel through Redis), one wasm thread, and a short lock
// so a killed worker's job is handed on within seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './data';

export const TEST_LOCK_MS = 8000;

export interface TestWorker {
  name: string;
  home: string;
  proc: ChildProcess;
  output(): string;
  /** Ctrl-C: running runs checkpoint and go back to the queue. */
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Kill it and delete its home (register with a top-level after()). */
  remove(): Promise<void>;
}

export function effconvBin(): string {
  return join(REPO_ROOT, 'bin/effconv.js');
}

/** `prepare` gets the worker's home before it starts (to give it a data set, as a worker that has one). */
export async function startWorker(url: string, name: string, extra: string[] = [], env: Record<string, string> = {}, prepare?: (home: string) => void): Promise<TestWorker> {
  const home = mkdtempSync(join(tmpdir(), `effconv-worker-${name}-`));
  prepare?.(home);
  const proc = spawn(process.execPath, [effconvBin(), 'worker', '--queue', url, '--name', name, '--backend', 'wasm', ...extra], {
    env: { ...process.env, EFFCONV_HOME: home, EFFCONV_WASM_THREADS: '1', EFFCONV_FLEET_LOCK_MS: String(TEST_LOCK_MS), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${name} did not start in 90 s:\n${out}`)), 90_000);
    const look = () => {
      if (/takes runs from/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stderr!.on('data', look);
    proc.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}:\n${out}`)));
  });
  const w: TestWorker = {
    name, home, proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT');
      await exited;
    },
    async remove() {
      await w.kill();
      rmSync(home, { recursive: true, force: true });
    },
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
  return w;
}
