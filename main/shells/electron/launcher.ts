// Workers in Electron: utilityProcess.fork of the same built scripts the CLI forks, so runs and
// tasks never execute in the main process or the renderer.
import { utilityProcess } from 'electron';
import { lowerPriority, type WorkerLauncher } from '../../api/processes/launcher';

export function utilityLauncher<In, Out>(script: string, env: NodeJS.ProcessEnv, o: { nice?: number; name: string }): WorkerLauncher<In, Out> {
  return {
    launch(args, extra) {
      const child = utilityProcess.fork(script, args, { env: { ...env, ...extra }, stdio: 'inherit', serviceName: o.name });
      if (o.nice !== undefined) child.once('spawn', () => lowerPriority(child.pid, o.nice));
      return {
        get pid() {
          return child.pid;
        },
        send: (m) => child.postMessage(m),
        // utilityProcess.kill() sends SIGTERM, which a run worker takes as "cancel": kill for real.
        kill: () => {
          if (child.pid) process.kill(child.pid, 'SIGKILL');
          else child.kill();
        },
        onMessage: (f) => child.on('message', (m) => f(m as Out)),
        onExit: (f) => child.on('exit', (code) => f(code, null)),
      };
    },
  };
}
