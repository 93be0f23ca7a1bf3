// Shared by the native kernels (*.c here): SIMD shorthands and the export macro.
#pragma once
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))
typedef float f32;
typedef v128_t v4;

static inline v4 ld(const f32* p) { return wasm_v128_load(p); }
static inline v4 ld1(const f32* p) { return wasm_v128_load32_splat(p); } // *p in every lane
static inline void st(f32* p, v4 v) { wasm_v128_store(p, v); }
static inline v4 splat(f32 x) { return wasm_f32x4_splat(x); }
static inline v4 add(v4 a, v4 b) { return wasm_f32x4_add(a, b); }
static inline v4 sub(v4 a, v4 b) { return wasm_f32x4_sub(a, b); }
static inline v4 mul(v4 a, v4 b) { return wasm_f32x4_mul(a, b); }

// a·b + c. The relaxed-SIMD build (-DRELAXED) fuses it where the CPU has FMA (one rounding,
// twice the rate); the SIMD128 build rounds the product first. Each build gives the same bits
// on every run of one machine.
#ifdef RELAXED
static inline v4 madd(v4 a, v4 b, v4 c) { return wasm_f32x4_relaxed_madd(a, b, c); }
#else
static inline v4 madd(v4 a, v4 b, v4 c) { return add(mul(a, b), c); }
#endif
