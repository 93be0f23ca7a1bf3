// Who wrote an exported file, for headers and metadata fields, and the config as it travels
// without its run folder.
import type { EffconvConfig } from '../contract/config';
import pkg from '../../package.json';

export const PRODUCER = 'EffConv Studio';
export const PRODUCER_VERSION: string = pkg.version;

/** The config without the run-folder weights record: an exported copy stands on its own. */
export function portableConfig(config: EffconvConfig): EffconvConfig {
  const copy = { ...config };
  delete copy.weights;
  return copy;
}
