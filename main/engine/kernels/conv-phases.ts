// The input gradient of a strided convolution split into stride² stride-1 convolutions
// (sub-pixel / polyphase form), so no zero-dilated copy of dy is ever convolved.
//
// Along one axis, with forward y[o] = Σ_a x[o·s + a − top]·w[a] (a = 0..k−1), the gradient
//   dx[i] = Σ_{o,a : o·s + a − top = i} dy[o]·w[a]
// splits by the phase r = i mod s: only taps a ≡ r + top (mod s) reach phase r. With
// a = a0 + s·b and i = s·q + r this is a stride-1 correlation of dy with the flipped
// sub-kernel w'[j] = w[a0 + s·(taps−1−j)]:
//   dx[s·q + r] = Σ_j dyPadded[q + j]·w'[j],   dy padded by padBefore/padAfter (may be < 0: crop)
// Pure arithmetic, shared by the wasm kernel and its tests.

export interface AxisPhase {
  /** Output phase r (dx positions r, r+s, r+2s, …). */
  phase: number;
  /** First kernel tap of this phase. */
  firstTap: number;
  /** Number of taps (0: this phase of dx is all zeros). */
  taps: number;
  /** Zero rows before dy (negative: rows of dy to drop). */
  padBefore: number;
  padAfter: number;
}

/**
 * Phases along one axis. inSize: the forward input length (dx length); outSize: dy length;
 * every phase produces ceil(inSize / stride) values (the last may run past inSize: cropped).
 */
export function axisPhases(inSize: number, outSize: number, kernel: number, stride: number, padTop: number): AxisPhase[] {
  const q = Math.ceil(inSize / stride);
  const phases: AxisPhase[] = [];
  for (let r = 0; r < stride; r++) {
    const firstTap = (((r + padTop) % stride) + stride) % stride;
    const taps = firstTap < kernel ? Math.ceil((kernel - firstTap) / stride) : 0;
    const shift = (r + padTop - firstTap) / stride; // dy index of tap b=0 for q=0
    const padBefore = taps - 1 - shift;
    const padAfter = q + taps - 1 - padBefore - outSize;
    phases.push({ phase: r, firstTap, taps, padBefore, padAfter });
  }
  return phases;
}

/** Length of every phase's output along an axis. */
export function phaseLength(inSize: number, stride: number): number {
  return Math.ceil(inSize / stride);
}

/**
 * The stride-1 filter of one (row, column) phase, laid out for a forward conv of dy:
 * out[jy, jx, o, i] = w[fy + s·(ty−1−jy), fx + s·(tx−1−jx), i, o]  (flipped, channels swapped).
 * w is [kh, kw, cin, cout] row-major.
 */
export function phaseFilter(
  w: Float32Array, kw: number, cin: number, cout: number,
  py: AxisPhase, px: AxisPhase, stride: [number, number], out: Float32Array,
): void {
  const ty = py.taps;
  const tx = px.taps;
  for (let jy = 0; jy < ty; jy++) {
    const a = py.firstTap + stride[0] * (ty - 1 - jy);
    for (let jx = 0; jx < tx; jx++) {
      const b = px.firstTap + stride[1] * (tx - 1 - jx);
      const src = (a * kw + b) * cin * cout;
      const dst = (jy * tx + jx) * cout * cin;
      for (let i = 0; i < cin; i++) {
        const si = src + i * cout;
        for (let o = 0; o < cout; o++) out[dst + o * cin + i] = w[si + o];
      }
    }
  }
}
