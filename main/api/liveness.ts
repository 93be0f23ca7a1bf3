// Is a run's process still alive? A pid alone can be recycled by an unrelated process after a
// crash or reboot, so on Linux the pid is paired with the boot id and the process start time.
import { readFileSync } from 'node:fs';

function linuxToken(pid: number): string | null {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime) counts from after the ")" that ends the command name, which may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${boot}:${fields[19]}`;
  } catch {
    return null;
  }
}

/** A string that differs between two processes that had the same pid; null where the platform cannot tell. */
export function processToken(pid: number = process.pid): string | null {
  return process.platform === 'linux' ? linuxToken(pid) : null;
}

export function isProcessAlive(pid: number, token: string | null): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (token === null) return true;
  const now = processToken(pid);
  return now === null ? process.platform !== 'linux' : now === token;
}
