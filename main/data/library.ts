// The dataset library, as the CLI, the UI and the experiment store use it: import local data
// once (any supported format), list, describe, remove, open for training, show samples.
export { importDataset, resolveImportOptions, type ImportHooks, type ImportResult } from './library/import-dataset';
export type { ImportOptions } from './library/import-context';
export { listDatasets, getDataset, findDataset, removeDataset } from './library/catalog';
export { openLibraryDataset, type OpenOptions } from './library/open';
export { datasetSamples, type DatasetSamples, type ClassSamples, type SampleImage, type SampleOptions } from './library/samples';
export { verifyDataset, type VerifyResult } from './library/verify';
export { removeLeftovers as cleanLibrary } from './library/layout';
export { ensureSampleDataset, samplePath, SAMPLE_DATASET, type SampleResult } from './sample';
export type { ImportPhase, ProgressCallback } from './library/progress';
export { SOURCE_FORMATS, type DatasetRecord, type SourceFormat, type SplitRecord, type ResizeFit } from './library/record';
