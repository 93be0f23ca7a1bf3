// A property test over every importer (idx plain and gzipped, CIFAR-10, CIFAR-100, STL-10,
// ImageNet-32 npz, image folders of JPEGs and of PNGs), each given as a folder, a .zip or a
// .tar.gz: real small inputs (test/fixtures/hostile) truncated at many offsets, bytes flipped,
// members dropped or duplicated, names with spaces and non-ASCII. For every case the import
// is either valid with the counts per class that an independent reading of the files gives,
// or a named error (an EffconvError, never INTERNAL) that names the path given, never a
// temporary one; after an error the library is byte for byte as it was.
// Seeded (SEED below) and bounded: 348 imports, 20–40 s on this shared 2-core machine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'node:test';
import { EffconvError } from '../../../main/contract/errors';
import { importDataset, removeDataset, type DatasetRecord } from '../../../main/data/library';
import { hostile, snapshot } from '../../helpers/hostile';
import { useTempLibrary } from '../../helpers/library';

// EFFCONV_PROPERTY_SEED explores other cases; the suite runs the fixed one.
const SEED = Number(process.env.EFFCONV_PROPERTY_SEED ?? 0x12e5);
const { work, datasets } = useTempLibrary('effconv-prop-');

/** mulberry32: a small seeded generator, so every run makes the same cases. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Files = Map<string, Buffer>;
/** counts: images per class over both splits; names: the class names, when the files decide them. */
type Expect = { kind: 'ok'; counts: number[]; names?: string[] } | { kind: 'error' } | { kind: 'either'; counts: number[] } | { kind: 'images'; counts: Record<string, number>; mayLose: string[] };
type Container = 'folder' | 'zip' | 'tgz';

interface Format {
  name: string;
  /** Paths start with the wrapper folder the publishers ship (cifar-10-batches-bin/…). */
  base: Files;
  /** Reads the files by their paths inside the wrapper folder, whatever it is called. */
  oracle(files: Files): Expect;
  /** Members a case may drop or spoil (default: every file). */
  members?: string[];
}

const histogram = (labels: ArrayLike<number>, classes: number): number[] => {
  const h = new Array(classes).fill(0);
  for (let i = 0; i < labels.length; i++) h[labels[i]] += 1;
  return h;
};
const add = (a: number[], b: number[]) => a.map((x, i) => x + (b[i] ?? 0));
const lines = (b: Buffer | undefined): string[] | null => {
  if (!b) return null;
  const l = b.toString('utf8').split(/\r?\n/).map((x) => x.trim()).filter(Boolean);
  return l.length ? l : null;
};
const read = (...p: string[]) => readFileSync(hostile(...p));
const inside = (files: Files): Files => new Map([...files].map(([p, b]) => [p.slice(p.indexOf('/') + 1), b]));

// ---------- the formats and their oracles (an independent, plain reading of each format) ----------

const cifarRaw = Object.fromEntries(['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'].map((b) => [b, read('cifar10', `${b}.bin`)]));

function recordsOracle(files: Files, train: string[], test: string, labelBytes: number, classes: number, coarse: boolean): Expect {
  const rec = labelBytes + 3072;
  let counts = new Array(coarse ? 20 : classes).fill(0);
  for (const name of [...train, test]) {
    const b = files.get(name);
    if (!b || b.length === 0 || b.length % rec !== 0) return { kind: 'error' };
    const labels: number[] = [];
    for (let i = 0; i < b.length / rec; i++) {
      if (b[i * rec + labelBytes - 1] >= classes) return { kind: 'error' };
      if (labelBytes === 2 && b[i * rec] >= 20) return { kind: 'error' };
      labels.push(b[i * rec + (coarse ? 0 : labelBytes - 1)]);
    }
    counts = add(counts, histogram(labels, counts.length));
  }
  return { kind: 'ok', counts };
}

const cifar10: Format = {
  name: 'CIFAR-10',
  base: new Map([...Object.entries(cifarRaw).map(([b, v]) => [`cifar-10-batches-bin/${b}.bin`, v] as const), ['cifar-10-batches-bin/batches.meta.txt', read('cifar10', 'batches.meta.txt')]]),
  oracle(files) {
    const names = lines(files.get('batches.meta.txt'));
    if (names && names.length !== 10) return { kind: 'error' };
    const e = recordsOracle(files, [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`), 'test_batch.bin', 1, 10, false);
    return e.kind === 'ok' && names ? { ...e, names } : e;
  },
};

function twoLabelBytes(src: Buffer): Buffer {
  const n = src.length / 3073;
  const out = Buffer.alloc(n * 3074);
  for (let i = 0; i < n; i++) {
    out[i * 3074] = src[i * 3073] * 2 + (i % 2);
    out[i * 3074 + 1] = src[i * 3073] * 10 + (i % 10);
    src.copy(out, i * 3074 + 2, i * 3073 + 1, (i + 1) * 3073);
  }
  return out;
}

const cifar100: Format = {
  name: 'CIFAR-100',
  base: new Map([
    ['cifar-100-binary/train.bin', Buffer.concat([twoLabelBytes(cifarRaw.data_batch_1), twoLabelBytes(cifarRaw.data_batch_2)])],
    ['cifar-100-binary/test.bin', twoLabelBytes(cifarRaw.test_batch)],
    ['cifar-100-binary/coarse_label_names.txt', Buffer.from(Array.from({ length: 20 }, (_, i) => `coarse ${i}`).join('\n') + '\n')],
  ]),
  oracle(files) {
    const names = lines(files.get('coarse_label_names.txt'));
    if (names && names.length !== 20) return { kind: 'error' };
    return recordsOracle(files, ['train.bin'], 'test.bin', 2, 100, false);
  },
};

// STL-10: 96×96 planes, column-major, made from the CIFAR records (each pixel repeated 3×3).
function stlImages(src: Buffer): Buffer {
  const n = src.length / 3073;
  const out = Buffer.alloc(n * 27648);
  for (let k = 0; k < n; k++) {
    for (let c = 0; c < 3; c++) for (let x = 0; x < 96; x++) for (let y = 0; y < 96; y++) out[k * 27648 + c * 9216 + x * 96 + y] = src[k * 3073 + 1 + c * 1024 + Math.floor(y / 3) * 32 + Math.floor(x / 3)];
  }
  return out;
}
const stlLabels = (src: Buffer) => Buffer.from(Array.from({ length: src.length / 3073 }, (_, i) => src[i * 3073] + 1));
const stlTrain = cifarRaw.data_batch_1.subarray(0, 4 * 3073);
const stlTest = cifarRaw.test_batch.subarray(0, 2 * 3073);

const stl10: Format = {
  name: 'STL-10',
  base: new Map([
    ['stl10_binary/train_X.bin', stlImages(stlTrain)], ['stl10_binary/train_y.bin', stlLabels(stlTrain)],
    ['stl10_binary/test_X.bin', stlImages(stlTest)], ['stl10_binary/test_y.bin', stlLabels(stlTest)],
    ['stl10_binary/class_names.txt', Buffer.from('airplane\nbird\ncar\ncat\ndeer\ndog\nhorse\nmonkey\nship\ntruck\n')],
  ]),
  oracle(files) {
    const names = lines(files.get('class_names.txt'));
    const classes = names ? names.length : 10;
    let counts = new Array(classes).fill(0);
    const sizes: number[] = [];
    for (const split of ['train', 'test']) {
      const x = files.get(`${split}_X.bin`);
      const y = files.get(`${split}_y.bin`);
      if (!x || !y || x.length % 27648 !== 0 || y.length !== x.length / 27648) return { kind: 'error' };
      if (y.some((l) => l < 1 || l > classes)) return { kind: 'error' };
      counts = add(counts, histogram(Array.from(y, (l) => l - 1), classes));
      sizes.push(y.length);
    }
    if (sizes.includes(0)) return { kind: 'error' };
    return { kind: 'ok', counts, ...(names ? { names } : {}) };
  },
};

// idx: the MNIST fixture, gzipped as published or plain.
const mnistGz = new Map(['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map((f) => [`MNIST raw/${f}.gz`, read('mnist', `${f}.gz`)] as const));

function idxOracle(files: Files): Expect {
  const get = (stem: string): Buffer | null => {
    const b = files.get(stem) ?? files.get(`${stem}.gz`);
    if (!b) return null;
    if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
      try {
        return gunzipSync(b);
      } catch {
        return null;
      }
    }
    return b;
  };
  const split = (images: string, labels: string) => {
    const im = get(images);
    const lb = get(labels);
    if (!im || !lb || im.length < 16 || lb.length < 8 || im.readUInt32BE(0) !== 2051 || lb.readUInt32BE(0) !== 2049) return null;
    const [count, rows, cols] = [im.readUInt32BE(4), im.readUInt32BE(8), im.readUInt32BE(12)];
    if (im.length < 16 + count * rows * cols || lb.length < 8 + lb.readUInt32BE(4) || lb.readUInt32BE(4) !== count) return null;
    return { rows, cols, labels: lb.subarray(8, 8 + count) };
  };
  const tr = split('train-images-idx3-ubyte', 'train-labels-idx1-ubyte');
  const te = split('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte');
  if (!tr || !te || tr.rows !== te.rows || tr.cols !== te.cols || tr.rows * tr.cols === 0 || tr.labels.length === 0 || te.labels.length === 0) return { kind: 'error' };
  const classes = Math.max(...tr.labels) + 1;
  const train = histogram(tr.labels, classes);
  if (train.some((c) => c === 0) || te.labels.some((l) => l >= classes)) return { kind: 'error' };
  return { kind: 'ok', counts: add(train, histogram(te.labels, classes)) };
}

const idxGz: Format = { name: 'idx (gzipped)', base: mnistGz, oracle: idxOracle };
const idxPlain: Format = { name: 'idx (plain)', base: new Map([...mnistGz].map(([p, b]) => [p.replace(/\.gz$/, ''), gunzipSync(b)])), oracle: idxOracle };

// ImageNet-32 npz: the three fixture files. A changed byte is caught by the zip's CRC-32 (an
// error) unless it lies where no reader looks (a time stamp): then the counts are unchanged.
const npzNames = ['train_data_batch_1.npz', 'train_data_batch_2.npz', 'val_data.npz'];
const npzBase = new Map(npzNames.map((f) => [`Imagenet32_npz/${f}`, read('imagenet32', f)] as const));
const npzCounts: Record<string, number[]> = {
  'train_data_batch_1.npz': histogram(Array.from({ length: 8 }, (_, i) => cifarRaw.data_batch_1[i * 3073]), 10),
  'train_data_batch_2.npz': histogram(Array.from({ length: 8 }, (_, i) => cifarRaw.data_batch_2[i * 3073]), 10),
  'val_data.npz': histogram(Array.from({ length: 8 }, (_, i) => cifarRaw.test_batch[i * 3073]), 10),
};

const imagenet32: Format = {
  name: 'ImageNet-32 npz',
  base: npzBase,
  oracle(files) {
    let counts = new Array(10).fill(0);
    let changed = false;
    const present = npzNames.filter((f) => files.has(f));
    if (present.includes('train_data_batch_2.npz') && !present.includes('train_data_batch_1.npz')) return { kind: 'error' };
    for (const f of present) {
      const b = files.get(f)!;
      const was = npzBase.get(`Imagenet32_npz/${f}`)!;
      if (b.length !== was.length) return { kind: 'error' };
      if (!b.equals(was)) changed = true;
      counts = add(counts, npzCounts[f]);
    }
    // Only val_data.npz left: it is all there is, 10 % held out of it (classes = the largest label).
    const top = counts.reduce((m, c, i) => (c > 0 ? i + 1 : m), 0);
    counts = counts.slice(0, top);
    return changed ? { kind: 'either', counts } : { kind: 'ok', counts };
  },
};

function imageFolder(name: string, fixture: string, root: string): Format {
  const base: Files = new Map();
  for (const cls of readdirSync(hostile(fixture))) for (const f of readdirSync(hostile(fixture, cls))) base.set(`${root}/${cls}/${f}`, read(fixture, cls, f));
  const original = [...inside(base).values()];
  const classesBefore = new Set([...inside(base).keys()].map((p) => p.split('/')[0])).size;
  return {
    name,
    base,
    oracle(files) {
      const counts: Record<string, number> = {};
      for (const p of files.keys()) {
        const cls = p.split('/')[0];
        counts[cls] = (counts[cls] ?? 0) + 1;
      }
      // Every class folder must still have a file (an emptied one is an error).
      if (Object.keys(counts).length < classesBefore) return { kind: 'error' };
      // A spoiled photo may be skipped (unreadable) or still decode; any other is counted.
      const mayLose = [...files].filter(([, b]) => !original.some((o) => o.equals(b))).map(([p]) => p);
      return { kind: 'images', counts, mayLose };
    },
  };
}

const FORMATS: Format[] = [
  idxGz, idxPlain, cifar10, cifar100, stl10, imagenet32,
  imageFolder('image folder (JPEG)', 'images', 'photos'),
  imageFolder('image folder (PNG, gray)', 'digits', 'digits'),
];

// ---------- cases ----------

interface Case {
  what: string;
  files: Files;
  container: Container;
  /** Archives only: this member appears twice. */
  duplicateInArchive?: string;
}

function makeCases(f: Format, random: () => number, count: number): Case[] {
  const containers: Container[] = ['folder', 'zip', 'tgz'];
  const members = [...f.base.keys()];
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const cases: Case[] = [];
  const clone = () => new Map(f.base);
  cases.push({ what: 'as published', files: clone(), container: 'folder' });
  for (const m of members) {
    const files = clone();
    files.delete(m);
    cases.push({ what: `without ${m}`, files, container: pick(containers) });
  }
  {
    const m = pick(members);
    const files = clone();
    const slash = m.lastIndexOf('/');
    files.set(`${m.slice(0, slash)}/copy of ${m.slice(slash + 1)}`, f.base.get(m)!);
    cases.push({ what: `with a copy of ${m} beside it`, files, container: 'folder' });
    cases.push({ what: `with ${m} twice in the archive`, files: clone(), container: pick(['zip', 'tgz'] as Container[]), duplicateInArchive: m });
  }
  {
    // Names with spaces and non-ASCII: the wrapper folder, and for image folders a class and a file.
    const files = new Map<string, Buffer>();
    for (const [p, b] of f.base) {
      const parts = p.split('/');
      parts[0] = `données ${parts[0]} – été`;
      if (f.name.startsWith('image folder') && parts[1] === [...f.base.keys()][0].split('/')[1]) {
        parts[1] = `chat noir 猫 ${parts[1]}`;
        parts[2] = `été ${parts[2]}`;
      }
      files.set(parts.join('/'), b);
    }
    for (const container of containers) cases.push({ what: 'renamed with spaces and non-ASCII', files: new Map(files), container });
  }
  while (cases.length < count) {
    const m = pick(members);
    const b = f.base.get(m)!;
    const files = clone();
    const container = pick(containers);
    const kind = random();
    if (kind < 0.2 && b.length >= 16) {
      // A header field (the first 16 bytes, as 32-bit words) set to 0 or to its largest value.
      const at = 4 * Math.floor(random() * 4);
      const copy = Buffer.from(b);
      copy.writeUInt32BE(random() < 0.5 ? 0 : 0xffffffff, at);
      files.set(m, copy);
      cases.push({ what: `${m} bytes ${at}…${at + 3} set to ${copy.readUInt32BE(at)}`, files, container });
    } else if (kind < 0.6) {
      // Truncate: at a header boundary, a record boundary or anywhere.
      const cuts = [0, 1, 2, 8, 16, 22, Math.floor(b.length / 2), b.length - 1, 3073, 27648, Math.floor(random() * b.length)].filter((k) => k < b.length);
      const at = pick(cuts);
      files.set(m, b.subarray(0, at));
      cases.push({ what: `${m} cut at byte ${at} of ${b.length}`, files, container });
    } else {
      const at = random() < 0.3 ? Math.floor(random() * Math.min(64, b.length)) : Math.floor(random() * b.length);
      const bit = 1 << Math.floor(random() * 8);
      const copy = Buffer.from(b);
      copy[at] ^= bit;
      files.set(m, copy);
      cases.push({ what: `${m} byte ${at} xor ${bit}`, files, container });
    }
  }
  return cases;
}

// ---------- running a case ----------

let serial = 0;

function materialise(c: Case): string {
  const dir = join(work, `case-${serial++}`);
  for (const [p, b] of c.files) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), b);
  }
  if (c.container === 'folder') return dir;
  const out = `${dir} ${c.container === 'zip' ? 'archive.zip' : 'archive.tar.gz'}`;
  if (c.duplicateInArchive) {
    // Python's zipfile and tarfile write a second member of the same name (the standard tools refuse).
    const r = spawnSync('/usr/bin/python3', ['-W', 'ignore', '-c', `import os, sys, zipfile, tarfile
src, out, dup, kind = sys.argv[1:5]
names = sorted(os.path.relpath(os.path.join(r, f), src) for r, _, fs in os.walk(src) for f in fs) + [dup]
if kind == 'zip':
    with zipfile.ZipFile(out, 'w') as z:
        for n in names: z.write(os.path.join(src, n), n)
else:
    with tarfile.open(out, 'w:gz') as t:
        for n in names: t.add(os.path.join(src, n), n)`, dir, out, c.duplicateInArchive, c.container], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return out;
  }
  const r = c.container === 'zip' ? spawnSync('zip', ['-q', '-r', out, '.'], { cwd: dir }) : spawnSync('tar', ['-czf', out, '-C', dir, '.']);
  assert.equal(r.status, 0, String(r.stderr));
  return out;
}

const totals = (d: DatasetRecord) => d.splits.train.perClass.map((k, i) => k + d.splits.test.perClass[i]);

async function check(f: Format, c: Case): Promise<'ok' | 'error'> {
  const expect: Expect = c.duplicateInArchive ? { kind: 'error' } : f.oracle(inside(c.files));
  const path = materialise(c);
  const label = `${f.name}, ${c.what}, as a ${c.container} (${path})`;
  const before = snapshot(datasets);
  const name = `case-${serial}`;
  let d: DatasetRecord;
  try {
    d = (await importDataset(path, { name })).dataset;
  } catch (e) {
    assert.ok(e instanceof EffconvError, `${label}: not a named error: ${e instanceof Error ? e.stack : String(e)}`);
    assert.notEqual(e.code, 'INTERNAL', `${label}: ${e.message}`);
    assert.ok(e.message.includes(path), `${label}: the error names the path given: ${e.message}`);
    assert.doesNotMatch(`${e.message}\n${e.detail}`, /\.import-|extracted-/, `${label}: no temporary path`);
    assert.notEqual(expect.kind, 'ok', `${label}: a valid set was refused: ${e.message}`);
    if (expect.kind === 'images') {
      // A spoiled photo is skipped, never fatal: only an emptied class may stop the import.
      assert.fail(`${label}: one bad photo stopped the import: ${e.message}`);
    }
    assert.deepEqual(snapshot(datasets), before, `${label}: the library is unchanged after the error`);
    return 'error';
  }
  assert.notEqual(expect.kind, 'error', `${label}: imported although it should fail (counts ${totals(d)})`);
  if (expect.kind === 'ok' || expect.kind === 'either') {
    assert.deepEqual(totals(d), expect.counts, `${label}: counts per class`);
    if (expect.kind === 'ok' && expect.names) assert.deepEqual(d.classNames, expect.names, `${label}: class names`);
  } else if (expect.kind === 'images') {
    const lost = d.skipped;
    assert.ok(lost <= expect.mayLose.length, `${label}: skipped ${lost}, only ${expect.mayLose.length} spoiled`);
    assert.deepEqual(d.classNames, Object.keys(expect.counts).sort(), `${label}: class names`);
    const got = Object.fromEntries(d.classNames.map((n, i) => [n, totals(d)[i]]));
    const want = { ...expect.counts };
    for (const s of d.skippedExamples) want[s.path.split('/')[0]] -= 1;
    assert.deepEqual(got, want, `${label}: counts per class (skipped: ${JSON.stringify(d.skippedExamples)})`);
    for (const s of d.skippedExamples) assert.ok(expect.mayLose.includes(s.path), `${label}: skipped ${s.path}, which was not spoiled`);
  }
  // The entry on disk holds what its record says.
  const bytes = d.height * d.width * d.channels;
  assert.equal(statSync(join(datasets, d.name, 'train.u8')).size, d.splits.train.count * bytes, label);
  if (d.name === name) removeDataset(name);
  return 'ok';
}

const CASES_PER_FORMAT: Record<string, number> = { 'image folder (JPEG)': 30, 'image folder (PNG, gray)': 30 };

for (const [i, f] of FORMATS.entries()) {
  test(`${f.name}: every mutation is a valid import with the right counts or a named error, the library unchanged (seed ${SEED + i})`, async () => {
    const cases = makeCases(f, rng(SEED + i), CASES_PER_FORMAT[f.name] ?? 48);
    const outcome = { ok: 0, error: 0 };
    const t0 = Date.now();
    for (const c of cases) outcome[await check(f, c)] += 1;
    // Both outcomes occur, or the property would be tested on one side only.
    assert.ok(outcome.ok > 0 && outcome.error > 0, JSON.stringify(outcome));
    process.stdout.write(`# ${f.name}: ${cases.length} cases, ${outcome.ok} imported, ${outcome.error} named errors, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  });
}

test('the oracle is not trivial: it agrees with the importer on the untouched sets', () => {
  // SOURCE.md's labels of the five batches and the test batch, counted by hand.
  assert.deepEqual(cifar10.oracle(inside(cifar10.base)), { kind: 'ok', counts: [4, 7, 5, 4, 3, 3, 9, 3, 7, 3], names: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] });
  assert.deepEqual(idxOracle(inside(idxGz.base)), { kind: 'ok', counts: [22, 26, 11, 16, 18, 9, 15, 17, 8, 18] }); // SOURCE.md: train + t10k histograms
});
