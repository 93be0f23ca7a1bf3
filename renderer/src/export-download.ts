// In web mode the server answers an export with a download URL in place of its folder's path
// (a browser cannot be handed a local path): follow it so the browser saves the file or .zip.
import { api } from './api';

export function downloadIfServed(out: string): void {
  if (api.transport !== 'http') return;
  const a = document.createElement('a');
  a.href = out;
  a.download = '';
  a.click();
}
