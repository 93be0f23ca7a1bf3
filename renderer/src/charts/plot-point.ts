// A point of the Pareto plot: a finished run by parameters and top-1, on the front or not.
export interface PlotPoint {
  runId: number;
  params: number;
  /** 0…1 */
  top1: number;
  onFront: boolean;
  /** One colour and one front per group (a dataset); absent: one group. */
  group?: string;
  /** The all-3×3 reference network, drawn as a diamond. */
  baseline?: boolean;
}
