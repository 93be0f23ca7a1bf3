// The learned config (effconv.config v1): built from a finished search, read back for
// stage 2, and checked so that a hand-edited file fails with the field that is wrong.
import { CONFIG_FORMAT, CONFIG_VERSION, type ConfigDataset, type EffconvConfig, type LayerConfig, type SearchRecord, type TrainRecord } from '../contract/config';
import { EffconvError } from '../contract/errors';
import { jsonPreview } from '../contract/json-preview';
import { describeNetwork, MAX_KERNEL, MIN_KERNEL, type NetworkSpec } from './models/backbone';
import { countParams } from './models/params';

export interface ConfigParts {
  net: NetworkSpec;
  sizes: number[];
  soft?: number[];
  budget: number | null;
  search: SearchRecord | null;
  train?: TrainRecord | null;
  dataset: ConfigDataset | null;
  results?: { top1: number | null; top5: number | null } | null;
}

export function buildConfig(p: ConfigParts): EffconvConfig {
  const layers: LayerConfig[] = p.net.layers.map((l, i) => ({
    ...l,
    kernel: p.sizes[i],
    ...(p.soft ? { soft: Math.round(p.soft[i] * 1e4) / 1e4 } : {}),
  }));
  return {
    format: CONFIG_FORMAT,
    version: CONFIG_VERSION,
    backbone: p.net.backbone,
    input: p.net.input,
    classes: p.net.classes,
    layers,
    params: { total: countParams(p.net, p.sizes), budget: p.budget },
    search: p.search,
    train: p.train ?? null,
    dataset: p.dataset,
    results: p.results ?? null,
  };
}

function bad(field: string, reason: string): EffconvError {
  return new EffconvError('CONFIG_INVALID', `${field}: ${reason}`, field);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw bad(field, `must be an integer ${min}…${max === Number.MAX_SAFE_INTEGER ? '' : max}, got ${jsonPreview(v)}`);
  }
  return v;
}

/**
 * Check a parsed config: format, architecture, the layer channel chain against the backbone,
 * kernel sizes 1…7 and, unless recompute is set, params.total against the count.
 * Returns the network and sizes it describes.
 */
export function checkConfig(raw: unknown, o: { recomputeParams?: boolean } = {}): { config: EffconvConfig; net: NetworkSpec; sizes: number[] } {
  if (!isObject(raw)) throw bad('(root)', 'must be a JSON object');
  if (raw.format !== CONFIG_FORMAT) throw bad('format', `must be "${CONFIG_FORMAT}", got ${jsonPreview(raw.format)}`);
  if (raw.version !== CONFIG_VERSION) throw bad('version', `must be ${CONFIG_VERSION}, got ${jsonPreview(raw.version)}`);
  const b = raw.backbone;
  if (!isObject(b)) throw bad('backbone', 'must be an object');
  if (b.family !== 'resnet' && b.family !== 'wrn') throw bad('backbone.family', `must be "resnet" or "wrn", got ${jsonPreview(b.family)}`);
  const depth = int(b.depth, 'backbone.depth', 8, 1000);
  const widen = int(b.widen, 'backbone.widen', 1, 16);
  const expectedWidths = b.family === 'resnet' ? [16, 32, 64] : [16 * widen, 32 * widen, 64 * widen];
  if (!Array.isArray(b.widths) || b.widths.length !== 3 || b.widths.some((w, i) => w !== expectedWidths[i])) {
    throw bad('backbone.widths', `must be [${expectedWidths}] for this backbone, got ${jsonPreview(b.widths)}`);
  }
  if (b.family === 'resnet' && (depth - 2) % 6 !== 0) throw bad('backbone.depth', `ResNet depth must be 6n+2, got ${depth}`);
  if (b.family === 'wrn' && ((depth - 4) % 6 !== 0 || depth < 10)) throw bad('backbone.depth', `WRN depth must be 6n+4, got ${depth}`);
  const input = raw.input;
  if (!isObject(input)) throw bad('input', 'must be an object');
  const height = int(input.height, 'input.height', 8, 256);
  const width = int(input.width, 'input.width', 8, 256);
  const channels = int(input.channels, 'input.channels', 1, 3);
  if (channels === 2) throw bad('input.channels', 'must be 1 or 3, got 2');
  const classes = int(raw.classes, 'classes', 2);
  const net = describeNetwork({ family: b.family, depth, widen, widths: expectedWidths as [number, number, number] }, { height, width, channels }, classes);
  if (!Array.isArray(raw.layers)) throw bad('layers', 'must be an array');
  if (raw.layers.length !== net.layers.length) throw bad('layers', `has ${raw.layers.length} entries, this backbone has ${net.layers.length} searched convs`);
  const sizes: number[] = [];
  raw.layers.forEach((l: unknown, i: number) => {
    const f = `layers[${i}]`;
    if (!isObject(l)) throw bad(f, 'must be an object');
    const want = net.layers[i];
    if (l.name !== want.name) throw bad(`${f}.name`, `must be "${want.name}", got ${jsonPreview(l.name)}`);
    if (l.in !== want.in) throw bad(`${f}.in`, `channel chain broken: must be ${want.in} (the output of the layer before), got ${jsonPreview(l.in)}`);
    if (l.out !== want.out) throw bad(`${f}.out`, `must be ${want.out} for this backbone, got ${jsonPreview(l.out)}`);
    if (l.stride !== want.stride) throw bad(`${f}.stride`, `must be ${want.stride}, got ${jsonPreview(l.stride)}`);
    sizes.push(int(l.kernel, `${f}.kernel`, MIN_KERNEL, MAX_KERNEL));
    if (l.soft !== undefined && (typeof l.soft !== 'number' || !Number.isFinite(l.soft))) throw bad(`${f}.soft`, 'must be a number when present');
  });
  const params = raw.params;
  if (!isObject(params)) throw bad('params', 'must be an object');
  const total = countParams(net, sizes);
  if (!o.recomputeParams && params.total !== total) {
    throw bad('params.total', `is ${jsonPreview(params.total)} but these layers have ${total} parameters`);
  }
  if (params.budget !== null && params.budget !== undefined && (typeof params.budget !== 'number' || params.budget <= 0)) {
    throw bad('params.budget', 'must be a positive number or null');
  }
  const config = { ...(raw as unknown as EffconvConfig), params: { total, budget: (params.budget as number | null | undefined) ?? null } };
  return { config, net, sizes };
}
