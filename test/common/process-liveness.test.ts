// Telling a live run process from a dead one: exited pids, recycled pids (same number, other
// process), and zombies (killed, not yet reaped), which hold their pid but never write again.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isProcessAlive, processToken } from '../../main/common/process-liveness';

test('this process is alive under its own token, not under another one', () => {
  const token = processToken();
  if (process.platform === 'linux') assert.match(token!, /^[0-9a-f-]{36}:\d+$/);
  assert.equal(isProcessAlive(process.pid, token), true);
  assert.equal(isProcessAlive(process.pid, null), true);
  if (process.platform === 'linux') assert.equal(isProcessAlive(process.pid, 'another-boot:1'), false);
});

test('an exited process is dead', () => {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  assert.equal(isProcessAlive(Number(r.stdout), null), false);
});

test('a zombie (exited, unreaped) is dead', { skip: process.platform !== 'linux' }, async () => {
  // sh starts `sleep 0` in the background, prints its pid, and becomes `sleep 3`, which never reaps it.
  const sh = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 3'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = Number(await new Promise<string>((resolve) => sh.stdout.once('data', (d) => resolve(String(d).trim()))));
  await new Promise((r) => setTimeout(r, 300));
  assert.match(readFileSync(`/proc/${pid}/stat`, 'utf8'), /\) Z /, 'it is a zombie: its pid still exists');
  assert.equal(isProcessAlive(pid, null), false);
  assert.equal(isProcessAlive(sh.pid!, null), true);
  sh.kill();
});
