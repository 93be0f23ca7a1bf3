// Gradients the engine registers in place of tfjs's own (the registry is global, so these
// hold for every backend). Same math; they avoid host work inside a step.
import { broadcastTo, div, Mean, registerGradient, reshape, Sum, util, type GradConfig, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';

/**
 * Mean: tfjs multiplies dy by ones(x.shape) built on the host, an x-sized upload every step
 * (the global average pool's is 64·8·8·64 floats). Broadcasting dy/size on the device is the
 * same value.
 */
export const meanGradient: GradConfig = {
  kernelName: Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { kept, size } = reduced(x, attrs);
    return { x: () => broadcastTo(div(reshape(dy as Tensor, kept), size), x.shape) };
  },
};

/** Sum: the same host-made ones(x.shape) as Mean; dy broadcast on the device instead. */
export const sumGradient: GradConfig = {
  kernelName: Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { kept } = reduced(x, attrs);
    return { x: () => broadcastTo(reshape(dy as Tensor, kept), x.shape) };
  },
};

/** dy's shape with the reduced axes kept as 1, and how many values each output summed. */
function reduced(x: Tensor, attrs: NamedAttrMap): { kept: number[]; size: number } {
  const axes = util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
  const kept = x.shape.slice();
  for (const ax of axes) kept[ax] = 1;
  return { kept, size: axes.reduce((a, ax) => a * x.shape[ax], 1) };
}

let registered = false;

export function registerEngineGradients(): void {
  if (registered) return;
  registerGradient(meanGradient);
  registerGradient(sumGradient);
  registered = true;
}
