// Small helpers over node:util parseArgs that turn bad values into EffconvErrors naming the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EffconvError } from '../../contract/errors';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse(argv: string[], options: Options, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true, allowNegative: true } as ParseArgsConfig);
  } catch (e) {
    throw new EffconvError('INVALID_ARGUMENT', (e as Error).message.replace(/^TypeError \[\w+\]: /, ''), 'argv');
  }
}

export function intFlag(v: unknown, flag: string, min: number, fallback?: number): number {
  if (v === undefined) {
    if (fallback === undefined) throw new EffconvError('INVALID_ARGUMENT', `--${flag} is required`, flag);
    return fallback;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new EffconvError('INVALID_ARGUMENT', `--${flag} must be an integer >= ${min}, got "${v}"`, flag);
  return n;
}

export function optionalInt(v: unknown, flag: string, min: number): number | undefined {
  return v === undefined ? undefined : intFlag(v, flag, min);
}

export function numberFlag(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new EffconvError('INVALID_ARGUMENT', `--${flag} must be a positive number, got "${v}"`, flag);
  return n;
}
