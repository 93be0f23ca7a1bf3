// The zip and tar readers against archives written by the standard tools (Info-ZIP zip, GNU
// tar in its gnu, pax and ustar formats, Python's zipfile with zip64) from real data files,
// and their errors on archives cut or altered here.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EffconvError } from '../../main/contract/errors';
import { walkTar } from '../../main/data/sources/tar';
import { openTree } from '../../main/data/sources/tree';
import { ZipFile } from '../../main/data/sources/zip';
import { fixture } from '../helpers/data';
import { python, run, useTempLibrary } from '../helpers/library';

const { work } = useTempLibrary('effconv-sources-');
const digits = fixture('mnist-png', 'test');
const idx = fixture('mnist', 't10k-labels-idx1-ubyte.gz');

// A folder with real files, a nested path longer than 100 bytes, a name with a space, and hidden files.
const src = join(work, 'src');
const longDir = join(src, 'a-folder-name-long-enough-to-need-more-than-the-hundred-bytes-of-a-classic-tar-header', 'and-deeper');
mkdirSync(longDir, { recursive: true });
cpSync(join(digits, '3'), join(src, 'three'), { recursive: true });
copyFileSync(join(digits, '7', '60000.png'), join(longDir, 'seven with space.png'));
copyFileSync(idx, join(src, 't10k-labels-idx1-ubyte.gz'));
writeFileSync(join(src, '.DS_Store'), 'x');
mkdirSync(join(src, '__MACOSX'));
writeFileSync(join(src, '__MACOSX', '._x'), 'x');

const expected = new Map<string, Buffer>();
for (const rel of ['three/60018.png', 'three/60030.png', 't10k-labels-idx1-ubyte.gz']) expected.set(rel, readFileSync(join(src, rel)));
const longRel = 'a-folder-name-long-enough-to-need-more-than-the-hundred-bytes-of-a-classic-tar-header/and-deeper/seven with space.png';
expected.set(longRel, readFileSync(join(src, longRel)));

async function checkTree(path: string, kind: string) {
  const tree = await openTree(path);
  try {
    assert.equal(tree.kind, kind);
    const paths = tree.entries.map((e) => e.path);
    assert.ok(!paths.some((p) => p.includes('.DS_Store') || p.includes('__MACOSX')), 'hidden files and __MACOSX are left out');
    assert.equal(paths.length, 32, paths.join(' ')); // 30 threes, the seven, the idx file
    const got = new Map<string, Buffer>();
    await tree.eachFile([...expected.keys()], (p, bytes) => void got.set(p, bytes), { concurrency: 3 });
    for (const [p, bytes] of expected) assert.ok(got.get(p)?.equals(bytes), `${kind}: ${p} read back exactly`);
    const streamed: Buffer[] = [];
    await tree.streamFiles([longRel], async (_, chunks) => {
      for await (const c of chunks) streamed.push(c);
    });
    assert.ok(Buffer.concat(streamed).equals(expected.get(longRel)!));
  } finally {
    tree.close();
  }
}

test('a folder: files relative to it, hidden files left out', async () => {
  await checkTree(src, 'folder');
});

for (const format of ['gnu', 'pax', 'ustar']) {
  test(`GNU tar --format=${format}, gzipped: long paths, spaces, exact bytes`, async () => {
    const file = join(work, `src-${format}.tar.gz`);
    run('tar', [`--format=${format}`, '-czf', file, '-C', src, '.']);
    await checkTree(file, 'tar');
  });
}

test('an uncompressed tar', async () => {
  const file = join(work, 'src.tar');
  run('tar', ['-cf', file, '-C', src, '.']);
  await checkTree(file, 'tar');
});

test('Info-ZIP zip, deflated and stored', async () => {
  for (const level of ['-6', '-0']) {
    const file = join(work, `src${level}.zip`);
    run('zip', ['-q', '-r', level, file, '.'], src);
    await checkTree(file, 'zip');
    const z = ZipFile.open(file);
    assert.ok(z.entries.some((e) => e.method === (level === '-0' ? 0 : 8)));
    z.close();
  }
});

test('zip64 records (Python zipfile, force_zip64, as numpy writes npz)', () => {
  const file = join(work, 'z64.zip');
  python(`import zipfile,sys
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    with z.open('labels.gz', 'w', force_zip64=True) as f:
        f.write(open(sys.argv[2], 'rb').read())`, file, idx);
  const z = ZipFile.open(file);
  assert.ok(z.readEntry(z.find('labels.gz')!).equals(readFileSync(idx)));
  z.close();
});

const fails = async (p: Promise<unknown> | (() => unknown), pattern: RegExp) =>
  assert.rejects(async () => (typeof p === 'function' ? p() : p), (e: unknown) => e instanceof EffconvError && e.code === 'DATASET_MALFORMED' && pattern.test(e.message), pattern.source);

test('a cut .tar.gz, a gzip that is not a tar, a cut zip and a zip with a damaged byte get named errors', async () => {
  const tgz = readFileSync(join(work, 'src-gnu.tar.gz'));
  const cut = join(work, 'cut.tar.gz');
  writeFileSync(cut, tgz.subarray(0, Math.floor(tgz.length / 2)));
  await fails(openTree(cut), /cut\.tar\.gz: gzip data is truncated or corrupt/);

  const notTar = join(work, 'labels.tar.gz');
  copyFileSync(idx, notTar);
  await fails(walkTar(notTar, () => {}), /labels\.tar\.gz: not a tar archive/);

  const zip = readFileSync(join(work, 'src-0.zip'));
  const cutZip = join(work, 'cut.zip');
  writeFileSync(cutZip, zip.subarray(0, zip.length - 100));
  await fails(() => ZipFile.open(cutZip), /cut\.zip: not a zip file \(no end-of-central-directory record; the file may be truncated\)/);

  // Flip one byte inside a stored entry's data: the CRC-32 check names the entry.
  const z = ZipFile.open(join(work, 'src-0.zip'));
  const e = z.entries.find((x) => x.name.endsWith('t10k-labels-idx1-ubyte.gz'))!;
  const at = z.dataOffset(e) + 100;
  z.close();
  const damaged = Buffer.from(zip);
  damaged[at] ^= 0xff;
  const bad = join(work, 'damaged.zip');
  writeFileSync(bad, damaged);
  const zb = ZipFile.open(bad);
  await fails(() => zb.readEntry(zb.find(e.name)!), /damaged\.zip: entry ".*t10k-labels-idx1-ubyte\.gz": CRC-32 mismatch/);
  zb.close();
});

test('a path that does not exist', async () => {
  await assert.rejects(openTree(join(work, 'nope')), (e: unknown) => e instanceof EffconvError && e.code === 'DATASET_NOT_FOUND' && /nope: no such file or folder/.test(e.message));
});
