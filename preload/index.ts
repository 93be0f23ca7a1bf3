// The preload exposes one object, `window.effconv`, with two functions: call an API method
// and listen to pushed events. Method names are checked here too; main validates arguments.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_EVENT, isApiMethod, type CallReply } from '../main/contract/api-methods';
import type { PushEvent } from '../main/contract/api';

const bridge = {
  call(method: string, args: unknown[]): Promise<CallReply> {
    if (!isApiMethod(method)) {
      return Promise.resolve({ ok: false, error: { code: 'INVALID_ARGUMENT', message: `unknown API method ${JSON.stringify(method)}`, detail: 'method' } });
    }
    return ipcRenderer.invoke(IPC_CALL, method, args) as Promise<CallReply>;
  },
  onEvent(listener: (e: PushEvent) => void): () => void {
    const handler = (_e: IpcRendererEvent, payload: PushEvent) => listener(payload);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld('effconv', bridge);

export type PreloadBridge = typeof bridge;
