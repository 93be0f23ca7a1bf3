// Convolution of any kernel size with METHOD.md's 'same' rule: pad (s-1)//2 before and s//2
// after, whatever the stride (so even sizes pad one more row/column after than before).
import * as tf from '@tensorflow/tfjs-core';

export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

export function samePadding(kh: number, kw: number): ExplicitPad {
  return [
    [0, 0],
    [(kh - 1) >> 1, kh >> 1],
    [(kw - 1) >> 1, kw >> 1],
    [0, 0],
  ];
}

/** Output length of one spatial axis under samePadding. */
export function sameOutputSize(inSize: number, kernel: number, stride: number): number {
  return Math.floor((inSize + kernel - 1 - kernel) / stride) + 1;
}

/** x: [N,H,W,Cin], w: [kh,kw,Cin,Cout] (tfjs filter layout). */
export function conv2dSame(x: tf.Tensor4D, w: tf.Tensor4D, stride: number): tf.Tensor4D {
  const [kh, kw] = w.shape;
  if (kh === 1 && kw === 1) return tf.conv2d(x, w, stride, 'valid');
  return tf.conv2d(x, w, stride, samePadding(kh, kw));
}
