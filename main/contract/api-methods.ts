// The API's method names on their own (no zod), for the sandboxed preload, which may
// require nothing but electron, to check channel names.
export const API_METHOD_NAMES = [
  'appInfo', 'doctor', 'listDatasets', 'getDataset', 'datasetSamples', 'importDataset', 'downloadableDatasets', 'downloadDataset',
  'addSampleDataset', 'verifyDataset', 'cancelTask', 'removeDataset', 'budgetRange', 'validateConfig', 'estimateRun', 'estimateSweep',
  'listRuns', 'listExperiments', 'getRun', 'runMetrics', 'runSizes', 'runKernels', 'pareto',
  'startRun', 'retrainRun', 'pauseRun', 'resumeRun', 'cancelRun', 'deleteRun', 'deleteExperiment', 'exportRun', 'metricsCsv',
  'planSweep', 'startSweep', 'listSweeps', 'getSweep', 'pauseSweep', 'resumeSweep', 'cancelSweep', 'deleteSweep', 'exportSweep',
  'listWorkers', 'queueSettings', 'setQueue',
] as const;

export type ApiMethodName = (typeof API_METHOD_NAMES)[number];

export function isApiMethod(name: unknown): name is ApiMethodName {
  return typeof name === 'string' && (API_METHOD_NAMES as readonly string[]).includes(name);
}

/** The reply envelope every transport uses, so error codes survive the crossing. */
export type CallReply = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; detail: string } };

export const IPC_CALL = 'effconv:call';
export const IPC_EVENT = 'effconv:event';
