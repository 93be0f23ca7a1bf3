// Is a process (a run's, an import's, the sample lock's holder) still alive? A pid alone can be
// recycled by an unrelated process after a crash or reboot, so on Linux the pid is paired with
// the boot id and the process start time.
import { readFileSync } from 'node:fs';

function linuxStat(pid: number): { token: string; zombie: boolean } | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields count from after the ")" that ends the command name, which may hold spaces:
    // field 3 (state) is first, field 22 (starttime) is the 20th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { token: `${boot}:${fields[19]}`, zombie: fields[0] === 'Z' };
  } catch {
    return null;
  }
}

/** A string that differs between two processes that had the same pid; null where the platform cannot tell. */
export function processToken(pid: number = process.pid): string | null {
  return process.platform === 'linux' ? (linuxStat(pid)?.token ?? null) : null;
}

export function isProcessAlive(pid: number, token: string | null = null): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  // A killed process its parent has not reaped yet is a zombie: it will never write again.
  const now = linuxStat(pid);
  return now !== null && !now.zombie && (token === null || now.token === token);
}
