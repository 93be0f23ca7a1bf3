// Data sets the app downloads from their publishers (the registry in main/data/download), as
// every shell lists them, and what a download did. Plain JSON values only.
import type { ImportOutcome } from './api';

export interface DownloadableDataset {
  name: string;
  title: string;
  homepage: string;
  /** 'download': fetched, verified and imported by downloadDataset; 'manual': the publisher requires a login (`steps` say how). */
  kind: 'download' | 'manual';
  licence: string | null;
  files: { name: string; bytes: number }[];
  downloadBytes: number;
  /** What the library holds after the import. */
  libraryBytes: number;
  images: { train: number; test: number; height: number; width: number; channels: number } | null;
  /** The library entry it becomes. */
  libraryName: string | null;
  inLibrary: boolean;
  /** Verified files and partial downloads already in the download cache: a download fetches only the rest. */
  cachedBytes: number;
  /** The download this service is running for it now, to follow its events. */
  taskId: string | null;
  /** 'manual' only: what to do, step by step. */
  steps: string[];
}

export interface DownloadedFile {
  name: string;
  bytes: number;
  /** 'cache': a verified copy was already there; 'download': fetched now (resumed from `resumedFrom`). */
  from: 'cache' | 'download';
  url: string | null;
  resumedFrom: number;
}

export interface DownloadOutcome {
  name: string;
  /** The library already had the entry: nothing was downloaded or imported. */
  alreadyInLibrary: boolean;
  libraryName: string;
  files: DownloadedFile[];
  import: ImportOutcome | null;
}

/** The library name of the sample data set that ships with the app (resources/datasets/mnist). */
export const SAMPLE_DATASET_NAME = 'mnist-sample';

/** The bundled sample data set: where it is in the library, and whether this call added it. */
export interface SampleOutcome {
  name: string;
  added: boolean;
  description: string;
}
