// Comparing tensors and arrays in tests.
import assert from 'node:assert/strict';

/** max|a − b| ≤ tol · max|b| (relative to the reference's scale). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  let maxDiff = 0;
  let scale = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (d > maxDiff) {
      maxDiff = d;
      at = i;
    }
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  assert.ok(
    maxDiff <= tol * Math.max(scale, 1e-30),
    `${what}: max |diff| ${maxDiff.toExponential(3)} at ${at} (actual ${actual[at]}, expected ${expected[at]}) exceeds ${tol} × scale ${scale.toExponential(3)}`,
  );
}

export function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= atol, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (atol ${atol})`);
  }
}
