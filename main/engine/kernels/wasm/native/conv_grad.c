// The convolution filter gradient, and its tasks for the native threads (pool.ts).
#include "common.h"

// ---- convolution filter gradient ---------------------------------------------------------
//   dW[a, b, i, o] = Σ_{n, y, x} X[n, y·sh + a − pt, x·sw + b − pl, i] · dY[n, y, x, o]
// X [N, H, W, Ci], dY [N, OH, OW, Co], dW [kh, kw, Ci, Co]; X outside the image counts as 0.
// Images n0 ≤ n < n1 are accumulated into dW (which the caller zeroes). One image's X and dY
// stay in cache while every tap and 4×16 register tile of dW passes over them.

// Valid output range [lo, hi) along one axis for tap t: 0 ≤ o·s + t − p < in.
static inline void tap_range(int t, int s, int p, int in, int out, int* lo, int* hi) {
  int l = p - t > 0 ? (p - t + s - 1) / s : 0;
  int h = (in - 1 + p - t) >= 0 ? (in - 1 + p - t) / s + 1 : 0;
  if (h > out) h = out;
  *lo = l;
  *hi = h < l ? l : h;
}

static void dw_tile4x16(const f32* xi, const f32* gi, int ylo, int yhi, int xlo, int xhi, int row_x, int px_x, int row_g, int co,
                        f32* dst) {
  v4 c00 = ld(dst), c01 = ld(dst + 4), c02 = ld(dst + 8), c03 = ld(dst + 12);
  v4 c10 = ld(dst + co), c11 = ld(dst + co + 4), c12 = ld(dst + co + 8), c13 = ld(dst + co + 12);
  v4 c20 = ld(dst + 2 * co), c21 = ld(dst + 2 * co + 4), c22 = ld(dst + 2 * co + 8), c23 = ld(dst + 2 * co + 12);
  v4 c30 = ld(dst + 3 * co), c31 = ld(dst + 3 * co + 4), c32 = ld(dst + 3 * co + 8), c33 = ld(dst + 3 * co + 12);
  for (int y = ylo; y < yhi; y++) {
    const f32* xp = xi + (long)y * row_x + (long)xlo * px_x;
    const f32* gp = gi + (long)y * row_g + (long)xlo * co;
    for (int x = xlo; x < xhi; x++, xp += px_x, gp += co) {
      v4 a = ld(xp);
      v4 g0 = ld(gp), g1 = ld(gp + 4), g2 = ld(gp + 8), g3 = ld(gp + 12);
      v4 x0 = wasm_i32x4_shuffle(a, a, 0, 0, 0, 0), x1 = wasm_i32x4_shuffle(a, a, 1, 1, 1, 1);
      v4 x2 = wasm_i32x4_shuffle(a, a, 2, 2, 2, 2), x3 = wasm_i32x4_shuffle(a, a, 3, 3, 3, 3);
      c00 = add(c00, mul(x0, g0)); c01 = add(c01, mul(x0, g1)); c02 = add(c02, mul(x0, g2)); c03 = add(c03, mul(x0, g3));
      c10 = add(c10, mul(x1, g0)); c11 = add(c11, mul(x1, g1)); c12 = add(c12, mul(x1, g2)); c13 = add(c13, mul(x1, g3));
      c20 = add(c20, mul(x2, g0)); c21 = add(c21, mul(x2, g1)); c22 = add(c22, mul(x2, g2)); c23 = add(c23, mul(x2, g3));
      c30 = add(c30, mul(x3, g0)); c31 = add(c31, mul(x3, g1)); c32 = add(c32, mul(x3, g2)); c33 = add(c33, mul(x3, g3));
    }
  }
  st(dst, c00); st(dst + 4, c01); st(dst + 8, c02); st(dst + 12, c03);
  st(dst + co, c10); st(dst + co + 4, c11); st(dst + co + 8, c12); st(dst + co + 12, c13);
  st(dst + 2 * co, c20); st(dst + 2 * co + 4, c21); st(dst + 2 * co + 8, c22); st(dst + 2 * co + 12, c23);
  st(dst + 3 * co, c30); st(dst + 3 * co + 4, c31); st(dst + 3 * co + 8, c32); st(dst + 3 * co + 12, c33);
}

// Any tile (ni ≤ 4 input channels × no output channels): scalar, for the edges (the stem's 1 or 3 channels).
static void dw_tile_any(const f32* xi, const f32* gi, int ylo, int yhi, int xlo, int xhi, int row_x, int px_x, int row_g, int co,
                        int ni, int no, f32* dst) {
  for (int y = ylo; y < yhi; y++) {
    const f32* xp = xi + (long)y * row_x + (long)xlo * px_x;
    const f32* gp = gi + (long)y * row_g + (long)xlo * co;
    for (int x = xlo; x < xhi; x++, xp += px_x, gp += co) {
      for (int r = 0; r < ni; r++) {
        f32 xv = xp[r];
        f32* d = dst + (long)r * co;
        int c = 0;
        for (; c + 4 <= no; c += 4) st(d + c, add(ld(d + c), mul(splat(xv), ld(gp + c))));
        for (; c < no; c++) d[c] += xv * gp[c];
      }
    }
  }
}

EXPORT(conv_filter_grad)
void conv_filter_grad(const f32* x, const f32* dy, f32* dw, int n0, int n1, int h, int w, int ci, int oh, int ow, int co,
                      int kh, int kw, int sh, int sw, int pt, int pl) {
  const int row_x = sh * w * ci; // X step for one output row
  const int px_x = sw * ci;      // X step for one output column
  const int row_g = ow * co;
  for (int n = n0; n < n1; n++) {
    const f32* xn = x + (long)n * h * w * ci;
    const f32* gn = dy + (long)n * oh * ow * co;
    for (int a = 0; a < kh; a++) {
      int ylo, yhi;
      tap_range(a, sh, pt, h, oh, &ylo, &yhi);
      if (ylo >= yhi) continue;
      for (int b = 0; b < kw; b++) {
        int xlo, xhi;
        tap_range(b, sw, pl, w, ow, &xlo, &xhi);
        if (xlo >= xhi) continue;
        // X at output (0, 0) for this tap (may point before the image: only valid ranges are read)
        const f32* xt = xn + ((long)(a - pt) * w + (b - pl)) * ci;
        f32* dtap = dw + (long)(a * kw + b) * ci * co;
        for (int i0 = 0; i0 < ci; i0 += 4) {
          int ni = ci - i0 < 4 ? ci - i0 : 4;
          for (int o0 = 0; o0 < co; o0 += 16) {
            int no = co - o0 < 16 ? co - o0 : 16;
            f32* dst = dtap + (long)i0 * co + o0;
            if (ni == 4 && no == 16) dw_tile4x16(xt + i0, gn + o0, ylo, yhi, xlo, xhi, row_x, px_x, row_g, co, dst);
            else dw_tile_any(xt + i0, gn + o0, ylo, yhi, xlo, xhi, row_x, px_x, row_g, co, ni, no, dst);
          }
        }
      }
    }
  }
}


// ---- parallel pieces (run by pool.ts on every thread; results independent of the count) ----

// One task of the filter gradient: images [task·chunk, min(n, task·chunk + chunk)) into its
// own partial dW (zeroed here); sum_partials adds the partials in task order afterwards.
EXPORT(conv_filter_grad_task)
void conv_filter_grad_task(int task, int chunk, const f32* x, const f32* dy, f32* partials, int n, int h, int w, int ci, int oh, int ow,
                           int co, int kh, int kw, int sh, int sw, int pt, int pl) {
  const long size = (long)kh * kw * ci * co;
  f32* out = partials + (long)task * size;
  long i = 0;
  for (; i + 4 <= size; i += 4) st(out + i, splat(0));
  for (; i < size; i++) out[i] = 0;
  int n0 = task * chunk;
  int n1 = n0 + chunk < n ? n0 + chunk : n;
  if (n0 < n1) conv_filter_grad(x, dy, out, n0, n1, h, w, ci, oh, ow, co, kh, kw, sh, sw, pt, pl);
}

// out = Σ_t partials[t] (t in order), over `size` floats; task t of `tasks` does its slice.
EXPORT(sum_partials_task)
void sum_partials_task(int task, int tasks, const f32* partials, int parts, int size, f32* out) {
  long per = ((long)size + tasks - 1) / tasks;
  per = (per + 3) & ~3L;
  long lo = (long)task * per;
  long hi = lo + per < size ? lo + per : size;
  long i = lo;
  for (; i + 4 <= hi; i += 4) {
    v4 s = ld(partials + i);
    for (int p = 1; p < parts; p++) s = add(s, ld(partials + (long)p * size + i));
    st(out + i, s);
  }
  for (; i < hi; i++) {
    f32 s = partials[i];
    for (int p = 1; p < parts; p++) s += partials[(long)p * size + i];
    out[i] = s;
  }
}

