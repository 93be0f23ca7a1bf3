// What the world can do to a file operation (permissions, a full disk, a read-only mount, a
// link loop, a failing disk) turned into a named EffconvError: the code, the path as the user
// knows it, the reason in words, and what to do. Applied where files are read and written
// (the library, the walker, the sources), and as a last resort by the shells, so that a
// system error never reaches the user as "internal error" with a stack trace.
import { accessSync, constants, existsSync, mkdirSync, statfsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { EffconvError, type ErrorCode } from '../contract/errors';
import { formatBytes } from '../contract/format';
import { settings } from './settings';

export interface SystemErrorContext {
  /** What we were doing, as a verb phrase that takes the path: "read", "write the dataset library in". */
  action: string;
  /** The file or folder as the user knows it; default: the error's own path. */
  path?: string;
  /**
   * 'source': the user's input (a data set being read); its codes are the dataset ones (exit 4).
   * 'storage': our own files (EFFCONV_HOME) or an output the user named.
   */
  role: 'source' | 'storage';
  /** For a full disk: about how many bytes the operation needs there. */
  needBytes?: number;
  /** For a full disk: a folder on the disk that filled (default: the path's folder). */
  spaceDir?: string;
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'the file is too large for the file system',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  ELOOP: 'too many levels of symbolic links (a link loop)',
  ENAMETOOLONG: 'the path is too long',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this system',
  EIO: 'input/output error (the disk or the network file system failed)',
  ESTALE: 'stale network file handle (the file was changed on the server)',
  EBUSY: 'the file or device is busy',
  ETXTBSY: 'the file is busy',
  EEXIST: 'it already exists',
  ENOTEMPTY: 'the folder is not empty',
  EXDEV: 'it is on another file system',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  ETIMEDOUT: 'the operation timed out (a network file system?)',
  EAGAIN: 'the resource is temporarily unavailable',
};

/** A Node error from the operating system (an errno code such as EACCES), not one of ours or a library's. */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  if (!(e instanceof Error) || e instanceof EffconvError) return false;
  const code = (e as NodeJS.ErrnoException).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && ('errno' in e || 'syscall' in e);
}

const isInside = (path: string, dir: string): boolean => {
  const r = relative(dir, path);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

/** Free bytes on the disk that holds `dir` (its nearest existing folder), or null when unknown. */
export function freeBytes(dir: string): number | null {
  let d = resolve(dir);
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  try {
    const s = statfsSync(d);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

function codeFor(errno: string, role: SystemErrorContext['role']): ErrorCode {
  if (role === 'source') return errno === 'ENOENT' ? 'DATASET_NOT_FOUND' : 'DATASET_UNREADABLE';
  if (errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'EFBIG') return 'DISK_FULL';
  if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS') return 'PERMISSION_DENIED';
  return 'IO_ERROR';
}

function advice(errno: string, ctx: SystemErrorContext, path: string): string {
  const { home, homeFromEnv } = settings();
  const inHome = ctx.role === 'storage' && isInside(path, home);
  const setting = `EFFCONV_HOME is ${home}${homeFromEnv ? '' : ' (the default; set EFFCONV_HOME to choose another folder)'}`;
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      if (ctx.role === 'source') return 'check its permissions (ls -l), or copy it somewhere you can read';
      if (inHome) return `${setting}: make it writable by this user, or set EFFCONV_HOME to a folder you can write`;
      return errno === 'EROFS' ? 'choose a folder on a disk you can write' : 'check its permissions (ls -l), or choose a folder you can write';
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG': {
      const where = ctx.spaceDir ?? dirname(path);
      const free = freeBytes(where);
      const need = ctx.needBytes !== undefined ? `about ${formatBytes(ctx.needBytes)} needed in ${where}` : `in ${where}`;
      const have = free !== null ? `, ${formatBytes(free)} free` : '';
      const remedy = inHome ? `free some space, or set EFFCONV_HOME to a disk with more room (${setting})` : 'free some space, or choose a disk with more room';
      return `${need}${have}: ${remedy}`;
    }
    case 'ELOOP':
      return 'fix or remove the link';
    case 'EMFILE':
    case 'ENFILE':
      return 'close other programs or raise the limit (ulimit -n)';
    case 'EIO':
    case 'ESTALE':
      return 'check the disk or the network share, or copy the data to a local disk';
    case 'ENOENT':
      return ctx.role === 'source' ? 'check the path' : inHome ? `${setting}: was it moved or removed while we worked?` : 'check the path';
    case 'ENOTDIR':
      return inHome ? `${setting}: it must be a folder` : 'check the path';
    default:
      return '';
  }
}

/** The named error for a system error met while doing `ctx.action` on `ctx.path`. */
export function fromSystemError(e: NodeJS.ErrnoException, ctx: SystemErrorContext): EffconvError {
  const errno = e.code ?? 'EIO';
  const path = ctx.path ?? e.path ?? '';
  const reason = `${REASONS[errno] ?? e.message.replace(/^[A-Z0-9]+: /, '').replace(/, \w+ '.*'$/, '')} (${errno})`;
  return named(errno, ctx, path, reason);
}

function named(errno: string, ctx: SystemErrorContext, path: string, reason: string): EffconvError {
  const remedy = advice(errno, ctx, path);
  const message = `cannot ${ctx.action}${path ? ` ${path}` : ''}: ${reason}${remedy ? `; ${remedy}` : ''}`;
  return new EffconvError(codeFor(errno, ctx.role), message, path);
}

/** Why this process cannot write into `dir` (a reason and what to do, naming EFFCONV_HOME when it is ours), or null when it can. */
export function whyUnwritable(dir: string): string | null {
  try {
    accessSync(dir, constants.W_OK);
    return null;
  } catch (e) {
    if (!isSystemError(e) || e.code === 'ENOENT') return null;
    return fromSystemError(e, { action: 'write in', path: dir, role: 'storage' }).message;
  }
}

/**
 * mkdir -p with the real reason when it fails: on a read-only mount Node's recursive mkdir
 * reports ENOENT, so the nearest existing folder is asked why it cannot be written.
 */
export function makeFolder(dir: string, ctx: SystemErrorContext): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    if (!isSystemError(e)) throw e;
    if (e.code === 'ENOENT') {
      let d = dirname(resolve(dir));
      while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
      try {
        accessSync(d, constants.W_OK);
      } catch (denied) {
        if (isSystemError(denied)) throw fromSystemError(denied, ctx);
      }
    }
    throw fromSystemError(e, ctx);
  }
}

/** The disk-full error, raised before writing when the free space is known to be too little. */
export function notEnoughSpace(ctx: SystemErrorContext): EffconvError {
  return named('ENOSPC', ctx, ctx.path ?? '', 'not enough free space (nothing was written)');
}

/** `e` as a named error when it is a system error, else unchanged (ours, or a bug). */
export function namedSystemError(e: unknown, ctx: SystemErrorContext): unknown {
  return isSystemError(e) ? fromSystemError(e, ctx) : e;
}

/** Run fn; a system error it throws becomes the named error for ctx. */
export function withSystemErrors<T>(ctx: SystemErrorContext, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw namedSystemError(e, ctx);
  }
}

export async function withSystemErrorsAsync<T>(ctx: SystemErrorContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw namedSystemError(e, ctx);
  }
}

/**
 * For the shells' last-resort handlers: a system error that escaped every layer, named from its
 * own path and syscall (under EFFCONV_HOME it is our storage; elsewhere, whatever was named).
 */
export function escapedSystemError(e: NodeJS.ErrnoException): EffconvError {
  const syscall = e.syscall ?? 'access';
  const verbs: Record<string, string> = { open: 'open', read: 'read', write: 'write', mkdir: 'create the folder', rename: 'rename', unlink: 'remove', rmdir: 'remove', scandir: 'list the folder', stat: 'look at', lstat: 'look at', copyfile: 'copy', fsync: 'write' };
  return fromSystemError(e, { action: verbs[syscall] ?? syscall, role: 'storage' });
}
