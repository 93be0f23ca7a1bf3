// effconv export RUN: a finished run (its id, folder or config.json) as config, PyTorch, ONNX,
// TF.js, a report, or all of them: the Api's exportRun, the same call as the GUI's buttons.
// effconv export sweep NAME|ID goes to export-sweep.ts.
import { existsSync } from 'node:fs';
import { formatBytes } from '../../../contract/format';
import { EffconvError } from '../../../contract/errors';
import { parseExportFormat } from '../../../export/export-run';
import { parse } from '../args';
import { withCliService } from '../cli-service';
import { exportSweepCommand } from './export-sweep';

const FLAGS = {
  format: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** A number names a recorded run, unless a file or folder of that name is here. */
const runArg = (s: string): number | string => (/^\d+$/.test(s) && !existsSync(s) ? Number(s) : s);

export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, FLAGS, true);
  if (positionals[0] === 'sweep' && positionals.length === 2) return exportSweepCommand(positionals[1], values as Record<string, string | boolean | undefined>);
  if (positionals[0] === 'sweep' && positionals.length === 1 && !existsSync('sweep')) {
    throw new EffconvError('INVALID_ARGUMENT', 'effconv export sweep needs the sweep\'s name or id (effconv sweep list shows them)', 'sweep');
  }
  if (positionals.length !== 1) {
    throw new EffconvError('INVALID_ARGUMENT', `effconv export needs one run (its id, its folder or its config.json), got ${positionals.length}`, 'source');
  }
  const v = values as Record<string, string | boolean | undefined>;
  const format = parseExportFormat(typeof v.format === 'string' ? v.format : 'all');
  const r = await withCliService((s) => s.api.exportRun({ run: runArg(positionals[0]), format, out: v.out as string | undefined, force: Boolean(v.force) }));
  if (!r.trained) process.stderr.write(`effconv: note: ${r.weightsNote}\n`);
  if (v.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(`exported ${r.format} of ${r.source} (${r.params.toLocaleString('en-US')} parameters; ${r.weightsNote})\n`);
  for (const f of r.files) process.stdout.write(`  ${f.path}  ${formatBytes(f.bytes)}\n`);
  return 0;
}
