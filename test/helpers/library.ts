// A private dataset library for a test file (EFFCONV_HOME in a temporary folder), a listing of
// it to prove "unchanged", and the system tools the tests use to make real-format files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export function useTempLibrary(prefix = 'effconv-lib-'): { home: string; datasets: string; work: string } {
  const home = mkdtempSync(join(tmpdir(), prefix));
  process.env.EFFCONV_HOME = home;
  const work = mkdtempSync(join(tmpdir(), `${prefix}work-`));
  after(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });
  return { home, datasets: join(home, 'datasets'), work };
}

/**
 * Record in `home`'s library that the bundled sample was offered and is not wanted (as after a
 * user removed it), so a command's first start adds nothing beside what a test counts. Best
 * effort: a home the test made unwritable keeps whatever it had.
 */
export function withoutSample(home: string): void {
  const marker = join(home, 'datasets', '.sample.json');
  if (existsSync(marker)) return; // written once, so listings of the library stay comparable
  try {
    mkdirSync(join(home, 'datasets'), { recursive: true });
    writeFileSync(marker, JSON.stringify({ name: null, sha256: null, offeredAt: new Date().toISOString(), note: 'not wanted in this test' }));
  } catch {
    // Read-only or foreign: the command names the problem itself.
  }
}

/** Every file under dir (relative path and size), sorted: equal listings mean an unchanged library. */
export function listing(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) {
        out.push(`${r}/`);
        walk(p, r);
      } else out.push(`${r} ${statSync(p).size}`);
    }
  };
  walk(dir, '');
  return out;
}

/** Debian's python3 with numpy (python3-numpy), for files only numpy writes (npz, npy). */
export function python(code: string, ...args: string[]): string {
  return execFileSync('/usr/bin/python3', ['-c', code, ...args], { encoding: 'utf8' });
}

export function run(cmd: string, args: string[], cwd?: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8' });
}
