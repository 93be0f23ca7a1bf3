// Errors that cross process boundaries. EffconvError is for bad input or an unavailable
// resource (the user can act on it); BugError is a broken invariant (we must fix it).

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'BACKBONE_INVALID'
  | 'BUDGET_INVALID'
  | 'BUDGET_UNREACHABLE'
  | 'BACKEND_UNAVAILABLE'
  | 'DATASET_NOT_FOUND'
  | 'DATASET_MALFORMED'
  | 'DATASET_EXISTS'
  /** A file or folder of the data set cannot be read (permissions, a link loop, an I/O error). */
  | 'DATASET_UNREADABLE'
  | 'CONFIG_INVALID'
  | 'WEIGHTS_INVALID'
  | 'RUN_NOT_FOUND'
  | 'RUN_NOT_FINISHED'
  | 'RUN_STATE'
  | 'RUN_INTERRUPTED'
  | 'EXPERIMENT_NOT_FOUND'
  | 'SWEEP_NOT_FOUND'
  | 'DATABASE_UNAVAILABLE'
  /** No space left (or the quota is used up) where we write: EFFCONV_HOME or an output. */
  | 'DISK_FULL'
  /** We may not write (or read) our own files there: permissions, a read-only mount. */
  | 'PERMISSION_DENIED'
  /** Any other failure of the file system under our files (EIO, too many open files…). */
  | 'IO_ERROR'
  | 'OUTPUT_EXISTS'
  | 'NETWORK_UNAVAILABLE'
  | 'DOWNLOAD_NOT_FOUND'
  | 'DOWNLOAD_REDIRECT_LOOP'
  | 'DOWNLOAD_FAILED'
  | 'DOWNLOAD_MANUAL'
  /** Bytes that travelled (a download, a checkpoint, weights, a dataset through the fleet) differ from their recorded sha256. */
  | 'CHECKSUM_MISMATCH'
  | 'OUTPUT_UNWRITABLE'
  | 'CANCELLED'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  /** The fleet's Redis cannot be reached (refused, timed out, lost). */
  | 'QUEUE_UNAVAILABLE'
  /** The fleet's Redis refused the credentials (wrong or missing password, user, TLS). */
  | 'QUEUE_AUTH'
  /** A fleet job or worker speaks another protocol version than this EffConv Studio. */
  | 'PROTOCOL_MISMATCH'
  | 'INTERNAL';

export class EffconvError extends Error {
  readonly code: ErrorCode;
  /** Names the file, field or value and the reason, e.g. "train-images-idx3-ubyte: magic 2049, expected 2051". */
  readonly detail: string;

  constructor(code: ErrorCode, message: string, detail = '') {
    super(message);
    this.name = 'EffconvError';
    this.code = code;
    this.detail = detail;
  }
}

export class BugError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BugError';
  }
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  detail: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof EffconvError) return { code: err.code, message: err.message, detail: err.detail };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message, detail: err instanceof Error && err.stack ? err.stack : '' };
}

export function deserializeError(e: SerializedError): EffconvError {
  return new EffconvError(e.code, e.message, e.detail);
}

export function isCancelled(err: unknown): boolean {
  return err instanceof EffconvError && err.code === 'CANCELLED';
}
