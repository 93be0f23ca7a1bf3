// Format detection from file names, on the shared data folders and trees made from them.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EffconvError } from '../../../main/contract/errors';
import { describePath } from '../../../main/data/resolve';
import { sharedData, sharedDataDir } from '../../helpers/data';
import { useTempLibrary } from '../../helpers/library';

const { work } = useTempLibrary('effconv-detect-');

test('each shared set is recognised, with the folder that holds it', async () => {
  assert.deepEqual(await describePath(sharedData('mnist')), { format: 'idx', root: '' });
  assert.deepEqual(await describePath(sharedData('cifar10')), { format: 'cifar10', root: 'bin-subset' });
  assert.deepEqual(await describePath(sharedData('hymenoptera')), { format: 'image-folder', root: 'hymenoptera_data' });
  assert.deepEqual(await describePath(sharedData('mnist-png')), { format: 'image-folder', root: 'test' });
  assert.deepEqual(await describePath(sharedData('cifar10-jpeg', 'cifar10-jpeg-test.tar.gz')), { format: 'image-folder', root: 'test' });
});

test('a folder with two data sets asks which one', async () => {
  const both = join(work, 'both');
  mkdirSync(both);
  cpSync(sharedData('mnist'), join(both, 'mnist'), { recursive: true });
  cpSync(sharedData('cifar10', 'bin-subset'), join(both, 'deeper', 'cifar'), { recursive: true });
  await assert.rejects(describePath(both), (e: unknown) => e instanceof EffconvError && /holds more than one data set \(idx in mnist, cifar10 in deeper\/cifar\)/.test(e.message));
  await assert.rejects(describePath(sharedDataDir()), (e: unknown) => e instanceof EffconvError && /holds more than one data set/.test(e.message));
});
