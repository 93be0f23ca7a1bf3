// Real small file systems for fault tests: a tmpfs of a given size, a read-only bind mount, and
// running the built CLI as another user. They need root (mount, runuser); where the test runs
// without it, `mountable()` says why and the tests that need it skip with that reason.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { REPO_ROOT } from './data';
import { withoutSample } from './library';

let probe: string | true | null = null;

/** true when this process may mount a tmpfs, else the reason it may not. */
export function mountable(): string | true {
  if (probe !== null) return probe;
  if (process.platform !== 'linux') return (probe = `mounts are Linux-only here (platform ${process.platform})`);
  if (process.getuid?.() !== 0) return (probe = `not root (uid ${process.getuid?.()}): mount is not permitted`);
  const dir = mkdtempSync(join(tmpdir(), 'effconv-mount-probe-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status === 0) spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
  return (probe = r.status === 0 ? true : `mount -t tmpfs failed: ${r.stderr.trim() || r.error?.message}`);
}

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

const mounted: string[] = [];
after(() => {
  for (const m of mounted.reverse()) spawnSync('umount', ['-l', m]);
});

/** A world-readable folder of its own under the system temp folder (mkdtemp's are 0700: another user could not enter). */
export function openTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tmpfs of `bytes` (rounded up to pages) mounted at a new folder; unmounted after the file's tests. */
export function smallDisk(parent: string, name: string, bytes: number): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  sh('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir]);
  mounted.push(dir);
  return dir;
}

/** Make an existing folder read-only in place (a read-only bind mount of itself): root cannot write it either. */
export function readOnly(dir: string): void {
  sh('mount', ['--bind', dir, dir]);
  mounted.push(dir);
  sh('mount', ['-o', 'remount,bind,ro', dir]);
}

export const CLI = join(REPO_ROOT, 'bin', 'effconv.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const nodeFor = new Map<string, string | { reason: string }>();

/**
 * A Node binary `user` may run: this one, or where it lies in a folder that user cannot enter
 * (CI's Node under /root/.cache), a link to it (else a copy) in a world-readable folder.
 * Where the user can still not run the built CLI (a checkout under a private home), the reason.
 */
function nodeForUser(user: string): string | { reason: string } {
  const known = nodeFor.get(user);
  if (known) return known;
  const runs = (node: string) => spawnSync('runuser', ['-u', user, '--', node, '-e', `require('node:fs').readFileSync(${JSON.stringify(CLI)})`], { encoding: 'utf8' });
  let node = process.execPath;
  if (runs(node).status !== 0) {
    const dir = openTempDir('effconv-node-for-user-');
    const copy = join(dir, 'node');
    try {
      linkSync(process.execPath, copy);
    } catch {
      copyFileSync(process.execPath, copy);
    }
    chmodSync(copy, 0o755);
    node = copy;
  }
  const r = runs(node);
  const found = r.status === 0 ? node : { reason: `${user} cannot run the built CLI here: ${(r.stderr || r.error?.message || '').trim()}` };
  nodeFor.set(user, found);
  return found;
}

/** true when `user` can run the built CLI (see nodeForUser), else the reason (a test skips with it). */
export function canRunAs(user: string): true | string {
  const n = nodeForUser(user);
  return typeof n === 'string' ? true : n.reason;
}

/** The built CLI with this EFFCONV_HOME, as root or (asUser) as that user via runuser. */
export function effconvAt(home: string, args: string[], o: { asUser?: string } = {}): CliResult {
  const env = { ...process.env, EFFCONV_HOME: home };
  // Our own marker keeps the first-start sample out; not for a home that does not exist yet or
  // that another user runs in (the marker would create or own what the test is about).
  if (!o.asUser && existsSync(home)) withoutSample(home);
  const node = o.asUser ? nodeForUser(o.asUser) : process.execPath;
  if (typeof node !== 'string') throw new Error(node.reason);
  const [cmd, argv] = o.asUser ? ['runuser', ['-u', o.asUser, '--', node, CLI, ...args]] : [process.execPath, [CLI, ...args]];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What a user must never see: our own bug's wording or a JavaScript stack trace. */
export const NOT_A_CRASH = /internal error|\n\s+at [^\n]*(\(|:\d+:\d+)|Error: E[A-Z]+:/;
