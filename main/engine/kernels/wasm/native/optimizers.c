// AdamW and SGD updates.
#include "common.h"

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

