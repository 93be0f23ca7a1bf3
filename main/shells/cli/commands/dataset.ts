// effconv dataset import|list|show|remove|verify|samples: the dataset library through the Api
// (the same calls as the GUI's Datasets screen); --json prints the Api's DatasetInfo shapes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ImportOutcome, ImportRequest } from '../../../contract/api';
import { EffconvError } from '../../../contract/errors';
import type { Service } from '../../../api/service/service';
import { intFlag, parse } from '../args';
import { withCliService } from '../cli-service';
import { followTask } from '../follow-task';
import { formatDuration } from '../progress';
import { describeDataset, listTable } from './dataset-view';
import { addSampleCommand } from '../sample-dataset';
import { downloadCommand } from './dataset-download';

const IMPORT_FLAGS = {
  name: { type: 'string' },
  format: { type: 'string' },
  size: { type: 'string' },
  fit: { type: 'string' },
  'test-fraction': { type: 'string' },
  seed: { type: 'string' },
  channels: { type: 'string' },
  labels: { type: 'string' },
  unlabeled: { type: 'boolean' },
  flip: { type: 'boolean' },
  strict: { type: 'boolean' },
  replace: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

const PHASE: Record<string, string> = { starting: 'starting', scan: 'scanning', read: 'reading', decode: 'decoding', write: 'writing', verify: 'finishing' };

/** A bar with ETA on a terminal; on a pipe, one line per phase and every 10 %. */
export function importProgress(out: NodeJS.WriteStream, tty: boolean) {
  let phase: string | null = null;
  let lastTenth = -1;
  let live = false;
  return {
    update(done: number, total: number, p: string, eta: number | null): void {
      const pct = total > 0 ? Math.min(100, (100 * done) / total) : 0;
      const counts = total > 0 && p !== 'scan' ? `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}` : '';
      const text = `${PHASE[p] ?? p} ${counts}${total > 0 ? ` ${pct.toFixed(0)}%` : ''}  ETA ${formatDuration(eta ?? Number.NaN)}`;
      if (tty) {
        const width = 24;
        const filled = Math.round((pct / 100) * width);
        out.write(`\r\x1b[2K[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${text}`.slice(0, (out.columns ?? 100) - 1));
        live = true;
      } else if (total > 0 && p !== 'verify') {
        // Plain lines for logs: the first report of a phase, then each further 10 %.
        const tenth = Math.floor(pct / 10);
        if (p !== phase || tenth > lastTenth) out.write(text + '\n');
        lastTenth = p !== phase ? tenth : Math.max(lastTenth, tenth);
      }
      phase = p;
    },
    end(): void {
      if (live) out.write('\r\x1b[2K');
      live = false;
    },
  };
}

export function importRequestFromFlags(path: string, v: Record<string, string | boolean | undefined>): ImportRequest {
  const r: ImportRequest = { path };
  if (typeof v.name === 'string') r.name = v.name;
  if (typeof v.format === 'string') r.format = v.format as ImportRequest['format']; // checked by the Api's schema
  if (v.size !== undefined) r.size = intFlag(v.size, 'size', 4);
  if (typeof v.fit === 'string') r.fit = v.fit as ImportRequest['fit'];
  if (v['test-fraction'] !== undefined) {
    const f = Number(v['test-fraction']);
    if (!(f > 0 && f < 1)) throw new EffconvError('INVALID_ARGUMENT', `--test-fraction must be between 0 and 1, got "${v['test-fraction']}"`, 'test-fraction');
    r.testFraction = f;
  }
  if (v.seed !== undefined) r.seed = intFlag(v.seed, 'seed', 0);
  if (v.channels !== undefined) r.channels = intFlag(v.channels, 'channels', 1) as 1 | 3;
  if (typeof v.labels === 'string') r.labels = v.labels as 'fine' | 'coarse';
  for (const k of ['unlabeled', 'flip', 'strict', 'replace'] as const) if (typeof v[k] === 'boolean') r[k] = v[k] as boolean;
  return r;
}

/** Start the import task and follow it to its outcome; Ctrl-C cancels it. */
async function runImport(service: Service, req: ImportRequest, quiet: boolean): Promise<ImportOutcome> {
  const progress = importProgress(process.stderr, Boolean(process.stderr.isTTY));
  try {
    return await followTask(service, 'import', () => service.api.importDataset(req), {
      onProgress: quiet ? undefined : (e) => progress.update(e.done, e.total, e.phase, e.etaSeconds),
      cancelling: 'cancelling the import',
      cancelled: 'the import was cancelled; nothing was added to the library',
    });
  } finally {
    progress.end();
  }
}

async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, IMPORT_FLAGS, true);
  const v = values as Record<string, string | boolean | undefined>;
  if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv dataset import PATH [--name N] [--format F] [--size S] [--test-fraction F] [--strict] [--json]', 'argv');
  const req = importRequestFromFlags(positionals[0], v);
  const t0 = Date.now();
  const r = await withCliService((s) => runImport(s, req, Boolean(v.quiet)));
  const d = r.dataset;
  if (v.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  if (!r.created) {
    process.stderr.write(`identical data is already in the library as "${r.duplicateOf}" (sha256 ${d.sha256.slice(0, 12)}…): nothing added\n`);
    return 0;
  }
  const count = (xs: number[]) => xs.reduce((a, b) => a + b, 0).toLocaleString('en-US');
  const skipped = d.skipped ? `; skipped ${d.skipped} unreadable or non-image file${d.skipped === 1 ? '' : 's'} (effconv dataset show ${d.name})` : '';
  process.stderr.write(
    `${r.replaced ? 'replaced' : 'imported'} "${d.name}" (${d.format}): ${count(d.counts.train)} train / ${count(d.counts.test)} test, ` +
      `${d.shape.height}×${d.shape.width}×${d.shape.channels}, ${d.classes} classes in ${((Date.now() - t0) / 1000).toFixed(1)} s${skipped}\n`,
  );
  for (const n of d.notes) process.stderr.write(`  note: ${n}\n`);
  return 0;
}

async function samplesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string' }, 'per-class': { type: 'string' }, scale: { type: 'string' }, split: { type: 'string' } }, true);
  if (positionals.length !== 1 || typeof values.out !== 'string') throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv dataset samples NAME --out DIR [--per-class 8] [--scale 1] [--split train|test]', 'argv');
  const split = values.split === 'test' ? 'test' : 'train';
  const req = { perClass: intFlag(values['per-class'], 'per-class', 1, 8), scale: intFlag(values.scale, 'scale', 1, 1), split } as const;
  const s = await withCliService((service) => service.api.datasetSamples(positionals[0], req));
  const out = resolve(values.out as string);
  let n = 0;
  for (const c of s.classes) {
    const dir = join(out, `${String(c.index).padStart(3, '0')}-${c.name.replace(/[^A-Za-z0-9._-]+/g, '_')}`);
    mkdirSync(dir, { recursive: true });
    c.images.forEach((url, i) => {
      writeFileSync(join(dir, `${split}-${c.indices[i]}.png`), Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'));
      n += 1;
    });
  }
  process.stderr.write(`wrote ${n} PNGs of ${s.classes.length} classes to ${out}\n`);
  return 0;
}

function oneName(rest: string[], usage: string, flags: Parameters<typeof parse>[1] = {}) {
  const { values, positionals } = parse(rest, flags, true);
  if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', `usage: effconv dataset ${usage}`, 'argv');
  return { name: positionals[0], values: values as Record<string, unknown> };
}

export async function datasetCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const json = { json: { type: 'boolean' } } as const;
  switch (sub) {
    case 'import':
      return importCommand(rest);
    case 'list': {
      const { values } = parse(rest, json);
      const all = await withCliService((s) => s.api.listDatasets());
      process.stdout.write(values.json ? JSON.stringify(all, null, 2) + '\n' : listTable(all));
      return 0;
    }
    case 'show': {
      const { name, values } = oneName(rest, 'show NAME [--json]', json);
      const d = await withCliService((s) => s.api.getDataset(name));
      process.stdout.write(values.json ? JSON.stringify(d, null, 2) + '\n' : describeDataset(d));
      return 0;
    }
    case 'remove': {
      const { name } = oneName(rest, 'remove NAME');
      await withCliService((s) => s.api.removeDataset(name));
      process.stderr.write(`removed "${name}"\n`);
      return 0;
    }
    case 'verify': {
      const { name, values } = oneName(rest, 'verify NAME [--json]', json);
      const r = await withCliService((s) => s.api.verifyDataset(name));
      if (values.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else process.stdout.write(r.ok ? `"${r.name}": every file matches its sha256\n` : `"${r.name}" is damaged:\n${r.problems.map((p) => `  ${p}\n`).join('')}`);
      return r.ok ? 0 : 4;
    }
    case 'samples':
      return samplesCommand(rest);
    case 'add-sample':
      return addSampleCommand(rest);
    case 'download':
      return downloadCommand(rest);
    default:
      throw new EffconvError('INVALID_ARGUMENT', `effconv dataset: unknown subcommand "${sub ?? ''}" (import, download, list, show, remove, verify, samples, add-sample)`, 'argv');
  }
}
