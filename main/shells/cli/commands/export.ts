// effconv export SOURCE: a finished run (its folder or config.json) as config, PyTorch, ONNX,
// TF.js, a report, or all of them (exportRun, the same call the GUI makes).
import { exportRun, parseExportFormat } from '../../../api/export-run';
import { EffconvError } from '../../../contract/errors';
import { initBackend } from '../../../engine/backends/init';
import { parse } from '../args';

const FLAGS = {
  format: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

function size(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}

export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, FLAGS, true);
  if (positionals.length !== 1) {
    throw new EffconvError('INVALID_ARGUMENT', `effconv export needs one run (a run folder or its config.json), got ${positionals.length}`, 'source');
  }
  const v = values as Record<string, string | boolean | undefined>;
  const format = parseExportFormat(typeof v.format === 'string' ? v.format : 'all');
  // Exporting computes nothing; wasm only keeps tfjs's cpu-backend banner off the terminal.
  await initBackend('wasm').catch(() => initBackend('cpu'));
  const r = await exportRun(positionals[0], { format, out: v.out as string | undefined, force: Boolean(v.force) });
  if (!r.trained) process.stderr.write(`effconv: note: ${r.weightsNote}\n`);
  if (v.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(`exported ${r.format} of ${r.source} (${r.params.toLocaleString('en-US')} parameters; ${r.weightsNote})\n`);
  for (const f of r.files) process.stdout.write(`  ${f.path}  ${size(f.bytes)}\n`);
  return 0;
}
