// effconv dataset import|list|show|remove|verify|samples: the dataset library from the shell.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EffconvError } from '../../../contract/errors';
import {
  datasetSamples, getDataset, importDataset, listDatasets, removeDataset, verifyDataset,
  type ImportOptions, type ImportPhase, type SourceFormat,
} from '../../../data/library';
import { intFlag, parse } from '../args';
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

const PHASE: Record<ImportPhase, string> = { scan: 'scanning', read: 'reading', decode: 'decoding', write: 'writing', verify: 'finishing' };

/** A bar with ETA on a terminal; on a pipe, one line per phase and every 10 %. */
export function importProgress(out: NodeJS.WriteStream, tty: boolean) {
  let phase: ImportPhase | null = null;
  let lastTenth = -1;
  let live = false;
  return {
    update(done: number, total: number, p: ImportPhase, eta: number): void {
      const pct = total > 0 ? Math.min(100, (100 * done) / total) : 0;
      const counts = total > 0 && p !== 'scan' ? `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}` : '';
      const text = `${PHASE[p]} ${counts}${total > 0 ? ` ${pct.toFixed(0)}%` : ''}  ETA ${formatDuration(eta)}`;
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

function importOptions(v: Record<string, string | boolean | undefined>): ImportOptions {
  const o: ImportOptions = {};
  if (typeof v.name === 'string') o.name = v.name;
  if (typeof v.format === 'string') o.format = v.format as SourceFormat; // checked by the library
  if (v.size !== undefined) o.size = intFlag(v.size, 'size', 4);
  if (typeof v.fit === 'string') o.fit = v.fit as ImportOptions['fit'];
  if (v['test-fraction'] !== undefined) {
    const f = Number(v['test-fraction']);
    if (!(f > 0 && f < 1)) throw new EffconvError('INVALID_ARGUMENT', `--test-fraction must be between 0 and 1, got "${v['test-fraction']}"`, 'test-fraction');
    o.testFraction = f;
  }
  if (v.seed !== undefined) o.seed = intFlag(v.seed, 'seed', 0);
  if (v.channels !== undefined) o.channels = intFlag(v.channels, 'channels', 1) as 1 | 3;
  if (typeof v.labels === 'string') o.labels = v.labels as 'fine' | 'coarse';
  for (const k of ['unlabeled', 'flip', 'strict', 'replace'] as const) if (typeof v[k] === 'boolean') o[k] = v[k] as boolean;
  return o;
}

async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, IMPORT_FLAGS, true);
  const v = values as Record<string, string | boolean | undefined>;
  if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv dataset import PATH [--name N] [--format F] [--size S] [--test-fraction F] [--strict] [--json]', 'argv');
  const options = importOptions(v);
  const progress = importProgress(process.stderr, Boolean(process.stderr.isTTY));
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    // A second Ctrl-C leaves at once; the next effconv run removes the temporary folder.
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ncancelling the import (Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  const t0 = Date.now();
  try {
    const r = await importDataset(positionals[0], options, {
      signal: abort.signal,
      onProgress: v.quiet ? undefined : (done, total, phase, eta) => progress.update(done, total, phase, eta),
    });
    progress.end();
    const d = r.dataset;
    if (v.json) process.stdout.write(JSON.stringify({ created: r.created, duplicateOf: r.duplicateOf, replaced: r.replaced, dataset: d }, null, 2) + '\n');
    if (!r.created) {
      process.stderr.write(`identical data is already in the library as "${r.duplicateOf}" (sha256 ${d.sha256.slice(0, 12)}…): nothing added\n`);
      return 0;
    }
    const skipped = d.skipped ? `; skipped ${d.skipped} unreadable or non-image file${d.skipped === 1 ? '' : 's'} (effconv dataset show ${d.name})` : '';
    process.stderr.write(
      `${r.replaced ? 'replaced' : 'imported'} "${d.name}" (${d.sourceFormat}): ${d.splits.train.count.toLocaleString('en-US')} train / ${d.splits.test.count.toLocaleString('en-US')} test, ` +
        `${d.height}×${d.width}×${d.channels}, ${d.classes} classes in ${((Date.now() - t0) / 1000).toFixed(1)} s${skipped}\n`,
    );
    for (const n of d.notes) process.stderr.write(`  note: ${n}\n`);
    return 0;
  } finally {
    progress.end();
    process.off('SIGINT', onSigint);
  }
}

async function samplesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: 'string' }, 'per-class': { type: 'string' }, scale: { type: 'string' }, split: { type: 'string' } }, true);
  if (positionals.length !== 1 || typeof values.out !== 'string') throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv dataset samples NAME --out DIR [--per-class 8] [--scale 1] [--split train|test]', 'argv');
  const split = values.split === 'test' ? 'test' : 'train';
  const s = await datasetSamples(positionals[0], { perClass: intFlag(values['per-class'], 'per-class', 1, 8), scale: intFlag(values.scale, 'scale', 1, 1), split });
  const out = resolve(values.out as string);
  let n = 0;
  for (const c of s.classes) {
    const dir = join(out, `${String(c.index).padStart(3, '0')}-${c.name.replace(/[^A-Za-z0-9._-]+/g, '_')}`);
    mkdirSync(dir, { recursive: true });
    for (const img of c.images) {
      writeFileSync(join(dir, `${split}-${img.index}.png`), img.png);
      n += 1;
    }
  }
  process.stderr.write(`wrote ${n} PNGs of ${s.classes.length} classes to ${out}\n`);
  return 0;
}

export async function datasetCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'import':
      return importCommand(rest);
    case 'list': {
      const { values } = parse(rest, { json: { type: 'boolean' } });
      const all = listDatasets();
      process.stdout.write(values.json ? JSON.stringify(all, null, 2) + '\n' : listTable(all));
      return 0;
    }
    case 'show': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, true);
      if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv dataset show NAME [--json]', 'argv');
      const d = getDataset(positionals[0]);
      process.stdout.write(values.json ? JSON.stringify(d, null, 2) + '\n' : describeDataset(d));
      return 0;
    }
    case 'remove': {
      const { positionals } = parse(rest, {}, true);
      if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv dataset remove NAME', 'argv');
      removeDataset(positionals[0]);
      process.stderr.write(`removed "${positionals[0]}"\n`);
      return 0;
    }
    case 'verify': {
      const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, true);
      if (positionals.length !== 1) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv dataset verify NAME [--json]', 'argv');
      const r = await verifyDataset(positionals[0]);
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
