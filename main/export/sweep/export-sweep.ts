// Export a sweep into one folder, built under a temporary name and renamed into place (an
// existing one replaced only when forced): report.md, the three figures as SVG and 300 dpi
// PNG, points.csv, and configs/point-<index>-run-<id>.json for every completed point.
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-write';
import type { ExportSweepResult } from '../../contract/export';
import { writeOutputFolder } from '../atomic-output';
import { listExportedFiles } from '../exported-files';
import { portableConfig } from '../producer';
import { writeFigure } from '../report/figure-files';
import { accuracyFigureSvg } from './accuracy-figure';
import { paretoFigureSvg } from './pareto-figure';
import { pointsCsv } from './points-csv';
import { sizesBudgetFigureSvg } from './sizes-budget-figure';
import type { SweepExportInput } from './sweep-input';
import { sweepReportMarkdown } from './sweep-report-md';
import { isDone, resultRows } from './sweep-stats';

/** `<name>-export` in the current folder, the name made safe as a folder name. */
export function defaultSweepOut(name: string, id: number): string {
  const safe = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '-').replace(/^[.\s-]+|[.\s]+$/g, '');
  return resolve(`${safe || `sweep-${id}`}-export`);
}

export const pointConfigName = (index: number, runId: number): string => `point-${index}-run-${runId}.json`;

export async function exportSweep(input: SweepExportInput, o: { out?: string; force?: boolean } = {}): Promise<ExportSweepResult> {
  const s = input.sweep;
  const out = o.out ? resolve(o.out) : defaultSweepOut(s.name, s.id);
  const rows = resultRows(s);
  await writeOutputFolder(out, Boolean(o.force), async (dir) => {
    const figures = {
      pareto: writeFigure(dir, 'pareto', paretoFigureSvg(s)),
      accuracy: writeFigure(dir, 'accuracy-vs-budget', accuracyFigureSvg(s, rows)),
      sizes: writeFigure(dir, 'sizes-vs-budget', sizesBudgetFigureSvg(s, rows, input.networks)),
    };
    writeFileAtomic(join(dir, 'points.csv'), pointsCsv(s.points));
    for (const p of s.points) {
      const config = input.configs.get(p.runId);
      if (config && isDone(p)) writeFileAtomic(join(dir, 'configs', pointConfigName(p.index, p.runId)), JSON.stringify(portableConfig(config), null, 2) + '\n');
    }
    writeFileAtomic(join(dir, 'report.md'), sweepReportMarkdown(input, rows, figures));
  });
  return {
    sweepId: s.id, name: s.name, status: s.status, out, files: listExportedFiles(out),
    points: s.points.length, completed: s.points.filter(isDone).length, missingConfigs: input.missingConfigs,
  };
}
