// The renderer's view of the API: one typed proxy over a transport (Electron IPC through the
// preload, or HTTP + SSE in web mode). The UI never sees which.
import type { Api, PushEvent, Unsubscribe } from '../../../main/contract/api';
import { API_METHOD_NAMES, type CallReply } from '../../../main/contract/api-methods';

export interface Transport {
  call(method: string, args: unknown[]): Promise<CallReply>;
  subscribe(listener: (e: PushEvent) => void): Unsubscribe;
  readonly kind: 'ipc' | 'http';
}

/** An API error as the UI shows it: code, message, and the field or file it names. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly detail: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Client = Api & { subscribe: Transport['subscribe']; transport: Transport['kind'] };

export function createClient(t: Transport): Client {
  const client: Record<string, unknown> = { subscribe: t.subscribe.bind(t), transport: t.kind };
  for (const method of API_METHOD_NAMES) {
    client[method] = async (...args: unknown[]) => {
      const reply = await t.call(method, args);
      if (!reply.ok) throw new ApiError(reply.error.code, reply.error.message, reply.error.detail);
      return reply.value;
    };
  }
  return client as unknown as Client;
}

interface PreloadBridge {
  call(method: string, args: unknown[]): Promise<CallReply>;
  onEvent(listener: (e: PushEvent) => void): Unsubscribe;
}

export function ipcTransport(bridge: PreloadBridge): Transport {
  return { kind: 'ipc', call: (m, a) => bridge.call(m, a), subscribe: (l) => bridge.onEvent(l) };
}

export function httpTransport(base = ''): Transport {
  const listeners = new Set<(e: PushEvent) => void>();
  let source: EventSource | null = null;
  const connect = () => {
    source = new EventSource(`${base}/api/events`);
    source.onmessage = (m) => {
      const e = JSON.parse(m.data as string) as PushEvent;
      for (const l of listeners) l(e);
    };
  };
  return {
    kind: 'http',
    async call(method, args) {
      const res = await fetch(`${base}/api/call/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ args }),
      });
      try {
        return (await res.json()) as CallReply;
      } catch {
        return { ok: false, error: { code: 'INTERNAL', message: `server answered ${res.status} ${res.statusText}`, detail: '' } };
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!source) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}

export function connectClient(): Client {
  const bridge = (globalThis as { effconv?: PreloadBridge }).effconv;
  return createClient(bridge ? ipcTransport(bridge) : httpTransport());
}
