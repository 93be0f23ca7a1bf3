// Batch norm: channel statistics, normalisation and the backward pass over [rows, c].
#include "common.h"

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

