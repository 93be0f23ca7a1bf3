// Checkpoint files and their rows. A file is "EFFCKPT1", a little-endian u32 header length,
// a JSON header (position, sizes, timing, tensor index), padding to 4 bytes, then raw float32
// data. It is written atomically (temp, fsync, rename, fsync folder) before its artifact row
// commits, in the same transaction as every metric row up to that step; so a row never names
// a missing file and a checkpoint never lacks the metrics before it.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-write';
import { EffconvError } from '../../contract/errors';
import type { KernelMaps } from '../../contract/api';
import type { Artifact } from '../../contract/store';
import type { OptimizerState } from '../../engine/train/optimizer-state';
import { addArtifact, deleteArtifacts, listArtifacts, type MetricsRecorder, type Store } from '../../store';
import type { SavedRunState, TensorMap } from './run-state';

const MAGIC = Buffer.from('EFFCKPT1', 'latin1');
const FORMAT = 'effconv.checkpoint';

interface Slice {
  offset: number;
  length: number;
}

interface Header extends Omit<SavedRunState, 'params' | 'optimizers'> {
  format: typeof FORMAT;
  version: 1;
  runId: number;
  params: Record<string, { shape: number[] } & Slice>;
  optimizers: Record<string, { kind: OptimizerState['kind']; step: number; slots: Record<string, Slice[]> }>;
}

export function encodeCheckpoint(runId: number, s: SavedRunState): Buffer {
  const arrays: Float32Array[] = [];
  let offset = 0;
  const place = (a: Float32Array): Slice => {
    arrays.push(a);
    const slice = { offset, length: a.length };
    offset += a.length;
    return slice;
  };
  const params: Header['params'] = {};
  for (const [name, t] of Object.entries(s.params)) params[name] = { shape: t.shape, ...place(t.data) };
  const optimizers: Header['optimizers'] = {};
  for (const [key, o] of Object.entries(s.optimizers)) {
    const slots: Record<string, Slice[]> = {};
    for (const [slot, list] of Object.entries(o.slots)) slots[slot] = list.map(place);
    optimizers[key] = { kind: o.kind, step: o.step, slots };
  }
  const header: Header = { ...s, format: FORMAT, version: 1, runId, params, optimizers };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Math.ceil((MAGIC.length + 4 + json.length) / 4) * 4;
  const out = Buffer.alloc(start + offset * 4);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(json.length, MAGIC.length);
  json.copy(out, MAGIC.length + 4);
  const data = new Float32Array(out.buffer, out.byteOffset + start, offset);
  let at = 0;
  for (const a of arrays) {
    data.set(a, at);
    at += a.length;
  }
  return out;
}

function readHeader(buf: Buffer, path: string): { h: Header; len: number } {
  const bad = (why: string) => new EffconvError('RUN_STATE', `${path}: not a usable checkpoint (${why})`, path);
  if (buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw bad('bad magic');
  const len = buf.readUInt32LE(MAGIC.length);
  if (MAGIC.length + 4 + len > buf.length) throw bad('header runs past the end');
  let h: Header;
  try {
    h = JSON.parse(buf.subarray(MAGIC.length + 4, MAGIC.length + 4 + len).toString('utf8')) as Header;
  } catch (e) {
    throw bad(`header: ${(e as Error).message}`);
  }
  if (h?.format !== FORMAT || h.version !== 1) throw bad(`format ${h?.format} v${h?.version}`);
  return { h, len };
}

/** Where a checkpoint file leaves its run (stage, position, reason, last test result), without reading its tensors. */
export function checkpointPosition(buf: Buffer, path: string): Pick<SavedRunState, 'stage' | 'next' | 'stepsPerEpoch' | 'reason' | 'lastEval' | 'backend' | 'dataset'> {
  const { h } = readHeader(buf, path);
  return { stage: h.stage, next: h.next, stepsPerEpoch: h.stepsPerEpoch, reason: h.reason, lastEval: h.lastEval, backend: h.backend, dataset: h.dataset };
}

export function decodeCheckpoint(buf: Buffer, path: string): SavedRunState & { runId: number } {
  const bad = (why: string) => new EffconvError('RUN_STATE', `${path}: not a usable checkpoint (${why})`, path);
  const { h, len } = readHeader(buf, path);
  const start = Math.ceil((MAGIC.length + 4 + len) / 4) * 4;
  const floats = (buf.length - start) / 4;
  // Copy out of the file buffer: an aligned, independent array per tensor.
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + start + floats * 4));
  const take = ({ offset, length }: Slice): Float32Array => {
    if (offset + length > floats) throw bad('a tensor runs past the end');
    return data.slice(offset, offset + length);
  };
  const params: TensorMap = {};
  for (const [name, t] of Object.entries(h.params)) params[name] = { shape: t.shape, data: take(t) };
  const optimizers: Record<string, OptimizerState> = {};
  for (const [key, o] of Object.entries(h.optimizers)) {
    const slots: Record<string, Float32Array[]> = {};
    for (const [slot, list] of Object.entries(o.slots)) slots[slot] = list.map(take);
    optimizers[key] = { kind: o.kind, step: o.step, slots };
  }
  const { format: _f, version: _v, ...rest } = h;
  return { ...rest, params, optimizers };
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export interface CheckpointMeta {
  /** What the kernels looked like (for the UI, which never loads the file). */
  kernelMaps?: KernelMaps;
  stage: 1 | 2;
  epoch: number;
  index: number;
  reason: SavedRunState['reason'];
  /** Stage-2 epoch-end checkpoints: that epoch's test top-1 (what "best" means). */
  score: number | null;
}

/** Checkpoints kept per stage: the newest, and the one before it to fall back to if the newest is damaged. */
export const CHECKPOINTS_KEPT_PER_STAGE = 2;

/** Keep the newest checkpoints of each stage and the stage-2 one with the best top-1; the rest go. */
export function checkpointsToPrune(list: readonly Artifact[]): Artifact[] {
  const keep = new Set<number>();
  const newestFirst = [...list].sort((a, b) => b.id - a.id);
  for (const stage of [1, 2]) {
    const ofStage = newestFirst.filter((a) => (a.meta as unknown as CheckpointMeta).stage === stage);
    for (const a of ofStage.slice(0, CHECKPOINTS_KEPT_PER_STAGE)) keep.add(a.id);
  }
  let best: Artifact | null = null;
  for (const a of newestFirst) {
    const score = (a.meta as unknown as CheckpointMeta).score;
    if (score != null && (best === null || score > ((best.meta as unknown as CheckpointMeta).score ?? -Infinity))) best = a;
  }
  if (best) keep.add(best.id);
  return list.filter((a) => !keep.has(a.id));
}

export interface SaveCheckpointInput {
  store: Store;
  runId: number;
  dir: string;
  state: SavedRunState;
  kernelMaps?: KernelMaps;
  /** Its buffered metric rows commit in the checkpoint's transaction. */
  recorder?: MetricsRecorder;
}

/** Write the file, then (one transaction) the buffered metrics and its row, then drop pruned checkpoints. */
export function saveCheckpoint({ state, ...rest }: SaveCheckpointInput): Artifact {
  return saveCheckpointBytes({ ...rest, bytes: encodeCheckpoint(rest.runId, state) });
}

export interface SaveCheckpointBytesInput extends Omit<SaveCheckpointInput, 'state'> {
  /** An encoded checkpoint (encodeCheckpoint), made here or by a remote worker. */
  bytes: Buffer;
  /** Recorded with it (where it was made, …). */
  meta?: Record<string, unknown>;
}

/** saveCheckpoint for a checkpoint already encoded: its position is read from its own header. */
export function saveCheckpointBytes({ store, runId, dir, bytes, kernelMaps, recorder, meta: extra = {} }: SaveCheckpointBytesInput): Artifact {
  const { stage, next, reason, lastEval } = checkpointPosition(bytes, `run ${runId}'s checkpoint`);
  const name = `s${stage}-e${String(next.epoch).padStart(4, '0')}-b${String(next.index).padStart(6, '0')}-${reason}-${Date.now().toString(36)}.ckpt`;
  const path = join(dir, 'checkpoints', name);
  writeFileAtomic(path, bytes);
  const meta: CheckpointMeta = {
    stage, epoch: next.epoch, index: next.index, reason, score: reason === 'epoch' && stage === 2 ? (lastEval?.top1 ?? null) : null, ...(kernelMaps ? { kernelMaps } : {}),
  };
  let id = 0;
  let pruned: Artifact[] = [];
  const commit = () => {
    id = addArtifact(store, { runId, kind: 'checkpoint', path, sha256: sha256(bytes), bytes: bytes.length, meta: { ...extra, ...meta } });
    pruned = checkpointsToPrune(listArtifacts(store, runId, 'checkpoint'));
    deleteArtifacts(store, pruned.map((a) => a.id));
  };
  if (recorder) recorder.flush(commit);
  else store.write(commit);
  // After the commit: a crash here leaves an unlisted file, never a row without its file.
  for (const a of pruned) rmSync(a.path, { force: true });
  return listArtifacts(store, runId, 'checkpoint').find((a) => a.id === id)!;
}

export interface LoadedCheckpoint {
  artifact: Artifact;
  state: SavedRunState;
  /** Newer checkpoints that were missing or damaged, with the reason (they are skipped). */
  skipped: string[];
}

/** The newest checkpoint whose file exists and matches its recorded digest, or null if there is none. */
export function loadLatestCheckpoint(store: Store, runId: number): LoadedCheckpoint | null {
  const skipped: string[] = [];
  for (const artifact of listArtifacts(store, runId, 'checkpoint')) {
    let buf: Buffer;
    try {
      buf = readFileSync(artifact.path);
    } catch (e) {
      skipped.push(`${artifact.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      continue;
    }
    if (artifact.sha256 && sha256(buf) !== artifact.sha256) {
      skipped.push(`${artifact.path}: sha256 differs from the recorded one`);
      continue;
    }
    try {
      const { runId: _r, ...state } = decodeCheckpoint(buf, artifact.path);
      return { artifact, state, skipped };
    } catch (e) {
      skipped.push((e as Error).message);
    }
  }
  return null;
}
