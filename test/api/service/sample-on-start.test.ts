// The bundled sample through the service, as every shell gets it: a fresh home has it in the
// library from the first listing (the service offers it on creation, in a task); two services
// starting at once on one home, each with its tasks in processes of their own (the app and
// `effconv serve`), add it once; a removal sticks for the next start; addSampleDataset brings it
// back; when other data holds its name, the offer leaves it alone and addSampleDataset refuses
// by name.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { EffconvError } from '../../../main/contract/errors';
import { homePaths } from '../../../main/common/paths';
import { ForegroundRuns } from '../../../main/api/processes/foreground-runs';
import { builtWorkerPath, nodeWorkerLauncher } from '../../../main/api/processes/launcher';
import { TASK_SCRIPT, type FromTask, type ToTask } from '../../../main/api/processes/task-protocol';
import { inProcessTasks, processTasks, type TaskRunner } from '../../../main/api/processes/tasks';
import { createService, type Service } from '../../../main/api/service/service';
import { importDataset } from '../../../main/data/library';
import { fixture } from '../../helpers/data';
import { useTempLibrary } from '../../helpers/library';

const { work } = useTempLibrary('effconv-sample-service-');
const services: Service[] = [];
after(async () => {
  for (const s of services) await s.close();
});

function start(home: string, tasks: TaskRunner = inProcessTasks(), notices: string[] = []): Service {
  process.env.EFFCONV_HOME = home; // the library and the sample's marker follow EFFCONV_HOME
  const s = createService({ mode: 'desktop', version: 'test', paths: homePaths(home), executor: (store) => new ForegroundRuns(store), tasks, notice: (m) => notices.push(m) });
  services.push(s);
  return s;
}

const processTaskRunner = () => processTasks(nodeWorkerLauncher<ToTask, FromTask>(builtWorkerPath(TASK_SCRIPT)));

test('a fresh home: the first listing already has the sample (8,000 / 2,000 MNIST digits), announced once', async () => {
  const home = mkdtempSync(join(work, 'fresh-'));
  const notices: string[] = [];
  const s = start(home, inProcessTasks(), notices);
  const [d] = await s.api.listDatasets();
  assert.equal(d.name, 'mnist-sample');
  assert.deepEqual([d.format, d.shape, d.classes], ['idx', { height: 28, width: 28, channels: 1 }, 10]);
  assert.deepEqual([d.counts.train.reduce((a, b) => a + b), d.counts.test.reduce((a, b) => a + b)], [8000, 2000]);
  assert.deepEqual(notices, ['adding the sample data set "mnist-sample" (MNIST test set, 10,000 handwritten digits: 8,000 train / 2,000 test) to the library…']);
  // A removal sticks: the next start does not add it again; addSampleDataset brings it back, once.
  await s.api.removeDataset('mnist-sample');
  const next = start(home);
  assert.deepEqual(await next.api.listDatasets(), []);
  assert.deepEqual(await next.api.addSampleDataset(), { name: 'mnist-sample', added: true, description: 'MNIST test set, 10,000 handwritten digits: 8,000 train / 2,000 test' });
  assert.equal((await next.api.addSampleDataset()).added, false);
  assert.deepEqual((await next.api.listDatasets()).map((x) => x.sha256), [d.sha256], 'the same split as before');
});

test('two services starting at once on one home, their tasks in processes of their own, add it once', async () => {
  const home = mkdtempSync(join(work, 'race-'));
  const notices: string[] = [];
  const a = start(home, processTaskRunner(), notices);
  const b = start(home, processTaskRunner(), notices);
  const [la, lb] = await Promise.all([a.api.listDatasets(), b.api.listDatasets()]);
  assert.deepEqual([la.map((x) => x.name), lb.map((x) => x.name)], [['mnist-sample'], ['mnist-sample']]);
  assert.equal(notices.length, 1, `one of them imported it: ${notices.join(' | ')}`);
  const datasets = join(home, 'datasets');
  assert.deepEqual(readdirSync(datasets).filter((f) => !f.startsWith('.')), ['mnist-sample'], 'one entry, no temporary import folder left');
  assert.ok(!existsSync(join(datasets, '.sample.lock')), 'the lock was released');
});

test('other data under the sample\'s name is left alone; addSampleDataset refuses by name', async () => {
  const home = mkdtempSync(join(work, 'taken-'));
  process.env.EFFCONV_HOME = home;
  await importDataset(fixture('fashion-mnist'), { name: 'mnist-sample' });
  const notices: string[] = [];
  const s = start(home, inProcessTasks(), notices);
  const [d] = await s.api.listDatasets();
  assert.equal(d.classNames[0], 'T-shirt/top', 'still the user\'s Fashion-MNIST');
  await assert.rejects(s.api.addSampleDataset(), (e: unknown) =>
    e instanceof EffconvError && e.code === 'DATASET_EXISTS' && /the sample was not added: the library's "mnist-sample" holds other data/.test(e.message));
});
