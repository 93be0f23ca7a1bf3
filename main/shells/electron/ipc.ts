// IPC: one channel for every API call (validated against the contract in dispatchCall, with
// a typed error reply for a bad argument), one for pushed events, one for the native picker.
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { Api } from '../../contract/api';
import { IPC_CALL, IPC_EVENT, type CallReply } from '../../contract/api-methods';
import { dispatchCall } from '../../api/service/dispatch';
import type { EventHub } from '../../api/service/push-hub';
import { isOwnRenderer } from './window';

export const IPC_PICK_PATH = 'effconv:pick-path';

function fromOwnRenderer(e: IpcMainInvokeEvent): boolean {
  const url = e.senderFrame?.url;
  return typeof url === 'string' && isOwnRenderer(url);
}

const forbidden: CallReply = { ok: false, error: { code: 'FORBIDDEN', message: 'IPC from a frame that is not the app', detail: '' } };

export function registerIpc(api: Api, hub: EventHub): () => void {
  ipcMain.handle(IPC_CALL, (e, method: unknown, args: unknown) => (fromOwnRenderer(e) ? dispatchCall(api, method, args) : forbidden));
  ipcMain.handle(IPC_PICK_PATH, async (e, kind: unknown) => {
    if (!fromOwnRenderer(e) || (kind !== 'file' && kind !== 'folder')) return null;
    const win = BrowserWindow.fromWebContents(e.sender);
    const r = await dialog.showOpenDialog(win!, {
      title: kind === 'folder' ? 'Choose a dataset folder' : 'Choose a dataset archive or file',
      properties: kind === 'folder' ? ['openDirectory'] : ['openFile'],
      filters: kind === 'file' ? [{ name: 'Datasets', extensions: ['zip', 'gz', 'tgz', 'tar', 'npz', 'bin'] }, { name: 'All files', extensions: ['*'] }] : undefined,
    });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });
  const off = hub.subscribe((event) => {
    for (const w of BrowserWindow.getAllWindows()) if (!w.isDestroyed()) w.webContents.send(IPC_EVENT, event);
  });
  return () => {
    off();
    ipcMain.removeHandler(IPC_CALL);
    ipcMain.removeHandler(IPC_PICK_PATH);
  };
}
