// Files a run produced (learned configs, checkpoints, metrics logs, weights, exports): where
// they are, what they hold, and a digest to tell a damaged file from a good one.
import { EffconvError } from '../contract/errors';
import type { Artifact, ArtifactKind } from '../contract/store';
import type { Store } from './db';
import { iso, parseJson } from './rows';

interface ArtifactRow {
  id: number;
  run_id: number;
  kind: ArtifactKind;
  path: string;
  sha256: string | null;
  bytes: number | null;
  meta: string;
  created_at: number;
}

const toArtifact = (r: ArtifactRow): Artifact => ({
  id: r.id,
  runId: r.run_id,
  kind: r.kind,
  path: r.path,
  sha256: r.sha256,
  bytes: r.bytes,
  meta: parseJson<Record<string, unknown>>(r.meta, 'artifacts.meta') ?? {},
  createdAt: iso(r.created_at),
});

export interface NewArtifact {
  runId: number;
  kind: ArtifactKind;
  path: string;
  sha256?: string | null;
  bytes?: number | null;
  meta?: Record<string, unknown>;
}

export function addArtifact(store: Store, a: NewArtifact, now = Date.now()): number {
  if (!store.prepare('SELECT 1 FROM runs WHERE id = ?').get(a.runId)) throw new EffconvError('RUN_NOT_FOUND', `run ${a.runId} does not exist`, String(a.runId));
  return Number(
    store
      .prepare('INSERT INTO artifacts (run_id, kind, path, sha256, bytes, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(a.runId, a.kind, a.path, a.sha256 ?? null, a.bytes ?? null, JSON.stringify(a.meta ?? {}), now).lastInsertRowid,
  );
}

/** Replace any artifact of this kind at this path (a config rewritten on resume) with a new row. */
export function putArtifact(store: Store, a: NewArtifact, now = Date.now()): number {
  return store.write(() => {
    store.prepare('DELETE FROM artifacts WHERE run_id = ? AND kind = ? AND path = ?').run(a.runId, a.kind, a.path);
    return addArtifact(store, a, now);
  });
}

/** Newest first. */
export function listArtifacts(store: Store, runId: number, kind?: ArtifactKind): Artifact[] {
  const rows = kind
    ? store.prepare<[number, string], ArtifactRow>('SELECT * FROM artifacts WHERE run_id = ? AND kind = ? ORDER BY id DESC').all(runId, kind)
    : store.prepare<[number], ArtifactRow>('SELECT * FROM artifacts WHERE run_id = ? ORDER BY id DESC').all(runId);
  return rows.map(toArtifact);
}

export function deleteArtifacts(store: Store, ids: readonly number[]): void {
  const del = store.prepare('DELETE FROM artifacts WHERE id = ?');
  store.write(() => {
    for (const id of ids) del.run(id);
  });
}
