// tf.variable names must be unique per process; models are created many times (tests,
// repeated runs), so every name gets a counter suffix. The input tensor is consumed.
import * as tf from '@tensorflow/tfjs-core';

let counter = 0;

export function makeVariable(name: string, value: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(value, trainable, `${name}#${++counter}`);
  value.dispose();
  return v;
}

/** The readable part of a variable's name (before the counter). */
export function baseName(v: tf.Variable): string {
  const i = v.name.lastIndexOf('#');
  return i < 0 ? v.name : v.name.slice(0, i);
}
