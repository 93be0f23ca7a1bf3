// A run that the machine stops, not the run's own fault: its disk filled, its folder or the
// database became unwritable, the disk failed. Nothing recorded is lost (the last checkpoint and
// the rows before it are kept), so the run ends 'interrupted', resumable, with the cause named
// and what to do, instead of 'failed' with a bare "ENOSPC … write".
import { EffconvError, type ErrorCode } from '../../contract/errors';
import { escapedSystemError, fromSystemError, isSystemError } from '../../common/system-errors';

const STORAGE_CODES: readonly ErrorCode[] = ['DISK_FULL', 'PERMISSION_DENIED', 'IO_ERROR'];
const SYSTEM_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EMFILE', 'ENFILE']);

/** SQLite's own result codes (better-sqlite3's SqliteError.code) for the same faults, as ours. */
function sqliteFault(e: unknown, dbPath: string): EffconvError | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  if (code === 'SQLITE_FULL') return new EffconvError('DISK_FULL', `cannot write the experiment database ${dbPath}: no space left on the device (SQLITE_FULL); free some space`, dbPath);
  if (code.startsWith('SQLITE_READONLY')) return new EffconvError('PERMISSION_DENIED', `cannot write the experiment database ${dbPath}: it became read-only (${code}); make it writable again`, dbPath);
  if (code.startsWith('SQLITE_IOERR')) return new EffconvError('IO_ERROR', `cannot write the experiment database ${dbPath}: the disk failed to read or write (${code}); check the disk`, dbPath);
  return null;
}

/** The named, resumable error for a storage fault that stopped run `runId`; null for anything else. */
/** `runDir` names a write that carries no path of its own (a write to an open file). */
export function storageFault(e: unknown, o: { runId: number; dbPath: string; runDir: string }): EffconvError | null {
  const cause =
    e instanceof EffconvError ? (STORAGE_CODES.includes(e.code) ? e : null)
    : isSystemError(e) && SYSTEM_CODES.has(e.code ?? '') ? (e.path ? escapedSystemError(e) : fromSystemError(e, { action: "write the run's files in", path: o.runDir, role: 'storage', spaceDir: o.runDir }))
    : sqliteFault(e, o.dbPath);
  if (!cause) return null;
  const message = `run ${o.runId} stopped: ${cause.message}. Nothing recorded is lost: once that is fixed, resume it (effconv resume ${o.runId}, or Resume in the workbench); it continues from its last checkpoint`;
  return new EffconvError(cause.code, message, cause.detail);
}
