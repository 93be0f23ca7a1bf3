// Export a finished run (its folder, its config.json, or an opened source; the Api resolves run
// ids to folders): write each format under a temporary name, then rename it into place.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXPORT_FORMATS, type ExportFormat, type ExportOptions, type ExportRunResult, type SingleExportFormat } from '../contract/export';
import { EffconvError } from '../contract/errors';
import { writeOutputFile, writeOutputFolder } from './atomic-output';
import { listExportedFiles } from './exported-files';
import { encodeOnnx } from './onnx/onnx-model';
import { portableConfig } from './producer';
import { writePytorch } from './pytorch';
import { writeReport } from './report/write-report';
import { openExportSource, type ExportSource } from './run-source';
import { writeTfjs } from './tfjs-model';
import { writeFileAtomic } from '../common/atomic-write';

export function parseExportFormat(s: string): ExportFormat {
  const v = s.toLowerCase();
  if (v === 'all' || (EXPORT_FORMATS as readonly string[]).includes(v)) return v as ExportFormat;
  throw new EffconvError('INVALID_ARGUMENT', `unknown export format "${s}": use ${EXPORT_FORMATS.join(', ')} or all`, 'format');
}

const SINGLE_FILE: Partial<Record<SingleExportFormat, string>> = { config: 'config.json', onnx: 'model.onnx' };

function defaultOut(label: string, format: ExportFormat): string {
  if (format === 'config') return resolve(`${label}-config.json`);
  if (format === 'onnx') return resolve(`${label}.onnx`);
  return resolve(`${label}-${format === 'all' ? 'export' : format}`);
}

function configJson(src: ExportSource): string {
  return JSON.stringify(portableConfig(src.config), null, 2) + '\n';
}

/** Write one folder format's files into `dir`. */
async function fillFolder(src: ExportSource, format: Exclude<SingleExportFormat, 'config' | 'onnx'>, dir: string): Promise<void> {
  if (format === 'pytorch') await writePytorch(src, dir);
  else if (format === 'tfjs') await writeTfjs(src, dir);
  else await writeReport(src, dir);
}

async function fillAll(src: ExportSource, dir: string): Promise<void> {
  writeFileAtomic(join(dir, 'config.json'), configJson(src));
  writeFileAtomic(join(dir, 'onnx', 'model.onnx'), encodeOnnx(src));
  for (const f of ['pytorch', 'tfjs', 'report'] as const) await fillFolder(src, f, join(dir, f));
}

export async function exportRun(source: string | ExportSource, o: ExportOptions): Promise<ExportRunResult> {
  const format = parseExportFormat(o.format);
  const src = typeof source === 'string' ? await openExportSource(source) : source;
  const force = Boolean(o.force);
  let out = o.out ? resolve(o.out) : defaultOut(src.label, format);
  const single = format === 'all' ? undefined : SINGLE_FILE[format as SingleExportFormat];
  if (single) {
    if (existsSync(out) && statSync(out).isDirectory()) out = join(out, single);
    writeOutputFile(out, format === 'config' ? configJson(src) : encodeOnnx(src), force);
  } else if (format === 'all') {
    await writeOutputFolder(out, force, (dir) => fillAll(src, dir));
  } else {
    await writeOutputFolder(out, force, (dir) => fillFolder(src, format as Exclude<SingleExportFormat, 'config' | 'onnx'>, dir));
  }
  return {
    source: src.dir, format, out, files: listExportedFiles(out), trained: src.trained, weightsNote: src.weightsNote, params: src.config.params.total,
  };
}
