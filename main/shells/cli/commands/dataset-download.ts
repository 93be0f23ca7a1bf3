// effconv dataset download [NAME] [--mirror URL] [--json] [--quiet]: a registered data set from
// its publisher (or a mirror holding the same file names), verified, then imported, through the
// Api (downloadDataset, the same task the Datasets screen starts). Without a name: what can be
// downloaded, with sizes (downloadableDatasets). Ctrl-C keeps what was fetched for the next try.
import type { DownloadableDataset } from '../../../contract/download';
import { EffconvError } from '../../../contract/errors';
import { parse } from '../args';
import { withCliService } from '../cli-service';
import { followTask } from '../follow-task';
import { formatDuration } from '../progress';
import { formatTable } from '../table';
import { importProgress } from './dataset';
import { formatBytes } from '../../../contract/format';

const FLAGS = { mirror: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } } as const;

function availableTable(all: DownloadableDataset[]): string {
  const rows = all.map((e) =>
    e.kind === 'download' && e.images
      ? [e.name, formatBytes(e.downloadBytes), formatBytes(e.libraryBytes), `${e.images.train.toLocaleString('en-US')} / ${e.images.test.toLocaleString('en-US')}`, `${e.title}${e.inLibrary ? ' (in the library)' : ''}`]
      : [e.name, '—', '—', '', `${e.title}: needs a login (effconv dataset download ${e.name} says how)`],
  );
  return formatTable(['NAME', 'DOWNLOAD', 'LIBRARY', 'TRAIN / TEST', 'WHAT'], rows, new Set([1, 2])) + 'effconv dataset download NAME [--mirror URL]\n';
}

interface BytesProgress {
  phase: string;
  done: number;
  total: number;
  etaSeconds: number | null;
  file?: { name: string; index: number; files: number };
  bytesPerSecond?: number;
}

/** A bar with rate and ETA on a terminal; on a pipe, a line per file and every 10 % of all bytes. */
function downloadProgress(out: NodeJS.WriteStream, tty: boolean) {
  let live = false;
  let lastFile = '';
  let lastTenth = -1;
  return {
    update(p: BytesProgress): void {
      const mib = (n: number) => (n / 2 ** 20).toFixed(1);
      const rate = p.bytesPerSecond ? `  ${mib(p.bytesPerSecond)} MiB/s` : '';
      const what = p.phase === 'verify' ? 'verifying' : 'downloading';
      const file = p.file ? `${p.file.name} (${p.file.index}/${p.file.files}) ` : '';
      const text = `${what} ${file}${mib(p.done)}/${mib(p.total)} MiB${rate}  ETA ${formatDuration(p.etaSeconds ?? Number.NaN)}`;
      if (tty) {
        const width = 24;
        const filled = Math.round((p.total > 0 ? p.done / p.total : 0) * width);
        out.write(`\r\x1b[2K[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${text}`.slice(0, (out.columns ?? 100) - 1));
        live = true;
        return;
      }
      const tenth = Math.floor((10 * p.done) / Math.max(1, p.total));
      const name = p.file?.name ?? '';
      if (name !== lastFile || tenth > lastTenth) out.write(text + '\n');
      lastFile = name;
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
    process.stdout.write(availableTable(await withCliService((s) => s.api.downloadableDatasets())));
    return 0;
  }
  if (positionals.length > 1) throw new EffconvError('INVALID_ARGUMENT', 'usage: effconv dataset download NAME [--mirror URL] [--json] [--quiet]', 'argv');
  const tty = Boolean(process.stderr.isTTY);
  const bytes = downloadProgress(process.stderr, tty);
  const imports = importProgress(process.stderr, tty);
  const t0 = Date.now();
  try {
    const r = await withCliService((service) =>
      followTask(service, 'download', () => service.api.downloadDataset({ name: positionals[0], mirror: values.mirror as string | undefined }), {
        onProgress: values.quiet
          ? undefined
          : (e) => {
              if (e.unit === 'bytes') return bytes.update(e);
              bytes.end();
              imports.update(e.done, e.total, e.phase, e.etaSeconds);
            },
        cancelling: 'cancelling (what was downloaded is kept: the same command resumes it)',
        cancelled: 'the download was cancelled; what was fetched is kept for the next try, and the library is unchanged',
      }),
    );
    bytes.end();
    imports.end();
    if (values.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    if (r.alreadyInLibrary) {
      process.stderr.write(`the library already has "${r.libraryName}": nothing downloaded (effconv dataset remove ${r.libraryName} first to fetch it again)\n`);
      return 0;
    }
    const fetched = r.files.filter((f) => f.from === 'download');
    const cached = r.files.length - fetched.length;
    const resumed = fetched.filter((f) => f.resumedFrom > 0).length;
    const how = [`${fetched.length} downloaded`, ...(resumed ? [`${resumed} resumed`] : []), ...(cached ? [`${cached} already in the download cache`] : [])].join(', ');
    const total = r.files.reduce((n, f) => n + f.bytes, 0);
    process.stderr.write(`${r.files.length} file${r.files.length === 1 ? '' : 's'} verified (${how}; ${formatBytes(total)})\n`);
    const imported = r.import!;
    if (!imported.created) {
      process.stderr.write(`identical data is already in the library as "${imported.duplicateOf}": nothing added\n`);
      return 0;
    }
    const d = imported.dataset;
    const count = (xs: number[]) => xs.reduce((a, b) => a + b, 0).toLocaleString('en-US');
    process.stderr.write(
      `imported "${d.name}" (${d.format}): ${count(d.counts.train)} train / ${count(d.counts.test)} test, ` +
        `${d.shape.height}×${d.shape.width}×${d.shape.channels}, ${d.classes} classes in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } finally {
    bytes.end();
    imports.end();
  }
}
