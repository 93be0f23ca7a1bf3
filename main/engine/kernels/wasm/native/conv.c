// Convolutions (NHWC, filters [kh, kw, ci, co]): the forward pass, the input gradient as
// stride² phase convolutions, the filter gradient; each split into tasks for pool.ts.
//
// Every task copies one image at a time, zero-padded, into its own scratch block, so the inner
// loops never test borders. For output pixel (oy, ox) and tap row a, the inputs that meet
// filter row a, (b, i) for b < kw, i < ci, lie contiguously in the padded image at
//   ((oy·sh + a)·wp + ox·sw)·ci + b·ci + i
// so each tap row is a dot product of length kw·ci against the packed filter.
#include "common.h"

// Register tiles: MR output pixels (forward) or filter rows (filter gradient) × NR output
// channels (2 vectors). 4 × 2 accumulators, 2 filter vectors and 4 splats fit the 15 vector
// registers V8 allocates on x64; clang issues a tile's splat loads together, so 6-row tiles
// (12 accumulators) spill in V8 and run slower.
#define MR 4
#define NR 8

static void fill0(f32* d, long n) {
  long i = 0;
  for (; i + 4 <= n; i += 4) st(d + i, splat(0));
  for (; i < n; i++) d[i] = 0;
}

static void copy(f32* d, const f32* s, long n) {
  long i = 0;
  for (; i + 4 <= n; i += 4) st(d + i, ld(s + i));
  for (; i < n; i++) d[i] = s[i];
}

// dst [hp, wp, c] = src [h, w, c] moved down by top and right by left (either may be negative:
// a crop), zero where no source pixel falls.
static void pad_image(const f32* src, int h, int w, int c, f32* dst, int hp, int wp, int top, int left) {
  int x0 = left > 0 ? left : 0;
  int x1 = w + left < wp ? w + left : wp;
  if (x1 < x0) x1 = x0;
  for (int y = 0; y < hp; y++) {
    f32* d = dst + (long)y * wp * c;
    int sy = y - top;
    if (sy < 0 || sy >= h || x1 == x0) {
      fill0(d, (long)wp * c);
      continue;
    }
    fill0(d, (long)x0 * c);
    copy(d + (long)x0 * c, src + ((long)sy * w + (x0 - left)) * c, (long)(x1 - x0) * c);
    fill0(d + (long)x1 * c, (long)(wp - x1) * c);
  }
}

// The filter in tiles of NR output channels: packed[t][a][k][j] = W(a, k / ci, k % ci, t·NR + j)
// (zero past co), where W(a, b, i, o) = w[base + a·sa + b·sb + i·si + o·so]. The strides let
// one routine pack the forward filter and the input gradient's flipped, channel-swapped phases.
EXPORT(conv_pack_filter)
void conv_pack_filter(const f32* w, int base, int sa, int sb, int si, int so, int kh, int kw, int ci, int co, f32* packed) {
  const int K = kw * ci;
  for (int t = 0; t * NR < co; t++) {
    for (int a = 0; a < kh; a++) {
      for (int k = 0; k < K; k++, packed += NR) {
        const f32* src = w + base + (long)a * sa + (long)(k / ci) * sb + (long)(k % ci) * si;
        for (int j = 0; j < NR; j++) {
          int o = t * NR + j;
          packed[j] = o < co ? src[(long)o * so] : 0.0f;
        }
      }
    }
  }
}

// ---- forward tile: mr pixels × NR channels -------------------------------------------------
// out_p[0..nc) = Σ_{a<kh} Σ_{k<K} in_p[a·arow + k] · b[(a·K + k)·NR + j]
INLINE void fwd_tile(const int mr, const f32* const* in, long arow, int kh, int K, const f32* b, f32* const* out, int nc) {
  v4 c0[MR], c1[MR];
  for (int p = 0; p < mr; p++) c0[p] = c1[p] = splat(0);
  for (int a = 0; a < kh; a++) {
    const f32* ap[MR];
    for (int p = 0; p < mr; p++) ap[p] = in[p] + a * arow;
    const f32* bp = b + (long)a * K * NR;
    for (int k = 0; k < K; k++, bp += NR) {
      v4 b0 = ld(bp), b1 = ld(bp + 4);
      for (int p = 0; p < mr; p++) {
        v4 x = ld1(ap[p] + k);
        c0[p] = madd(x, b0, c0[p]);
        c1[p] = madd(x, b1, c1[p]);
      }
    }
  }
  for (int p = 0; p < mr; p++) {
    if (nc == NR) {
      st(out[p], c0[p]);
      st(out[p] + 4, c1[p]);
    } else {
      f32 tmp[NR];
      st(tmp, c0[p]);
      st(tmp + 4, c1[p]);
      for (int j = 0; j < nc; j++) out[p][j] = tmp[j];
    }
  }
}

static void fwd_tile_any(int mr, const f32* const* in, long arow, int kh, int K, const f32* b, f32* const* out, int nc) {
  switch (mr) { // one specialised copy per tile height: the accumulators stay in registers
    case 4: fwd_tile(4, in, arow, kh, K, b, out, nc); break;
    case 3: fwd_tile(3, in, arow, kh, K, b, out, nc); break;
    case 2: fwd_tile(2, in, arow, kh, K, b, out, nc); break;
    default: fwd_tile(1, in, arow, kh, K, b, out, nc); break;
  }
}

// One task of a convolution: images [task·per, task·per + per) of x [n, h, w, ci], with the
// packed filter (kh × kw taps, strides sh, sw, the input shifted by pt, pl), giving oh × ow
// pixels of co channels. Output pixel (oy, ox) goes to y[n, oy·ysh + ry, ox·ysw + rx, :] of a
// [n, yh, yw, co] tensor: the forward pass writes every pixel (ysh = ysw = 1), an input-gradient
// phase every ysh-th row and ysw-th column. scratch: per task, hp·wp·ci floats.
EXPORT(conv2d_task)
void conv2d_task(int task, int per, const f32* x, const f32* packed, f32* y, f32* scratch, int n, int h, int w, int ci, int co,
                 int kh, int kw, int sh, int sw, int pt, int pl, int oh, int ow, int yh, int yw, int ysh, int ysw, int ry, int rx) {
  const int hp = (oh - 1) * sh + kh, wp = (ow - 1) * sw + kw;
  const int K = kw * ci;
  f32* pad = scratch + (long)task * hp * wp * ci;
  int n0 = task * per, n1 = n0 + per < n ? n0 + per : n;
  for (int img = n0; img < n1; img++) {
    f32* yn = y + (long)img * yh * yw * co;
    if (K == 0 || kh == 0) { // a phase no tap reaches: zeros
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) fill0(yn + ((long)(oy * ysh + ry) * yw + ox * ysw + rx) * co, co);
      continue;
    }
    pad_image(x + (long)img * h * w * ci, h, w, ci, pad, hp, wp, pt, pl);
    for (int o0 = 0; o0 < co; o0 += NR) {
      const f32* b = packed + (long)o0 * kh * K;
      int nc = co - o0 < NR ? co - o0 : NR;
      for (int m = 0; m < oh * ow; m += MR) {
        int mr = oh * ow - m < MR ? oh * ow - m : MR;
        const f32* in[MR];
        f32* out[MR];
        for (int p = 0; p < mr; p++) {
          int oy = (m + p) / ow, ox = (m + p) % ow;
          in[p] = pad + ((long)oy * sh * wp + (long)ox * sw) * ci;
          out[p] = yn + ((long)(oy * ysh + ry) * yw + ox * ysw + rx) * co + o0;
        }
        fwd_tile_any(mr, in, (long)wp * ci, kh, K, b, out, nc);
      }
    }
  }
}

// ---- filter gradient -------------------------------------------------------------------
//   dW[a, b, i, o] = Σ_{n, y, x} X[n, y·sh + a − pt, x·sw + b − pl, i] · dY[n, y, x, o]
// For tap row a the rows k = b·ci + i of dW are contiguous in the padded image, so a tile is
// mr consecutive k against NR channels of dY, summed over the pixels.
INLINE void dw_tile(const int mr, const f32* xa, int oh, int ow, long row_x, int px_x, const f32* g, int co, f32* d, int nc) {
  v4 c0[MR], c1[MR];
  for (int r = 0; r < mr; r++) {
    if (nc == NR) {
      c0[r] = ld(d + (long)r * co);
      c1[r] = ld(d + (long)r * co + 4);
    } else {
      f32 tmp[NR] = {0};
      for (int j = 0; j < nc; j++) tmp[j] = d[(long)r * co + j];
      c0[r] = ld(tmp);
      c1[r] = ld(tmp + 4);
    }
  }
  for (int y = 0; y < oh; y++) {
    const f32* xp = xa + y * row_x;
    const f32* gp = g + (long)y * ow * co;
    for (int x = 0; x < ow; x++, xp += px_x, gp += co) {
      v4 g0, g1;
      if (nc == NR) {
        g0 = ld(gp);
        g1 = ld(gp + 4);
      } else {
        f32 tmp[NR] = {0};
        for (int j = 0; j < nc; j++) tmp[j] = gp[j];
        g0 = ld(tmp);
        g1 = ld(tmp + 4);
      }
      for (int r = 0; r < mr; r++) {
        v4 v = ld1(xp + r);
        c0[r] = madd(v, g0, c0[r]);
        c1[r] = madd(v, g1, c1[r]);
      }
    }
  }
  for (int r = 0; r < mr; r++) {
    if (nc == NR) {
      st(d + (long)r * co, c0[r]);
      st(d + (long)r * co + 4, c1[r]);
    } else {
      f32 tmp[NR];
      st(tmp, c0[r]);
      st(tmp + 4, c1[r]);
      for (int j = 0; j < nc; j++) d[(long)r * co + j] = tmp[j];
    }
  }
}

static void dw_tile_any(int mr, const f32* xa, int oh, int ow, long row_x, int px_x, const f32* g, int co, f32* d, int nc) {
  switch (mr) {
    case 4: dw_tile(4, xa, oh, ow, row_x, px_x, g, co, d, nc); break;
    case 3: dw_tile(3, xa, oh, ow, row_x, px_x, g, co, d, nc); break;
    case 2: dw_tile(2, xa, oh, ow, row_x, px_x, g, co, d, nc); break;
    default: dw_tile(1, xa, oh, ow, row_x, px_x, g, co, d, nc); break;
  }
}

// One task of the filter gradient: images [task·chunk, task·chunk + chunk) summed into its own
// partial dW (zeroed here); sum_partials_task adds the partials in task order afterwards.
// scratch: per task, hp·wp·ci floats.
EXPORT(conv_filter_grad_task)
void conv_filter_grad_task(int task, int chunk, const f32* x, const f32* dy, f32* partials, f32* scratch, int n, int h, int w, int ci,
                           int oh, int ow, int co, int kh, int kw, int sh, int sw, int pt, int pl) {
  const long size = (long)kh * kw * ci * co;
  const int hp = (oh - 1) * sh + kh, wp = (ow - 1) * sw + kw;
  const int K = kw * ci;
  f32* dw = partials + (long)task * size;
  f32* pad = scratch + (long)task * hp * wp * ci;
  fill0(dw, size);
  int n0 = task * chunk, n1 = n0 + chunk < n ? n0 + chunk : n;
  for (int img = n0; img < n1; img++) {
    pad_image(x + (long)img * h * w * ci, h, w, ci, pad, hp, wp, pt, pl);
    const f32* g = dy + (long)img * oh * ow * co;
    for (int a = 0; a < kh; a++) {
      for (int k0 = 0; k0 < K; k0 += MR) {
        int mr = K - k0 < MR ? K - k0 : MR;
        const f32* xa = pad + (long)a * wp * ci + k0;
        for (int o0 = 0; o0 < co; o0 += NR) {
          int nc = co - o0 < NR ? co - o0 : NR;
          dw_tile_any(mr, xa, oh, ow, (long)sh * wp * ci, sw * ci, g + o0, co, dw + ((long)a * K + k0) * co + o0, nc);
        }
      }
    }
  }
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
