// Finding out which tfjs backends this machine can run, and why not where it cannot.
// Each probe is side-effect free apart from loading the package it tests.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { settings } from '../../common/settings';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_ORDER: BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

export interface BackendReport {
  name: BackendName;
  available: boolean;
  /** Usable, but not chosen automatically (a software WebGPU adapter). */
  manualOnly?: boolean;
  /** Why it is unavailable, or what it runs on. */
  reason: string;
  details?: Record<string, string | number | boolean>;
}

const localRequire = createRequire(import.meta.url);

export function isInstalled(pkg: string): boolean {
  try {
    localRequire.resolve(`${pkg}/package.json`);
    return true;
  } catch {
    return false;
  }
}

export function packageDir(pkg: string): string {
  return dirname(localRequire.resolve(`${pkg}/package.json`));
}

/** Turn a native-binding load error into a reason a user can act on. */
export function explainNativeLoadError(pkg: string, message: string): string {
  const lib = /(lib(?:cudart|cudnn|cublas|cublasLt|cufft|curand|cusolver|cusparse|nvinfer)[\w.-]*\.so[\d.]*)/.exec(message);
  if (lib) return `${lib[1]} not found: tfjs-node-gpu 4.x needs CUDA 11.2 + cuDNN 8.1`;
  const so = /([\w.+-]+\.so[\d.]*): cannot open shared object file/.exec(message);
  if (so) return `${so[1]} not found (${pkg}'s native library is missing or was not downloaded at install)`;
  if (/Cannot find module .*tfjs_binding\.node/.test(message)) return `${pkg} is installed but its native binding was not built (its install step downloads libtensorflow)`;
  return `${pkg} failed to load: ${message.split('\n')[0]}`;
}

const TFJS_NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** Loads the first tfjs-node flavour that works; it registers the 'tensorflow' backend. */
export async function loadTensorflow(): Promise<{ ok: boolean; pkg?: string; reason: string; tried: string[] }> {
  const tried: string[] = [];
  for (const pkg of TFJS_NODE_PACKAGES) {
    const short = pkg.replace('@tensorflow/', '');
    if (!isInstalled(pkg)) {
      tried.push(`${short} not installed`);
      continue;
    }
    try {
      await import(pkg);
      return { ok: true, pkg, reason: `${short} (libtensorflow)`, tried };
    } catch (e) {
      tried.push(explainNativeLoadError(short, e instanceof Error ? e.message : String(e)));
    }
  }
  return {
    ok: false,
    reason: `${tried.join('; ')} (optional dependencies; their install downloads libtensorflow, which needs internet)`,
    tried,
  };
}

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;


export interface WebgpuProbe {
  ok: boolean;
  software: boolean;
  reason: string;
  details?: Record<string, string | number | boolean>;
  /** Loads Dawn into this process: the GPU object and WebGPU's constants (GPUBufferUsage, …) tfjs-backend-webgpu reads as globals. */
  open?: () => Promise<{ gpu: unknown; globals: Record<string, unknown> }>;
}

/**
 * Vulkan ICDs of software rasterisers that Dawn accepts, added to the loader's list (never
 * replacing it) so a machine without a GPU can still run webgpu when asked: Chromium ships
 * SwiftShader. (Debian 12's lavapipe is refused by Dawn: it lacks shaderUniform*ArrayDynamicIndexing.)
 */
export const SOFTWARE_VULKAN_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib64/chromium/vk_swiftshader_icd.json'];

function addSoftwareVulkanDrivers(): string[] {
  const s = settings();
  const found = [...s.vulkanIcds, ...SOFTWARE_VULKAN_ICDS.filter((f) => existsSync(f))];
  if (found.length === 0 || s.vulkanDriversChosen) return [];
  // The Vulkan loader reads its list from the environment (this process's and its children's).
  const current = (process.env.VK_ADD_DRIVER_FILES ?? '').split(':').filter(Boolean);
  const added = found.filter((f) => !current.includes(f));
  if (added.length) process.env.VK_ADD_DRIVER_FILES = [...current, ...added].join(':');
  return found;
}

let webgpuProbe: Promise<WebgpuProbe> | null = null;

/** Dawn through the `webgpu` package: is there an adapter, and is it real hardware? (Probed once per process.) */
export function probeWebgpu(): Promise<WebgpuProbe> {
  webgpuProbe ??= probeWebgpuOnce();
  return webgpuProbe;
}

async function probeWebgpuOnce(): Promise<WebgpuProbe> {
  if (!isInstalled('webgpu')) return { ok: false, software: false, reason: 'webgpu (Dawn for Node) not installed' };
  const softwareIcds = addSoftwareVulkanDrivers();
  const scout = await scoutAdapter();
  if ('error' in scout) return { ok: false, software: false, reason: `webgpu probe failed: ${scout.error}` };
  const driverNote = firstDriverMessage(scout.stderr);
  if (!scout.adapter) {
    const hint = process.platform === 'linux' ? ' (Dawn needs libvulkan.so.1 and a Vulkan driver it accepts)' : '';
    const details: Record<string, string> = { softwareIcds: softwareIcds.join(':') };
    if (driverNote) details.driver = driverNote;
    return { ok: false, software: false, reason: `no WebGPU adapter${hint}`, details };
  }
  const info = scout.adapter;
  const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ').trim() || 'unknown adapter';
  const software = info.fallback || SOFTWARE_ADAPTER.test(description);
  const details: Record<string, string | boolean> = { adapter: description, software };
  if (driverNote) details.driver = driverNote;
  const open = async () => {
    const mod = (await import('webgpu')) as unknown as { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
    return { gpu: mod.create([]), globals: mod.globals };
  };
  if (software) {
    return {
      ok: true, software: true, details, open,
      reason: `software adapter "${description}": used only with --backend webgpu, never chosen automatically (a CPU rasteriser, far slower than wasm)`,
    };
  }
  return { ok: true, software: false, details, open, reason: `WebGPU adapter "${description}"` };
}

interface ScoutedAdapter {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  fallback: boolean;
}

// Run in a child process: Dawn and the Vulkan drivers it tries print to the process's own
// stderr (a refused lavapipe, WSI complaints on a headless box), which must not reach the
// user's terminal on every automatic backend choice.
const SCOUT_SCRIPT = `
const { create } = await import(process.argv[1]);
const a = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const i = a ? (a.info ?? {}) : null;
const out = i && { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description,
  fallback: Boolean(a.isFallbackAdapter || i.isFallbackAdapter) };
process.stdout.write(JSON.stringify({ adapter: out }) + '\\n');
process.exit(0);
`;
const SCOUT_TIMEOUT_MS = 30_000;

function scoutAdapter(): Promise<{ adapter: ScoutedAdapter | null; stderr: string } | { error: string }> {
  const entry = pathToFileURL(localRequire.resolve('webgpu')).href;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', SCOUT_SCRIPT, entry],
      // ELECTRON_RUN_AS_NODE: inside Electron, execPath is Electron itself.
      { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: SCOUT_TIMEOUT_MS, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          const parsed = JSON.parse(line) as { adapter: ScoutedAdapter | null };
          resolve({ adapter: parsed.adapter, stderr });
        } catch {
          const why = err ? (err.killed ? `no answer in ${SCOUT_TIMEOUT_MS / 1000} s` : err.message.split('\n')[0]) : 'no answer';
          resolve({ error: `${why}${stderr.trim() ? `: ${stderr.trim().split('\n')[0]}` : ''}` });
        }
      },
    );
  });
}

/** The driver's first complaint, for doctor's details (e.g. why lavapipe was refused). */
function firstDriverMessage(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim());
  const line = lines.find((l) => /^warning:/i.test(l)) ?? lines.find((l) => /^error:/i.test(l));
  return line?.slice(0, 200);
}
