// `effconv config validate`: a config file is checked against its JSON Schema (ajv, draft
// 2020-12), then against the rules a schema cannot say (the channel chain of the backbone,
// params.total equal to the count). The first wrong field is named, as "layers[2].kernel".
import { readFileSync } from 'node:fs';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { EffconvConfig } from '../contract/config';
import schema from '../contract/config.schema.json';
import { EffconvError } from '../contract/errors';
import { jsonPreview } from '../contract/json-preview';
import { checkConfig } from '../engine/config';
import type { NetworkSpec } from '../engine/models/backbone';

let validator: ValidateFunction | null = null;

function compiled(): ValidateFunction {
  validator ??= new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true }).compile(schema);
  return validator;
}

/** "/layers/2/kernel" → "layers[2].kernel" (a hostile 10,000-character key is cut). */
export function fieldName(pointer: string, child?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return fieldOf(parts);
}

function fieldOf(parts: (string | number)[]): string {
  let out = '';
  for (const raw of parts) {
    const p = String(raw).length > 40 ? `${String(raw).slice(0, 39)}…` : String(raw);
    // Array indices in brackets, plain names dotted, any other key (empty, spaces, a colon) quoted.
    out += typeof raw === 'number' || /^\d+$/.test(p) ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? (out ? `.${p}` : p) : `[${JSON.stringify(p)}]`;
  }
  return out || '(root)';
}

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first key anywhere in the document that names a JavaScript object's internals. ajv lets
 * "__proto__" through additionalProperties, and a copy made with Object.assign would take it as
 * the copy's prototype: such a key is never a field. Iterative (parent links, no path copies),
 * so any depth is safe and linear.
 */
function reservedKey(doc: unknown): string | null {
  interface Node {
    v: unknown;
    key: string | number;
    parent: Node | null;
  }
  const path = (n: Node): (string | number)[] => {
    const out: (string | number)[] = [];
    for (let at: Node | null = n; at && at.parent; at = at.parent) out.push(at.key);
    return out.reverse();
  };
  const stack: Node[] = [{ v: doc, key: '', parent: null }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const v = node.v;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], key: i, parent: node });
      continue;
    }
    for (const k of Object.keys(v)) {
      if (RESERVED.has(k)) return fieldOf([...path(node), k]);
      stack.push({ v: (v as Record<string, unknown>)[k], key: k, parent: node });
    }
  }
  return null;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let v = doc;
  for (const p of pointer.split('/').slice(1)) v = (v as Record<string, unknown> | undefined)?.[p];
  return v;
}

function schemaError(e: ErrorObject, doc: unknown): EffconvError {
  if (e.keyword === 'required') {
    const field = fieldName(e.instancePath, (e.params as { missingProperty: string }).missingProperty);
    return new EffconvError('CONFIG_INVALID', `${field}: is required`, field);
  }
  if (e.keyword === 'additionalProperties') {
    const field = fieldName(e.instancePath, (e.params as { additionalProperty: string }).additionalProperty);
    return new EffconvError('CONFIG_INVALID', `${field}: is not a field of effconv.config v1`, field);
  }
  const field = fieldName(e.instancePath);
  const allowed = e.keyword === 'enum' ? ` ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}` : '';
  return new EffconvError('CONFIG_INVALID', `${field}: ${e.message}${allowed}, got ${jsonPreview(valueAt(doc, e.instancePath))}`, field);
}

export interface ValidConfig {
  config: EffconvConfig;
  net: NetworkSpec;
  sizes: number[];
}

/**
 * Schema, then semantics; throws CONFIG_INVALID naming the first wrong field. recomputeParams:
 * take params.total from the layers instead of checking it (a config edited by hand to train).
 */
export function validateConfig(doc: unknown, o: { recomputeParams?: boolean } = {}): ValidConfig {
  const reserved = reservedKey(doc);
  if (reserved) throw new EffconvError('CONFIG_INVALID', `${reserved}: is not a field of effconv.config v1 (a reserved name)`, reserved);
  const validate = compiled();
  if (!validate(doc)) throw schemaError(validate.errors![0], doc);
  return checkConfig(doc, o);
}

export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EffconvError('CONFIG_INVALID', `${path}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : (e as Error).message}`, path);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EffconvError('CONFIG_INVALID', `${path}: not JSON (${(e as Error).message})`, path);
  }
}

/** Read and validate a config file; the error message starts with the file's path. */
export function validateConfigFile(path: string, o: { recomputeParams?: boolean } = {}): ValidConfig {
  const doc = readJsonFile(path);
  try {
    return validateConfig(doc, o);
  } catch (e) {
    if (e instanceof EffconvError) throw new EffconvError(e.code, `${path}: ${e.message}`, e.detail);
    throw e;
  }
}
