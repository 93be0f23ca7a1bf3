// effconv dataset download [NAME] [--mirror URL] [--json] [--quiet]: a registered data set from
// its publisher (or a mirror holding the same file names), verified, then imported. Without a
// name: what can be downloaded, with sizes. Ctrl-C keeps what was fetched for the next try.
import { EffconvError } from '../../../contract/errors';
import { downloadDataset, type DownloadProgress } from '../../../data/download/download-dataset';
import { DATASET_REGISTRY, downloadBytes, storedBytes } from '../../../data/download/registry';
import { parse } from '../args';
import { formatDuration } from '../progress';
import { formatTable } from '../table';
import { importProgress } from './dataset';
import { formatBytes } from './dataset-view';

const FLAGS = { mirror: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } } as const;

function availableTable(): string {
  const rows = DATASET_REGISTRY.map((e) =>
    e.kind === 'download'
      ? [e.name, formatBytes(downloadBytes(e)), formatBytes(storedBytes(e)), `${e.images.train.toLocaleString('en-US')} / ${e.images.test.toLocaleString('en-US')}`, e.title]
      : [e.name, '—', '—', '', `${e.title}: needs a login (effconv dataset download ${e.name} says how)`],
  );
  return formatTable(['NAME', 'DOWNLOAD', 'LIBRARY', 'TRAIN / TEST', 'WHAT'], rows, new Set([1, 2])) + 'effconv dataset download NAME [--mirror URL]\n';
}

/** A bar with rate and ETA on a terminal; on a pipe, a line per file and every 10 % of all bytes. */
function downloadProgress(out: NodeJS.WriteStream, tty: boolean) {
  let live = false;
  let lastFile = '';
  let lastTenth = -1;
  return {
    update(p: DownloadProgress): void {
      const mib = (n: number) => (n / 2 ** 20).toFixed(1);
      const rate = p.bytesPerSecond > 0 ? `  ${mib(p.bytesPerSecond)} MiB/s` : '';
      const what = p.phase === 'verify' ? 'verifying' : 'downloading';
      const text = `${what} ${p.file} (${p.index}/${p.files}) ${mib(p.allDone)}/${mib(p.allTotal)} MiB${rate}  ETA ${formatDuration(p.etaSeconds)}`;
      if (tty) {
        const width = 24;
        const filled = Math.round((p.allTotal > 0 ? p.allDone / p.allTotal : 0) * width);
        out.write(`\r\x1b[2K[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${text}`.slice(0, (out.columns ?? 100) - 1));
        live = true;
        return;
      }
      const tenth = Math.floor((10 * p.allDone) / Math.max(1, p.allTotal));
      if (p.file !== lastFile || tenth > lastTenth) out.write(text + '\n');
      lastFile = p.file;
      lastTenth = Math.max(lastTenth, tenth);
    },
    end(): void {
      if (live) out.write('\r\x1b[2K');
      live = false;
    },
  };
}

export async function downloadCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, FLAGS, true);
  if (positionals.length === 0) {
    process.stdout.write(availableTable());
    return 0;
  }
  if (positionals.length > 1) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv dataset download NAME [--mirror URL] [--json] [--quiet]', 'argv');
  const tty = Boolean(process.stderr.isTTY);
  const bytes = downloadProgress(process.stderr, tty);
  const imports = importProgress(process.stderr, tty);
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\ncancelling (what was downloaded is kept: the same command resumes it; Ctrl-C again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  const t0 = Date.now();
  try {
    const r = await downloadDataset(positionals[0], { mirror: values.mirror as string | undefined }, {
      signal: abort.signal,
      onProgress: values.quiet ? undefined : (p) => bytes.update(p),
      onImportProgress: values.quiet ? undefined : (done, total, phase, eta) => {
        bytes.end();
        imports.update(done, total, phase, eta);
      },
    });
    bytes.end();
    imports.end();
    if (values.json) process.stdout.write(JSON.stringify({ alreadyInLibrary: r.alreadyInLibrary, files: r.files, created: r.import?.created ?? false, duplicateOf: r.import?.duplicateOf ?? null, dataset: r.import?.dataset ?? null }, null, 2) + '\n');
    if (r.alreadyInLibrary) {
      process.stderr.write(`the library already has "${r.entry.import.name}": nothing downloaded (effconv dataset remove ${r.entry.import.name} first to fetch it again)\n`);
      return 0;
    }
    const d = r.import!.dataset;
    const fetched = r.files.filter((f) => f.from === 'download');
    const cached = r.files.length - fetched.length;
    const resumed = fetched.filter((f) => f.resumedFrom > 0).length;
    const how = [`${fetched.length} downloaded`, ...(resumed ? [`${resumed} resumed`] : []), ...(cached ? [`${cached} already in the download cache`] : [])].join(', ');
    process.stderr.write(`${r.files.length} file${r.files.length === 1 ? '' : 's'} verified (${how}; ${formatBytes(downloadBytes(r.entry))})\n`);
    if (!r.import!.created) {
      process.stderr.write(`identical data is already in the library as "${r.import!.duplicateOf}": nothing added\n`);
      return 0;
    }
    process.stderr.write(
      `imported "${d.name}" (${d.sourceFormat}): ${d.splits.train.count.toLocaleString('en-US')} train / ${d.splits.test.count.toLocaleString('en-US')} test, ` +
        `${d.height}×${d.width}×${d.channels}, ${d.classes} classes in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } finally {
    bytes.end();
    imports.end();
    process.off('SIGINT', onSigint);
  }
}
