// Where the service's push events meet the shells: the service publishes, each transport
// (IPC, SSE, the CLI's console) subscribes.
import type { PushEvent, Unsubscribe } from '../../contract/api';

export interface EventHub {
  subscribe(listener: (e: PushEvent) => void): Unsubscribe;
}

export class PushHub implements EventHub {
  private readonly listeners = new Set<(e: PushEvent) => void>();

  publish(e: PushEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a broken listener (closed connection) must not stop the others
      }
    }
  }

  subscribe(listener: (e: PushEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
