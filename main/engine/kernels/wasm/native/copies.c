// Data movement: the 1×1 strided pool gradient, slices and tiles.
#include "common.h"

// ---- 1×1 strided average pooling's gradient (the option-A shortcut's subsampling) ----------
// dx [N, H, W, C] is zero except dx[n, y·sh, x·sw, :] = dy[n, y, x, :] (dy [N, OH, OW, C]).
EXPORT(subsample_grad)
void subsample_grad(const f32* dy, f32* dx, int n, int h, int w, int c, int oh, int ow, int sh, int sw) {
  const long total = (long)n * h * w * c;
  long i = 0;
  for (; i + 4 <= total; i += 4) st(dx + i, splat(0));
  for (; i < total; i++) dx[i] = 0;
  for (int b = 0; b < n; b++) {
    for (int y = 0; y < oh; y++) {
      const f32* src = dy + (((long)b * oh + y) * ow) * c;
      f32* dst = dx + (((long)b * h + (long)y * sh) * w) * c;
      for (int x = 0; x < ow; x++) {
        const f32* s = src + (long)x * c;
        f32* d = dst + (long)x * sw * c;
        int j = 0;
        for (; j + 4 <= c; j += 4) st(d + j, ld(s + j));
        for (; j < c; j++) d[j] = s[j];
      }
    }
  }
}


// ---- slicing (Slice, SplitV, Unpack): a 4-D box of src [d0, d1, d2, d3] into a contiguous dst --
EXPORT(slice4)
void slice4(const f32* src, f32* dst, int d1, int d2, int d3, int b0, int b1, int b2, int b3, int s0, int s1, int s2, int s3) {
  for (int i = 0; i < s0; i++) {
    for (int j = 0; j < s1; j++) {
      for (int k = 0; k < s2; k++) {
        const f32* s = src + ((((long)(b0 + i) * d1 + (b1 + j)) * d2 + (b2 + k)) * d3 + b3);
        int l = 0;
        for (; l + 4 <= s3; l += 4) st(dst + l, ld(s + l));
        for (; l < s3; l++) dst[l] = s[l];
        dst += s3;
      }
    }
  }
}

// ---- Tile (broadcastTo): out [s0·r0, s1·r1, s2·r2, s3·r3], out[i,j,k,l] = src[i%s0, j%s1, k%s2, l%s3] --
EXPORT(tile4)
void tile4(const f32* src, f32* dst, int s0, int s1, int s2, int s3, int r0, int r1, int r2, int r3) {
  const int o0 = s0 * r0, o1 = s1 * r1, o2 = s2 * r2;
  for (int i = 0; i < o0; i++) {
    for (int j = 0; j < o1; j++) {
      for (int k = 0; k < o2; k++) {
        const f32* row = src + ((((long)(i % s0) * s1 + (j % s1)) * s2 + (k % s2)) * s3);
        for (int r = 0; r < r3; r++) {
          int l = 0;
          for (; l + 4 <= s3; l += 4) st(dst + l, ld(row + l));
          for (; l < s3; l++) dst[l] = row[l];
          dst += s3;
        }
      }
    }
  }
}

// ---- the option-A shortcut: subsample by the stride, zero-pad the channels ------------------
// y[n, oy, ox, before + c] = x[n, oy·s, ox·s, c] (c < ci), y zero on the other co − ci channels.
EXPORT(shortcut_a)
void shortcut_a(const f32* x, f32* y, int n, int h, int w, int ci, int oh, int ow, int co, int s, int before) {
  for (int b = 0; b < n; b++) {
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        const f32* src = x + (((long)b * h + (long)oy * s) * w + (long)ox * s) * ci;
        f32* dst = y + (((long)b * oh + oy) * ow + ox) * co;
        int j = 0;
        for (; j < before; j++) dst[j] = 0;
        int c = 0;
        for (; c + 4 <= ci; c += 4) st(dst + before + c, ld(src + c));
        for (; c < ci; c++) dst[before + c] = src[c];
        for (j = before + ci; j < co; j++) dst[j] = 0;
      }
    }
  }
}

// Its gradient: dx[n, oy·s, ox·s, c] = dy[n, oy, ox, before + c], dx zero elsewhere.
EXPORT(shortcut_a_grad)
void shortcut_a_grad(const f32* dy, f32* dx, int n, int h, int w, int ci, int oh, int ow, int co, int s, int before) {
  const long total = (long)n * h * w * ci;
  long i = 0;
  for (; i + 4 <= total; i += 4) st(dx + i, splat(0));
  for (; i < total; i++) dx[i] = 0;
  for (int b = 0; b < n; b++) {
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        const f32* src = dy + (((long)b * oh + oy) * ow + ox) * co + before;
        f32* dst = dx + (((long)b * h + (long)oy * s) * w + (long)ox * s) * ci;
        int c = 0;
        for (; c + 4 <= ci; c += 4) st(dst + c, ld(src + c));
        for (; c < ci; c++) dst[c] = src[c];
      }
    }
  }
}

// ---- per-tap scaling (the Gaussian mask on a predicted kernel) --------------------------------
// y[t, k] = w[t, k]·m[t] for taps t < taps, k < n.
EXPORT(scale_rows)
void scale_rows(const f32* w, const f32* m, int taps, int n, f32* y) {
  for (int t = 0; t < taps; t++) {
    const f32* src = w + (long)t * n;
    f32* dst = y + (long)t * n;
    v4 s = splat(m[t]);
    int k = 0;
    for (; k + 4 <= n; k += 4) st(dst + k, mul(ld(src + k), s));
    for (; k < n; k++) dst[k] = src[k] * m[t];
  }
}

// Its gradient: dw[t, k] = dy[t, k]·m[t], and sums[t] = Σ_k dy[t, k]·w[t, k] (for ∂/∂m[t]).
EXPORT(scale_rows_grad)
void scale_rows_grad(const f32* dy, const f32* w, const f32* m, int taps, int n, f32* dw, f32* sums) {
  for (int t = 0; t < taps; t++) {
    const f32* g = dy + (long)t * n;
    const f32* src = w + (long)t * n;
    f32* dst = dw + (long)t * n;
    v4 s = splat(m[t]);
    v4 acc = splat(0);
    int k = 0;
    for (; k + 4 <= n; k += 4) {
      v4 gk = ld(g + k);
      st(dst + k, mul(gk, s));
      acc = madd(gk, ld(src + k), acc);
    }
    f32 tail = 0;
    for (; k < n; k++) {
      dst[k] = g[k] * m[t];
      tail += g[k] * src[k];
    }
    sums[t] = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) + wasm_f32x4_extract_lane(acc, 2) +
              wasm_f32x4_extract_lane(acc, 3) + tail;
  }
}
