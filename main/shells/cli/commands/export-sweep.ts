// effconv export sweep NAME|ID: the sweep's report, figures, points.csv and learned configs in
// one folder, through the Api's exportSweep (the same call as the GUI's).
import { formatBytes } from '../../../contract/format';
import { EffconvError } from '../../../contract/errors';
import { withCliService } from '../cli-service';

export async function exportSweepCommand(ref: string, v: Record<string, string | boolean | undefined>): Promise<number> {
  if (v.format !== undefined) throw new EffconvError('INVALID_ARGUMENT', '--format applies to a run\'s export; a sweep exports its report, figures, points.csv and configs together', 'format');
  const r = await withCliService((s) => s.api.exportSweep({ sweep: /^\d+$/.test(ref) ? Number(ref) : ref, out: v.out as string | undefined, force: Boolean(v.force) }));
  if (v.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    return 0;
  }
  const left = r.points - r.completed;
  process.stdout.write(`exported sweep ${r.sweepId} "${r.name}" (${r.status}; ${r.completed} of ${r.points} points completed${left ? `, ${left} left out of the means` : ''}) to ${r.out}\n`);
  for (const m of r.missingConfigs) process.stderr.write(`effconv: note: point ${m.index} (run ${m.runId}) has no config in the export: ${m.reason}\n`);
  for (const f of r.files) process.stdout.write(`  ${f.path}  ${formatBytes(f.bytes)}\n`);
  return 0;
}
