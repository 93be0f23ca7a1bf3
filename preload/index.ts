// The preload exposes one object to the renderer; it grows with the typed contract.
import { contextBridge, ipcRenderer } from 'electron';

const api = {
  version: (): Promise<string> => ipcRenderer.invoke('effconv:version'),
};

contextBridge.exposeInMainWorld('effconv', api);
