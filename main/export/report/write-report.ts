// The report folder: report.md, sizes.svg + sizes.png (the learned-sizes figure) and
// metrics.csv (the run's events).
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-write';
import type { ExportSource } from '../run-source';
import { writeFigure } from './figure-files';
import { metricsCsv, readMetrics } from './metrics-csv';
import { reportMarkdown } from './report-md';
import { sizesFigureSvg } from './sizes-figure';

export const REPORT_FILES = ['report.md', 'sizes.svg', 'sizes.png', 'metrics.csv'] as const;

export async function writeReport(src: ExportSource, dir: string): Promise<void> {
  const events = src.metricsPath ? readMetrics(src.metricsPath) : [];
  const figure = writeFigure(dir, 'sizes', sizesFigureSvg(src.config));
  writeFileAtomic(join(dir, 'metrics.csv'), metricsCsv(events, src.config));
  writeFileAtomic(join(dir, 'report.md'), reportMarkdown(src, events, figure));
}
