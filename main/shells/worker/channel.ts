// The worker's line to its parent: Electron's process.parentPort in a utility process, Node's
// IPC channel (process.send) under child_process.fork, or nothing when run by hand.
import type { FromWorker, ToWorker } from '../../api/processes/worker-protocol';

interface ParentPort {
  postMessage(m: unknown): void;
  on(event: 'message', f: (e: { data: unknown }) => void): void;
}

export interface ParentChannel<Out = FromWorker, In = ToWorker> {
  send(m: Out): void;
  onMessage(f: (m: In) => void): void;
  /** Whether a parent is listening now (it may have died). */
  connected(): boolean;
}

export function parentChannel<Out = FromWorker, In = ToWorker>(): ParentChannel<Out, In> {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (port) {
    return { send: (m) => port.postMessage(m), onMessage: (f) => port.on('message', (e) => f(e.data as In)), connected: () => true };
  }
  return {
    // The parent may be gone (it crashed or quit); the run goes on and the database has it all.
    send: (m) => {
      if (process.send && process.connected) process.send(m);
    },
    onMessage: (f) => process.on('message', (m) => f(m as In)),
    connected: () => Boolean(process.send && process.connected),
  };
}
