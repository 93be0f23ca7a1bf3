// B independent GRUs (PyTorch's gate order r, z, n) run for T steps from h₀ = 0:
//   hp = h·Whh[b] + bhh[b];  r = σ(xr + hr);  z = σ(xz + hz);  n = tanh(xn + r ⊙ hn)
//   h' = n + z ⊙ (h − n)
// x: the input projections with their bias, [B, Tx, 3h] where Tx is T (one per step) or 1
// (the same input every step). Forward and backward through time, one call each.
#include "common.h"

// e^x without libm: x = k·ln2 + r with |r| ≤ ln2/2, e^r by its degree-6 Taylor polynomial
// (relative error < 1e-7), 2^k put into the exponent bits.
static inline f32 exp_(f32 x) {
  if (x > 88.0f) return __builtin_inff();
  if (x < -103.0f) return 0.0f;
  f32 k = __builtin_rintf(x * 1.44269504f);
  f32 r = (x - k * 0.693145752f) - k * 1.42860677e-6f; // ln2 split in two for accuracy
  f32 p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666667e-1f + r * (4.16666667e-2f + r * (8.33333333e-3f + r * 1.38888889e-3f)))));
  int ki = (int)k;
  union { unsigned u; f32 f; } scale;
  if (ki < -126) {
    p *= 5.42101086e-20f; // 2^-64
    ki += 64;
  }
  scale.u = (unsigned)(ki + 127) << 23;
  return p * scale.f;
}

static inline f32 sigmoid(f32 v) { return 1.0f / (1.0f + exp_(-v)); }

// tanh v = m / (m + 2) with m = e^{2v} − 1; for small |v|, m from its own series (no
// cancellation in e^{2v} − 1).
static inline f32 tanh_(f32 v) {
  if (v > 15.0f) return 1.0f;
  if (v < -15.0f) return -1.0f;
  f32 a = 2.0f * v;
  f32 m;
  if (a > -0.35f && a < 0.35f) {
    m = a * (1.0f + a * (0.5f + a * (1.66666667e-1f + a * (4.16666667e-2f + a * (8.33333333e-3f + a * (1.38888889e-3f + a * 1.98412698e-4f))))));
  } else {
    m = exp_(a) - 1.0f;
  }
  return m / (m + 2.0f);
}

// out[0:3h] = h[0:hd]·W[hd, 3h] + bias[0:3h]
static void matvec(const f32* h, const f32* w, const f32* bias, f32* out, int hd, int n3) {
  int j = 0;
  for (; j + 4 <= n3; j += 4) st(out + j, ld(bias + j));
  for (; j < n3; j++) out[j] = bias[j];
  for (int k = 0; k < hd; k++) {
    v4 hk = splat(h[k]);
    const f32* row = w + (long)k * n3;
    j = 0;
    for (; j + 4 <= n3; j += 4) st(out + j, add(ld(out + j), mul(hk, ld(row + j))));
    for (; j < n3; j++) out[j] += h[k] * row[j];
  }
}

// hs: [T, B, hd] outputs; gates: [T, B, 4·hd] saved for the backward (r, z, n, hn).
// hp: scratch of 3·hd floats.
EXPORT(gru_forward)
void gru_forward(const f32* x, int tx, const f32* whh, const f32* bhh, int batch, int steps, int hd, f32* hs, f32* gates, f32* hp) {
  const int n3 = 3 * hd;
  for (int b = 0; b < batch; b++) {
    const f32* w = whh + (long)b * hd * n3;
    const f32* bias = bhh + (long)b * n3;
    for (int t = 0; t < steps; t++) {
      const f32* xt = x + ((long)b * tx + (tx == 1 ? 0 : t)) * n3;
      f32* h = hs + ((long)t * batch + b) * hd;
      const f32* prev = t > 0 ? hs + ((long)(t - 1) * batch + b) * hd : 0;
      if (prev) matvec(prev, w, bias, hp, hd, n3);
      else for (int j = 0; j < n3; j++) hp[j] = bias[j];
      f32* g = gates + ((long)t * batch + b) * 4 * hd;
      for (int i = 0; i < hd; i++) {
        f32 r = sigmoid(xt[i] + hp[i]);
        f32 z = sigmoid(xt[hd + i] + hp[hd + i]);
        f32 hn = hp[2 * hd + i];
        f32 n = tanh_(xt[2 * hd + i] + r * hn);
        f32 hprev = prev ? prev[i] : 0.0f;
        h[i] = n + z * (hprev - n);
        g[i] = r;
        g[hd + i] = z;
        g[2 * hd + i] = n;
        g[3 * hd + i] = hn;
      }
    }
  }
}

// dhs: [T, B, hd] gradient of every output state. Writes dx ([B, Tx, 3h], summed over the
// steps when Tx = 1), dwhh [B, hd, 3h], dbhh [B, 3h]. scratch: 5·hd floats.
EXPORT(gru_backward)
void gru_backward(const f32* dhs, const f32* hs, const f32* gates, const f32* whh, int tx, int batch, int steps, int hd,
                  f32* dx, f32* dwhh, f32* dbhh, f32* scratch) {
  const int n3 = 3 * hd;
  f32* dh = scratch;           // [hd] carried gradient of the state
  f32* dhp = scratch + hd;     // [3hd] gradient of the hidden projection
  f32* nextdh = scratch + 4 * hd; // [hd]
  for (long i = 0; i < (long)batch * tx * n3; i++) dx[i] = 0;
  for (long i = 0; i < (long)batch * hd * n3; i++) dwhh[i] = 0;
  for (long i = 0; i < (long)batch * n3; i++) dbhh[i] = 0;
  for (int b = 0; b < batch; b++) {
    const f32* w = whh + (long)b * hd * n3;
    f32* dw = dwhh + (long)b * hd * n3;
    f32* db = dbhh + (long)b * n3;
    for (int i = 0; i < hd; i++) dh[i] = 0;
    for (int t = steps - 1; t >= 0; t--) {
      const f32* g = gates + ((long)t * batch + b) * 4 * hd;
      const f32* prev = t > 0 ? hs + ((long)(t - 1) * batch + b) * hd : 0;
      const f32* dht = dhs + ((long)t * batch + b) * hd;
      f32* dxt = dx + ((long)b * tx + (tx == 1 ? 0 : t)) * n3;
      for (int i = 0; i < hd; i++) {
        f32 d = dh[i] + dht[i];
        f32 r = g[i], z = g[hd + i], n = g[2 * hd + i], hn = g[3 * hd + i];
        f32 hprev = prev ? prev[i] : 0.0f;
        f32 dn = d * (1.0f - z);
        f32 dz = d * (hprev - n);
        nextdh[i] = d * z;
        f32 dan = dn * (1.0f - n * n);
        f32 dar = dan * hn * r * (1.0f - r);
        f32 daz = dz * z * (1.0f - z);
        dhp[i] = dar;
        dhp[hd + i] = daz;
        dhp[2 * hd + i] = dan * r;
        dxt[i] += dar;
        dxt[hd + i] += daz;
        dxt[2 * hd + i] += dan;
      }
      for (int j = 0; j < n3; j++) db[j] += dhp[j];
      if (prev) {
        // dW += prevᵀ ⊗ dhp
        for (int k = 0; k < hd; k++) {
          v4 pk = splat(prev[k]);
          f32* row = dw + (long)k * n3;
          int j = 0;
          for (; j + 4 <= n3; j += 4) st(row + j, add(ld(row + j), mul(pk, ld(dhp + j))));
          for (; j < n3; j++) row[j] += prev[k] * dhp[j];
        }
      }
      // dh_prev = d·z + dhp·Wᵀ
      for (int k = 0; k < hd; k++) {
        const f32* row = w + (long)k * n3;
        v4 acc = splat(0);
        int j = 0;
        for (; j + 4 <= n3; j += 4) acc = add(acc, mul(ld(row + j), ld(dhp + j)));
        f32 s = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) + wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3);
        for (; j < n3; j++) s += row[j] * dhp[j];
        dh[k] = nextdh[k] + s;
      }
    }
  }
}
