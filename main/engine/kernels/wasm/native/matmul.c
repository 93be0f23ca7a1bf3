// Batched, transposable matrix products.
#include "common.h"

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

