// Shared by the native kernels (*.c here): SIMD shorthands and the export macro.
#pragma once
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
