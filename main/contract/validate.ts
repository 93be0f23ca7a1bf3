// Checking a call's arguments against the contract, where they enter main (IPC handler,
// HTTP route). A bad argument becomes INVALID_ARGUMENT naming the argument and the field.
import type { z } from 'zod';
import { API_ARGS, type ApiMethod } from './api';
import { isApiMethod } from './api-methods';
import { EffconvError } from './errors';

export function validateCall(method: unknown, args: unknown): { method: ApiMethod; args: unknown[] } {
  if (!isApiMethod(method)) throw new EffconvError('INVALID_ARGUMENT', `unknown API method ${JSON.stringify(method)}`, 'method');
  if (!Array.isArray(args)) throw new EffconvError('INVALID_ARGUMENT', `${method}: arguments must be an array`, 'args');
  const schema = API_ARGS[method] as z.ZodType<unknown[]>;
  const r = schema.safeParse(args);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue.path.length ? `args[${String(issue.path[0])}]${issue.path.slice(1).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}` : 'args';
    throw new EffconvError('INVALID_ARGUMENT', `${method}: ${path}: ${issue.message}`, path);
  }
  return { method, args: r.data };
}
