// The Electron shell: single instance, a hardened window over the renderer build, the Api
// over IPC, runs and tasks in utility processes, and a clean quit that pauses running runs.
import { app, BrowserWindow, dialog } from 'electron';
import { homePaths } from '../../common/paths';
import { builtWorkerPath, RUN_WORKER_NICE } from '../../api/processes/launcher';
import { RunQueue } from '../../api/processes/run-queue';
import { coordinatorRuns } from '../../api/processes/fleet/coordinator';
import { readQueueSetting } from '../../api/processes/fleet/queue-setting';
import { parseQueueUrl } from '../../api/processes/fleet/queue-url';
import { TASK_SCRIPT, type FromTask, type ToTask } from '../../api/processes/task-protocol';
import type { FromWorker, ToWorker } from '../../api/processes/worker-protocol';
import { processTasks } from '../../api/processes/tasks';
import { createService, type Service } from '../../api/service/service';
import { registerIpc } from './ipc';
import { utilityLauncher } from './launcher';
import { installMenu } from './menu';
import { electronSqliteBinding } from './native';
import { createMainWindow, hardenSession } from './window';

let service: Service | null = null;
let quitting = false;

async function start(): Promise<void> {
  const appRoot = app.getAppPath();
  const binding = electronSqliteBinding(appRoot);
  if (!binding.path) {
    dialog.showErrorBox(
      'EffConv Studio: database module missing',
      `The experiment database needs better-sqlite3 built for Electron (${binding.expected}).\n\nRun \`npm run rebuild:electron\` in ${appRoot}, or use the browser UI: npx effconv serve`,
    );
    app.quit();
    return;
  }
  const env = { ...process.env, EFFCONV_SQLITE_BINDING: binding.path };
  const launcher = utilityLauncher<ToWorker, FromWorker>(builtWorkerPath(), env, { nice: RUN_WORKER_NICE, name: 'EffConv run' });
  const paths = homePaths();
  const tasks = processTasks(utilityLauncher<ToTask, FromTask>(builtWorkerPath(TASK_SCRIPT), env, { name: 'EffConv task' }));
  let url: string | null = null;
  try {
    url = readQueueSetting(paths.home);
  } catch (e) {
    dialog.showErrorBox('EffConv Studio: queue setting unreadable', `${(e as Error).message}\n\nRuns execute on this machine until a queue is set again (Workers).`);
  }
  service = createService({
    mode: 'desktop',
    version: app.getVersion(),
    paths,
    // New runs go to the fleet's queue when one is set (Workers view), else to worker processes here.
    executor: (store) => coordinatorRuns(store, new RunQueue({ store, launcher }), { queue: url ? parseQueueUrl(url) : null, adopt: true, rememberIn: paths.home, tasks }),
    tasks,
    store: { nativeBinding: binding.path },
    followOutsideRuns: true,
    exportsToHome: true,
    // On the first start the service adds the bundled sample (the library's first listing waits for it).
    notice: (m) => console.log(`EffConv Studio: ${m}`),
  });
  registerIpc(service.api, service.hub);
  hardenSession();
  installMenu();
  createMainWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.enableSandbox();
  void app.whenReady().then(async () => {
    await start();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0 && service) createMainWindow();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Running runs checkpoint and pause before the app exits; they resume from the list later.
  app.on('before-quit', (e) => {
    if (quitting || !service) return;
    e.preventDefault();
    quitting = true;
    const s = service;
    service = null;
    void s.close({ pauseRunning: true }).finally(() => app.quit());
  });
}
