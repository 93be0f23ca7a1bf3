// The one client the screens use.
import { connectClient } from './client';

export const api = connectClient();
export { ApiError } from './client';
