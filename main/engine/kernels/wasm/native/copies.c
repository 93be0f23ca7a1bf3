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
