// SIMD kernels for the tfjs wasm backend, compiled to a small module that imports the
// backend's own memory: every pointer is an address in tfjs's heap, so no data is copied.
// The module has no data segment and only ever uses the stack region the loader gives it
// (__stack_pointer is set from JS), so it cannot write anywhere it was not pointed to.
// Build: node scripts/build-wasm-kernels.js (clang ≥ 14 with lld).
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
typedef float f32;
typedef v128_t v4;

static inline v4 ld(const f32* p) { return wasm_v128_load(p); }
static inline void st(f32* p, v4 v) { wasm_v128_store(p, v); }
static inline v4 splat(f32 x) { return wasm_f32x4_splat(x); }
static inline v4 add(v4 a, v4 b) { return wasm_f32x4_add(a, b); }
static inline v4 sub(v4 a, v4 b) { return wasm_f32x4_sub(a, b); }
static inline v4 mul(v4 a, v4 b) { return wasm_f32x4_mul(a, b); }

// ---- per-channel sums over the rows of [rows, c] (channels last) ----------------------
// Rows are summed in float blocks of BLOCK rows, blocks in double: accurate for any N·H·W.
#define BLOCK 32

// acc[j] = Σ_r (x[r,j] − centre[j])^power (power 1 or 2; centre may be 0), part: f32 scratch [c].
static void channel_sums(const f32* x, int rows, int c, const f32* centre, int power, f32* part, double* acc) {
  for (int j = 0; j < c; j++) acc[j] = 0.0;
  for (int r0 = 0; r0 < rows; r0 += BLOCK) {
    int r1 = r0 + BLOCK < rows ? r0 + BLOCK : rows;
    for (int j = 0; j < c; j++) part[j] = 0.0f;
    for (int r = r0; r < r1; r++) {
      const f32* row = x + (long)r * c;
      int j = 0;
      for (; j + 4 <= c; j += 4) {
        v4 d = centre ? sub(ld(row + j), ld(centre + j)) : ld(row + j);
        if (power == 2) d = mul(d, d);
        st(part + j, add(ld(part + j), d));
      }
      for (; j < c; j++) {
        f32 d = centre ? row[j] - centre[j] : row[j];
        part[j] += power == 2 ? d * d : d;
      }
    }
    for (int j = 0; j < c; j++) acc[j] += part[j];
  }
}

// Batch-norm statistics and output: mean, biased variance, 1/√(var+eps), y = x̂·γ + β.
// scratch: 2c floats; acc: c doubles.
EXPORT(bn_forward)
void bn_forward(const f32* x, int rows, int c, const f32* gamma, const f32* beta, f32 eps,
                f32* y, f32* mean, f32* var, f32* invstd, f32* scratch, double* acc) {
  channel_sums(x, rows, c, 0, 1, scratch, acc);
  for (int j = 0; j < c; j++) mean[j] = (f32)(acc[j] / rows);
  channel_sums(x, rows, c, mean, 2, scratch, acc);
  f32* scale = scratch;
  f32* shift = scratch + c;
  for (int j = 0; j < c; j++) {
    var[j] = (f32)(acc[j] / rows);
    invstd[j] = 1.0f / __builtin_sqrtf(var[j] + eps);
    scale[j] = invstd[j] * gamma[j];
    shift[j] = beta[j] - mean[j] * scale[j];
  }
  for (int r = 0; r < rows; r++) {
    const f32* xr = x + (long)r * c;
    f32* yr = y + (long)r * c;
    int j = 0;
    for (; j + 4 <= c; j += 4) st(yr + j, add(mul(ld(xr + j), ld(scale + j)), ld(shift + j)));
    for (; j < c; j++) yr[j] = xr[j] * scale[j] + shift[j];
  }
}

// Batch-norm backward with x̂ = (x − mean)·invstd:
//   dβ = Σdy, dγ = Σdy·x̂, dx = γ·invstd/N · (N·dy − dβ − x̂·dγ) = A·dy + B·x + C per channel.
// scratch: 3c floats; acc: 2c doubles.
EXPORT(bn_backward)
void bn_backward(const f32* x, const f32* dy, int rows, int c, const f32* mean, const f32* invstd, const f32* gamma,
                 f32* dx, f32* dgamma, f32* dbeta, f32* scratch, double* acc) {
  double* sdy = acc;
  double* sdyx = acc + c; // Σ dy·(x − mean)
  for (int j = 0; j < c; j++) sdy[j] = sdyx[j] = 0.0;
  f32* p1 = scratch;
  f32* p2 = scratch + c;
  for (int r0 = 0; r0 < rows; r0 += BLOCK) {
    int r1 = r0 + BLOCK < rows ? r0 + BLOCK : rows;
    for (int j = 0; j < c; j++) p1[j] = p2[j] = 0.0f;
    for (int r = r0; r < r1; r++) {
      const f32* xr = x + (long)r * c;
      const f32* gr = dy + (long)r * c;
      int j = 0;
      for (; j + 4 <= c; j += 4) {
        v4 g = ld(gr + j);
        st(p1 + j, add(ld(p1 + j), g));
        st(p2 + j, add(ld(p2 + j), mul(g, sub(ld(xr + j), ld(mean + j)))));
      }
      for (; j < c; j++) {
        p1[j] += gr[j];
        p2[j] += gr[j] * (xr[j] - mean[j]);
      }
    }
    for (int j = 0; j < c; j++) {
      sdy[j] += p1[j];
      sdyx[j] += p2[j];
    }
  }
  f32* A = scratch;
  f32* B = scratch + c;
  f32* C = scratch + 2 * c;
  for (int j = 0; j < c; j++) {
    f32 db = (f32)sdy[j];
    f32 dg = (f32)(sdyx[j] * invstd[j]);
    dbeta[j] = db;
    dgamma[j] = dg;
    f32 k = gamma[j] * invstd[j] / (f32)rows;
    A[j] = k * (f32)rows;
    B[j] = -k * invstd[j] * dg;
    C[j] = k * (mean[j] * invstd[j] * dg - db);
  }
  for (int r = 0; r < rows; r++) {
    const f32* xr = x + (long)r * c;
    const f32* gr = dy + (long)r * c;
    f32* o = dx + (long)r * c;
    int j = 0;
    for (; j + 4 <= c; j += 4) st(o + j, add(add(mul(ld(A + j), ld(gr + j)), mul(ld(B + j), ld(xr + j))), ld(C + j)));
    for (; j < c; j++) o[j] = A[j] * gr[j] + B[j] * xr[j] + C[j];
  }
}

// ---- optimizers: one pass over a parameter, its gradient and its slots ------------------

// AdamW, PyTorch's order: p ← p·decay − lr·(m/c1)/(√(v/c2) + eps), decay = 1 − lr·wd.
EXPORT(adamw)
void adamw(const f32* p, const f32* g, const f32* m, const f32* v, int n, f32 lr, f32 decay, f32 b1, f32 one_b1,
           f32 b2, f32 one_b2, f32 eps, f32 c1, f32 c2, f32* po, f32* mo, f32* vo) {
  v4 vb1 = splat(b1), vob1 = splat(one_b1), vb2 = splat(b2), vob2 = splat(one_b2), veps = splat(eps);
  v4 vc1 = splat(c1), vc2 = splat(c2), vlr = splat(lr), vdecay = splat(decay);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v4 gi = ld(g + i);
    v4 mi = add(mul(ld(m + i), vb1), mul(gi, vob1));
    v4 vi = add(mul(ld(v + i), vb2), mul(mul(gi, gi), vob2));
    st(mo + i, mi);
    st(vo + i, vi);
    v4 denom = add(wasm_f32x4_sqrt(wasm_f32x4_div(vi, vc2)), veps);
    v4 upd = wasm_f32x4_div(wasm_f32x4_div(mi, vc1), denom);
    st(po + i, sub(mul(ld(p + i), vdecay), mul(upd, vlr)));
  }
  for (; i < n; i++) {
    f32 gi = g[i];
    f32 mi = m[i] * b1 + gi * one_b1;
    f32 vi = v[i] * b2 + gi * gi * one_b2;
    mo[i] = mi;
    vo[i] = vi;
    f32 upd = (mi / c1) / (__builtin_sqrtf(vi / c2) + eps);
    po[i] = p[i] * decay - upd * lr;
  }
}

// SGD with momentum and L2 decay, PyTorch's form: g ← g + wd·p; buf ← μ·buf + g;
// d = nesterov ? g + μ·buf : buf; p ← p − lr·d.
EXPORT(sgd)
void sgd(const f32* p, const f32* g, const f32* buf, int n, f32 lr, f32 mu, f32 wd, int nesterov, f32* po, f32* bo) {
  v4 vlr = splat(lr), vmu = splat(mu), vwd = splat(wd);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v4 pi = ld(p + i);
    v4 gi = add(ld(g + i), mul(pi, vwd));
    v4 b = add(mul(ld(buf + i), vmu), gi);
    st(bo + i, b);
    v4 d = nesterov ? add(gi, mul(b, vmu)) : b;
    st(po + i, sub(pi, mul(d, vlr)));
  }
  for (; i < n; i++) {
    f32 gi = g[i] + p[i] * wd;
    f32 b = buf[i] * mu + gi;
    bo[i] = b;
    f32 d = nesterov ? gi + b * mu : b;
    po[i] = p[i] - d * lr;
  }
}

// ---- small batched matrix products (the GRUs, the predictors' heads) --------------------

// out[m,n] = A·B with A(i,k) = a[i·si + k·sk] and B row-major [k, n]; 4×16 register tiles.
static void gemm(const f32* a, int si, int sk, const f32* b, f32* out, int m, int k, int n) {
  int i = 0;
  for (; i + 4 <= m; i += 4) {
    const f32* a0 = a + (long)i * si;
    const f32* a1 = a0 + si;
    const f32* a2 = a1 + si;
    const f32* a3 = a2 + si;
    int j = 0;
    for (; j + 16 <= n; j += 16) {
      v4 c00 = splat(0), c01 = splat(0), c02 = splat(0), c03 = splat(0);
      v4 c10 = splat(0), c11 = splat(0), c12 = splat(0), c13 = splat(0);
      v4 c20 = splat(0), c21 = splat(0), c22 = splat(0), c23 = splat(0);
      v4 c30 = splat(0), c31 = splat(0), c32 = splat(0), c33 = splat(0);
      for (int t = 0; t < k; t++) {
        const f32* br = b + (long)t * n + j;
        v4 b0 = ld(br), b1 = ld(br + 4), b2 = ld(br + 8), b3 = ld(br + 12);
        v4 x0 = splat(a0[t * sk]), x1 = splat(a1[t * sk]), x2 = splat(a2[t * sk]), x3 = splat(a3[t * sk]);
        c00 = add(c00, mul(x0, b0)); c01 = add(c01, mul(x0, b1)); c02 = add(c02, mul(x0, b2)); c03 = add(c03, mul(x0, b3));
        c10 = add(c10, mul(x1, b0)); c11 = add(c11, mul(x1, b1)); c12 = add(c12, mul(x1, b2)); c13 = add(c13, mul(x1, b3));
        c20 = add(c20, mul(x2, b0)); c21 = add(c21, mul(x2, b1)); c22 = add(c22, mul(x2, b2)); c23 = add(c23, mul(x2, b3));
        c30 = add(c30, mul(x3, b0)); c31 = add(c31, mul(x3, b1)); c32 = add(c32, mul(x3, b2)); c33 = add(c33, mul(x3, b3));
      }
      f32* o = out + (long)i * n + j;
      st(o, c00); st(o + 4, c01); st(o + 8, c02); st(o + 12, c03); o += n;
      st(o, c10); st(o + 4, c11); st(o + 8, c12); st(o + 12, c13); o += n;
      st(o, c20); st(o + 4, c21); st(o + 8, c22); st(o + 12, c23); o += n;
      st(o, c30); st(o + 4, c31); st(o + 8, c32); st(o + 12, c33);
    }
    for (; j < n; j++) {
      f32 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (int t = 0; t < k; t++) {
        f32 bv = b[(long)t * n + j];
        s0 += a0[t * sk] * bv; s1 += a1[t * sk] * bv; s2 += a2[t * sk] * bv; s3 += a3[t * sk] * bv;
      }
      out[(long)i * n + j] = s0; out[(long)(i + 1) * n + j] = s1; out[(long)(i + 2) * n + j] = s2; out[(long)(i + 3) * n + j] = s3;
    }
  }
  for (; i < m; i++) {
    const f32* ai = a + (long)i * si;
    f32* o = out + (long)i * n;
    int j = 0;
    for (; j + 4 <= n; j += 4) {
      v4 acc = splat(0);
      for (int t = 0; t < k; t++) acc = add(acc, mul(splat(ai[t * sk]), ld(b + (long)t * n + j)));
      st(o + j, acc);
    }
    for (; j < n; j++) {
      f32 s = 0;
      for (int t = 0; t < k; t++) s += ai[t * sk] * b[(long)t * n + j];
      o[j] = s;
    }
  }
}

// out[q] = op(A[q])·op(B[q]) for q < batch; A or B with batch 1 is shared by every q.
// a: [batchA, m, k] (or [batchA, k, m] when ta), b: [batchB, k, n] (or [batchB, n, k] when tb).
// bt: scratch of k·n floats, used when tb (B is transposed into it first).
EXPORT(batch_matmul)
void batch_matmul(const f32* a, const f32* b, f32* out, int batch, int batch_a, int batch_b, int m, int k, int n,
                  int ta, int tb, f32* bt) {
  for (int q = 0; q < batch; q++) {
    const f32* aq = a + (long)(batch_a == 1 ? 0 : q) * m * k;
    const f32* bq = b + (long)(batch_b == 1 ? 0 : q) * k * n;
    if (tb) {
      if (q == 0 || batch_b != 1) {
        for (int j = 0; j < n; j++) {
          const f32* row = bq + (long)j * k;
          for (int t = 0; t < k; t++) bt[(long)t * n + j] = row[t];
        }
      }
      bq = bt;
    }
    gemm(aq, ta ? 1 : k, ta ? m : 1, bq, out + (long)q * m * n, m, k, n);
  }
}

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
