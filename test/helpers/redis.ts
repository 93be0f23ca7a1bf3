// A real redis-server for a test file (Debian's redis-server, installed by .ci/run): its own
// free loopback port and data folder, append-only persistence (so a restart keeps the queue, as
// a real deployment's would), an optional password.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisServer {
  port: number;
  /** redis://[:password@]127.0.0.1:port */
  url: string;
  dir: string;
  /** redis-cli against it (with the password). */
  cli(...args: string[]): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop it and delete its folder (register with a top-level after()). */
  remove(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis(o: { password?: string } = {}): Promise<RedisServer> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} is missing: apt-get install redis-server`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'effconv-redis-'));
  let proc: ChildProcess | null = null;
  const auth = o.password ? ['-a', o.password, '--no-auth-warning'] : [];
  const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(port), ...auth, ...args], { encoding: 'utf8' }).trim();
  const server: RedisServer = {
    port,
    url: `redis://${o.password ? `:${o.password}@` : ''}127.0.0.1:${port}`,
    dir,
    cli,
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'];
      if (o.password) args.push('--requirepass', o.password);
      const p = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server did not start in 20 s:\n${out}`)), 20_000);
        const look = (c: Buffer) => {
          out += c.toString();
          if (/Ready to accept connections/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        };
        p.stdout!.on('data', look);
        p.stderr!.on('data', look);
        p.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${out}`)));
      });
    },
    async remove() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async stop() {
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await exited;
    },
  };
  await server.start();
  return server;
}
