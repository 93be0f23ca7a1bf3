// The report folder: report.md, sizes.svg + sizes.png (the learned-sizes figure) and
// metrics.csv (the run's events).
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-write';
import type { ExportSource } from '../run-source';
import { metricsCsv, readMetrics } from './metrics-csv';
import { FIGURE_DPI, svgToPng } from './rasterize';
import { reportMarkdown } from './report-md';
import { sizesFigureSvg } from './sizes-figure';

export const REPORT_FILES = ['report.md', 'sizes.svg', 'sizes.png', 'metrics.csv'] as const;

export async function writeReport(src: ExportSource, dir: string): Promise<void> {
  const svg = sizesFigureSvg(src.config);
  const [, w, h] = /width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg)!.map(Number);
  const events = src.metricsPath ? readMetrics(src.metricsPath) : [];
  writeFileAtomic(join(dir, 'sizes.svg'), svg);
  writeFileAtomic(join(dir, 'sizes.png'), svgToPng(svg, w, FIGURE_DPI));
  writeFileAtomic(join(dir, 'metrics.csv'), metricsCsv(events, src.config));
  writeFileAtomic(join(dir, 'report.md'), reportMarkdown(src, events, { widthIn: w / 72, heightIn: h / 72 }));
}
