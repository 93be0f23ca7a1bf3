// Format detection from file names, on the fixture folders and trees made from them.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EffconvError } from '../../../main/contract/errors';
import { describePath } from '../../../main/data/resolve';
import { FIXTURES, fixture } from '../../helpers/data';
import { run, useTempLibrary } from '../../helpers/library';

const { work } = useTempLibrary('effconv-detect-');

test('each fixture set is recognised, with the folder that holds it', async () => {
  assert.deepEqual(await describePath(fixture('mnist')), { format: 'idx', root: '' });
  assert.deepEqual(await describePath(fixture('cifar10')), { format: 'cifar10', root: 'bin-subset' });
  assert.deepEqual(await describePath(fixture('hymenoptera')), { format: 'image-folder', root: 'hymenoptera_data' });
  assert.deepEqual(await describePath(fixture('mnist-png')), { format: 'image-folder', root: 'test' });
  const tgz = join(work, 'cifar10-jpeg-test.tar.gz');
  run('tar', ['-czf', tgz, '-C', fixture('cifar10-jpeg', 'folder-subset'), 'test']);
  assert.deepEqual(await describePath(tgz), { format: 'image-folder', root: 'test' });
});

test('a folder with two data sets asks which one', async () => {
  const both = join(work, 'both');
  mkdirSync(both);
  cpSync(fixture('mnist'), join(both, 'mnist'), { recursive: true });
  cpSync(fixture('cifar10', 'bin-subset'), join(both, 'deeper', 'cifar'), { recursive: true });
  await assert.rejects(describePath(both), (e: unknown) => e instanceof EffconvError && /holds more than one data set \(idx in mnist, cifar10 in deeper\/cifar\)/.test(e.message));
  await assert.rejects(describePath(FIXTURES), (e: unknown) => e instanceof EffconvError && /holds more than one data set/.test(e.message));
});
