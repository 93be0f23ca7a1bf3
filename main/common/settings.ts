// Every setting EffConv Studio takes from the environment, read in this one place. Shells
// pass the same environment to the processes they start, so a worker sees what its parent saw.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { EffconvError } from '../contract/errors';

export interface Settings {
  /** EFFCONV_HOME: the dataset library, the experiment database and run folders live here. */
  home: string;
  /** Whether home was set by EFFCONV_HOME (for messages that must name the setting). */
  homeFromEnv: boolean;
  /** EFFCONV_SQLITE_BINDING: a better-sqlite3 addon for this runtime's ABI (the Electron shell sets it). */
  sqliteBinding: string | undefined;
  /** EFFCONV_WASM_THREADS: threads of the wasm backend (default: every logical core). */
  wasmThreads: number | undefined;
  /** EFFCONV_DATASET_MEMORY_MB: sets up to this size are read into memory (default 1024). */
  datasetMemoryMb: number;
  /** EFFCONV_DATASET_MIRROR: base URL that `dataset download` fetches the registry's file names from instead of the publisher's. */
  datasetMirror: string | undefined;
  /** EFFCONV_VULKAN_ICD: extra Vulkan driver manifests for webgpu (colon-separated). */
  vulkanIcds: string[];
  /** Whether the user set the Vulkan loader's own driver list (VK_ICD_FILENAMES / VK_DRIVER_FILES): then we add nothing. */
  vulkanDriversChosen: boolean;
  /** The fleet (BullMQ on Redis): where it is and how jobs are handled. */
  fleet: FleetSettings;
}

export interface FleetSettings {
  /** EFFCONV_QUEUE: the queue's Redis URL when a command is given no --queue. */
  queue: string | undefined;
  /** EFFCONV_QUEUE_PASSWORD: the Redis password, kept out of the command line (and `ps`). */
  password: string | undefined;
  /** EFFCONV_QUEUE_CA: a PEM file of the certificate authority a rediss:// server's certificate is checked against (default: the system's). */
  caFile: string | undefined;
  /** EFFCONV_FLEET_LOCK_MS: how long a worker's hold on a job lasts without renewal; a dead worker's job is handed on after about this long (default 30 s). */
  lockMs: number;
  /** EFFCONV_FLEET_ATTEMPTS: attempts of a failing run before it fails (default 3). */
  attempts: number;
  /** EFFCONV_FLEET_RETRY_MS: the first retry's delay, doubled for each next one (default 10 s). */
  retryMs: number;
  /** EFFCONV_FLEET_MAX_DATASET_MB: the largest data set the queue carries to workers (default 2048). */
  maxDatasetMb: number;
}

function defaultHome(env: NodeJS.ProcessEnv): string {
  const home = homedir();
  switch (process.platform) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'EffConv Studio');
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'EffConv Studio');
    default:
      return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'effconv-studio');
  }
}

function positiveInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new EffconvError('INVALID_ARGUMENT', `${name} must be a positive integer, got "${v}"`, name);
  return n;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const memory = Number(env.EFFCONV_DATASET_MEMORY_MB);
  return {
    home: env.EFFCONV_HOME ? resolve(env.EFFCONV_HOME) : defaultHome(env),
    homeFromEnv: Boolean(env.EFFCONV_HOME),
    sqliteBinding: env.EFFCONV_SQLITE_BINDING || undefined,
    wasmThreads: positiveInt(env, 'EFFCONV_WASM_THREADS'),
    datasetMemoryMb: env.EFFCONV_DATASET_MEMORY_MB !== undefined && Number.isFinite(memory) && memory >= 0 ? memory : 1024,
    datasetMirror: env.EFFCONV_DATASET_MIRROR || undefined,
    vulkanIcds: (env.EFFCONV_VULKAN_ICD ?? '').split(':').filter(Boolean),
    vulkanDriversChosen: Boolean(env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES),
    fleet: {
      queue: env.EFFCONV_QUEUE || undefined,
      password: env.EFFCONV_QUEUE_PASSWORD || undefined,
      caFile: env.EFFCONV_QUEUE_CA || undefined,
      lockMs: positiveInt(env, 'EFFCONV_FLEET_LOCK_MS') ?? 30_000,
      attempts: positiveInt(env, 'EFFCONV_FLEET_ATTEMPTS') ?? 3,
      retryMs: positiveInt(env, 'EFFCONV_FLEET_RETRY_MS') ?? 10_000,
      maxDatasetMb: positiveInt(env, 'EFFCONV_FLEET_MAX_DATASET_MB') ?? 2048,
    },
  };
}

/** The settings of this process, read on every call (cheap), so a test or shell that sets the environment first is obeyed. */
export function settings(): Settings {
  return readSettings(process.env);
}
