// The small real inputs of test/fixtures/hostile (SOURCE.md there says where each came from),
// a byte-for-byte snapshot of a library, and the assertion every hostile case shares: a named
// error (an EffconvError whose code is not INTERNAL), never a crash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { EffconvError, type ErrorCode } from '../../main/contract/errors';
import { REPO_ROOT } from './data';

export const HOSTILE = join(REPO_ROOT, 'test', 'fixtures', 'hostile');
export const hostile = (...parts: string[]): string => join(HOSTILE, ...parts);

/** Every file under dir with its content's sha256 (links as their target): equal snapshots mean byte-for-byte unchanged. */
export function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.push(`${r} -> ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`${r}/`);
        walk(p, r);
      } else out.push(`${r} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(dir, '');
  return out;
}

/** The error is one of ours, named, with a message that matches (and, if given, one of the codes). */
export function assertNamed(e: unknown, pattern?: RegExp, codes?: ErrorCode[]): asserts e is EffconvError {
  assert.ok(e instanceof EffconvError, `expected an EffconvError, got ${e instanceof Error ? e.stack : String(e)}`);
  assert.notEqual(e.code, 'INTERNAL', e.message);
  if (codes) assert.ok(codes.includes(e.code), `code ${e.code} not in ${codes.join(', ')}: ${e.message}`);
  if (pattern) assert.match(e.message, pattern);
}
