// Export a finished run in one call (the CLI's `effconv export` and the GUI's export buttons):
// resolve the source, write each format into a temporary name, rename it into place.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExportFormat, ExportResult } from '../contract/api';
import { EXPORT_FORMATS, type ExportedFile, type ExportOptions, type ExportRunResult, type SingleExportFormat } from '../contract/export';
import { EffconvError } from '../contract/errors';
import { writeOutputFile, writeOutputFolder } from '../export/atomic-output';
import { encodeOnnx } from '../export/onnx/onnx-model';
import { portableConfig } from '../export/producer';
import { writePytorch } from '../export/pytorch';
import { writeReport } from '../export/report/write-report';
import { openExportSource, type ExportSource } from '../export/run-source';
import { writeTfjs } from '../export/tfjs-model';
import { writeFileAtomic } from '../common/atomic-write';
import { getRunDetail, type Store } from '../store';
import { openRunStore } from './runs';

/**
 * The one place that turns what a user named into a run to export: a recorded run's id (its
 * folder in the experiment store; RUN_NOT_FOUND / RUN_NOT_FINISHED from its status), a run
 * folder, or a config.json.
 */
export async function resolveExportSource(idOrDir: string, store?: Store): Promise<ExportSource> {
  if (/^\d+$/.test(idOrDir) && !existsSync(idOrDir)) {
    const own = store ?? openRunStore();
    try {
      const run = getRunDetail(own, Number(idOrDir));
      if (run.status !== 'completed') {
        throw new EffconvError('RUN_NOT_FINISHED', `run ${run.id} is ${run.status}; only a completed run can be exported`, String(run.id));
      }
      return openExportSource(run.dir);
    } finally {
      if (!store) own.close();
    }
  }
  return openExportSource(idOrDir);
}

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

function listFiles(path: string): ExportedFile[] {
  if (!statSync(path).isDirectory()) {
    const data = readFileSync(path);
    return [{ path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') }];
  }
  return readdirSync(path).sort().flatMap((name) => listFiles(join(path, name)));
}

export async function exportRun(source: string | ExportSource, o: ExportOptions): Promise<ExportRunResult> {
  const format = parseExportFormat(o.format);
  const src = typeof source === 'string' ? await resolveExportSource(source) : source;
  const force = Boolean(o.force);
  let out = o.out ? resolve(o.out) : defaultOut(src.label, format);
  const single = format === 'all' ? undefined : SINGLE_FILE[format];
  if (single) {
    if (existsSync(out) && statSync(out).isDirectory()) out = join(out, single);
    writeOutputFile(out, format === 'config' ? configJson(src) : encodeOnnx(src), force);
  } else if (format === 'all') {
    await writeOutputFolder(out, force, (dir) => fillAll(src, dir));
  } else {
    await writeOutputFolder(out, force, (dir) => fillFolder(src, format as Exclude<SingleExportFormat, 'config' | 'onnx'>, dir));
  }
  return {
    source: src.dir, format, out, files: listFiles(out), trained: src.trained, weightsNote: src.weightsNote, params: src.config.params.total,
  };
}

/** The API's ExportResult (what the GUI shows) from exportRun's result. */
export function toApiExportResult(r: ExportRunResult): ExportResult {
  return { format: r.format, path: r.out, files: r.files.map((f) => f.path), note: r.trained ? null : r.weightsNote };
}
