// Cosine learning-rate schedule, stepped per iteration: lr_t = lr0 · ½(1 + cos(π t / T)).
export function cosineLr(lr0: number, step: number, totalSteps: number): number {
  if (totalSteps <= 0) return lr0;
  const t = Math.min(Math.max(step, 0), totalSteps);
  return 0.5 * lr0 * (1 + Math.cos((Math.PI * t) / totalSteps));
}
