// The single entry the IPC and HTTP transports use: validate a call against the contract, run
// it on the service, and wrap the outcome in the reply envelope (error codes survive the crossing).
import { escapedSystemError, isSystemError } from '../../common/system-errors';
import type { Api } from '../../contract/api';
import type { CallReply } from '../../contract/api-methods';
import { serializeError } from '../../contract/errors';
import { validateCall } from '../../contract/validate';

export async function dispatchCall(api: Api, method: unknown, args: unknown): Promise<CallReply> {
  try {
    const call = validateCall(method, args);
    const fn = api[call.method] as (...a: unknown[]) => Promise<unknown>;
    const value = await fn.apply(api, call.args);
    return { ok: true, value: value ?? null };
  } catch (e) {
    // A system error that escaped (a full disk, an unwritable EFFCONV_HOME) is named, not internal.
    const err = serializeError(isSystemError(e) ? escapedSystemError(e) : e);
    // Internal errors keep their stack out of the reply; the shell logs it.
    if (err.code === 'INTERNAL') {
      process.stderr.write(`effconv: internal error in ${String(method)}: ${err.detail || err.message}\n`);
      return { ok: false, error: { code: err.code, message: err.message, detail: '' } };
    }
    return { ok: false, error: err };
  }
}
