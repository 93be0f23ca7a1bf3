// Batch norm over [rows, c] (channels last) with the activation that follows it fused in:
//   y = x̂·γ + β (+ r) (then max(0, ·)),  x̂ = (x − mean)·invstd
// Split into tasks of whole row blocks for pool.ts: each task's channel sums go to its own
// partial (double), combined in task order, so the thread count never changes a result.
#include "common.h"

// Rows are summed in float blocks of BLOCK rows, blocks in double: accurate for any N·H·W.
#define BLOCK 32

static void zero_d(double* a, int c) {
  for (int j = 0; j < c; j++) a[j] = 0.0;
}

// Rows [task·per, task·per + per) of the call (per: a multiple of BLOCK).
static void task_rows(int task, int per, int rows, int* r0, int* r1) {
  *r0 = task * per < rows ? task * per : rows;
  *r1 = *r0 + per < rows ? *r0 + per : rows;
}

// ---- forward --------------------------------------------------------------------------------

// partials[task·c + j] = Σ_r (x[r,j] − centre[j])^power over the task's rows (power 1: no centre).
// scratch: c floats per task.
EXPORT(bn_sums_task)
void bn_sums_task(int task, int per, const f32* x, int rows, int c, const f32* centre, int power, double* partials, f32* scratch) {
  double* acc = partials + (long)task * c;
  f32* part = scratch + (long)task * c;
  int r0, r1;
  task_rows(task, per, rows, &r0, &r1);
  zero_d(acc, c);
  for (int b0 = r0; b0 < r1; b0 += BLOCK) {
    int b1 = b0 + BLOCK < r1 ? b0 + BLOCK : r1;
    for (int j = 0; j < c; j++) part[j] = 0.0f;
    for (int r = b0; r < b1; r++) {
      const f32* row = x + (long)r * c;
      int j = 0;
      for (; j + 4 <= c; j += 4) {
        v4 d = power == 2 ? sub(ld(row + j), ld(centre + j)) : ld(row + j);
        st(part + j, power == 2 ? madd(d, d, ld(part + j)) : add(ld(part + j), d));
      }
      for (; j < c; j++) {
        f32 d = power == 2 ? row[j] - centre[j] : row[j];
        part[j] += power == 2 ? d * d : d;
      }
    }
    for (int j = 0; j < c; j++) acc[j] += part[j];
  }
}

static double task_sum(const double* partials, int tasks, int c, int j) {
  double s = 0.0;
  for (int t = 0; t < tasks; t++) s += partials[(long)t * c + j];
  return s;
}

// mean[j] = Σ x / rows from the tasks' partial sums.
EXPORT(bn_mean)
void bn_mean(const double* partials, int tasks, int c, int rows, f32* mean) {
  for (int j = 0; j < c; j++) mean[j] = (f32)(task_sum(partials, tasks, c, j) / rows);
}

// Biased variance, 1/√(var + eps) and the per-channel scale and shift of y = x·scale + shift.
EXPORT(bn_finish)
void bn_finish(const double* partials, int tasks, int c, int rows, f32 eps, const f32* gamma, const f32* beta, const f32* mean,
               f32* var, f32* invstd, f32* scale, f32* shift) {
  for (int j = 0; j < c; j++) {
    var[j] = (f32)(task_sum(partials, tasks, c, j) / rows);
    invstd[j] = 1.0f / __builtin_sqrtf(var[j] + eps);
    scale[j] = invstd[j] * gamma[j];
    shift[j] = beta[j] - mean[j] * scale[j];
  }
}

// y = x·scale + shift (+ res where res ≠ 0), then max(0, ·) where relu.
EXPORT(bn_apply_task)
void bn_apply_task(int task, int per, const f32* x, const f32* res, int relu, int rows, int c, const f32* scale, const f32* shift, f32* y) {
  int r0, r1;
  task_rows(task, per, rows, &r0, &r1);
  const v4 zero = splat(0);
  for (int r = r0; r < r1; r++) {
    const f32* xr = x + (long)r * c;
    const f32* rr = res ? res + (long)r * c : 0;
    f32* yr = y + (long)r * c;
    int j = 0;
    for (; j + 4 <= c; j += 4) {
      v4 v = madd(ld(xr + j), ld(scale + j), ld(shift + j));
      if (rr) v = add(v, ld(rr + j));
      if (relu) v = wasm_f32x4_max(v, zero);
      st(yr + j, v);
    }
    for (; j < c; j++) {
      f32 v = xr[j] * scale[j] + shift[j];
      if (rr) v += rr[j];
      if (relu) v = v > 0 ? v : 0;
      yr[j] = v;
    }
  }
}

// ---- backward -------------------------------------------------------------------------------
// g = dy, or dy where y > 0 after a ReLU (y: the forward output). Then
//   dβ = Σg, dγ = Σg·x̂, dx = γ·invstd/N · (N·g − dβ − x̂·dγ) = A·g + B·x + C per channel,
// and the residual's gradient is g itself.

static inline v4 masked(v4 g, const f32* yr, int j) {
  return yr ? wasm_v128_and(g, wasm_f32x4_gt(ld(yr + j), splat(0))) : g;
}

// partials[task·2c + j] = Σ g, partials[task·2c + c + j] = Σ g·(x − mean) over the task's rows.
// scratch: 2c floats per task.
EXPORT(bn_grad_sums_task)
void bn_grad_sums_task(int task, int per, const f32* x, const f32* dy, const f32* y, int rows, int c, const f32* mean, double* partials, f32* scratch) {
  double* sg = partials + (long)task * 2 * c;
  double* sgx = sg + c;
  f32* p1 = scratch + (long)task * 2 * c;
  f32* p2 = p1 + c;
  int r0, r1;
  task_rows(task, per, rows, &r0, &r1);
  zero_d(sg, 2 * c);
  for (int b0 = r0; b0 < r1; b0 += BLOCK) {
    int b1 = b0 + BLOCK < r1 ? b0 + BLOCK : r1;
    for (int j = 0; j < c; j++) p1[j] = p2[j] = 0.0f;
    for (int r = b0; r < b1; r++) {
      const f32* xr = x + (long)r * c;
      const f32* gr = dy + (long)r * c;
      const f32* yr = y ? y + (long)r * c : 0;
      int j = 0;
      for (; j + 4 <= c; j += 4) {
        v4 g = masked(ld(gr + j), yr, j);
        st(p1 + j, add(ld(p1 + j), g));
        st(p2 + j, madd(g, sub(ld(xr + j), ld(mean + j)), ld(p2 + j)));
      }
      for (; j < c; j++) {
        f32 g = yr && !(yr[j] > 0) ? 0 : gr[j];
        p1[j] += g;
        p2[j] += g * (xr[j] - mean[j]);
      }
    }
    for (int j = 0; j < c; j++) {
      sg[j] += p1[j];
      sgx[j] += p2[j];
    }
  }
}

// dγ, dβ and the coefficients A, B, C (coef: 3c floats) from the tasks' partials.
EXPORT(bn_grad_finish)
void bn_grad_finish(const double* partials, int tasks, int c, int rows, const f32* mean, const f32* invstd, const f32* gamma,
                    f32* dgamma, f32* dbeta, f32* coef) {
  f32* A = coef;
  f32* B = coef + c;
  f32* C = coef + 2 * c;
  for (int j = 0; j < c; j++) {
    double sg = 0.0, sgx = 0.0;
    for (int t = 0; t < tasks; t++) {
      sg += partials[(long)t * 2 * c + j];
      sgx += partials[(long)t * 2 * c + c + j];
    }
    f32 db = (f32)sg;
    f32 dg = (f32)(sgx * invstd[j]);
    dbeta[j] = db;
    dgamma[j] = dg;
    f32 k = gamma[j] * invstd[j] / (f32)rows;
    A[j] = k * (f32)rows;
    B[j] = -k * invstd[j] * dg;
    C[j] = k * (mean[j] * invstd[j] * dg - db);
  }
}

// dx = A·g + B·x + C, and dres = g where dres ≠ 0.
EXPORT(bn_grad_apply_task)
void bn_grad_apply_task(int task, int per, const f32* x, const f32* dy, const f32* y, int rows, int c, const f32* coef, f32* dx, f32* dres) {
  const f32* A = coef;
  const f32* B = coef + c;
  const f32* C = coef + 2 * c;
  int r0, r1;
  task_rows(task, per, rows, &r0, &r1);
  for (int r = r0; r < r1; r++) {
    const f32* xr = x + (long)r * c;
    const f32* gr = dy + (long)r * c;
    const f32* yr = y ? y + (long)r * c : 0;
    f32* o = dx + (long)r * c;
    f32* d = dres ? dres + (long)r * c : 0;
    int j = 0;
    for (; j + 4 <= c; j += 4) {
      v4 g = masked(ld(gr + j), yr, j);
      st(o + j, madd(ld(A + j), g, madd(ld(B + j), ld(xr + j), ld(C + j))));
      if (d) st(d + j, g);
    }
    for (; j < c; j++) {
      f32 g = yr && !(yr[j] > 0) ? 0 : gr[j];
      o[j] = A[j] * g + B[j] * xr[j] + C[j];
      if (d) d[j] = g;
    }
  }
}
