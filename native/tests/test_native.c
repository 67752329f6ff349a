/*
 * test_native.c: self-contained tests of every libdenotorch entry point against hand-computed
 * values, naive reference loops and finite differences. Prints one line per failure and a
 * summary; exit status 0 only when everything passed. Run via `ctest --test-dir native/build`.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denotorch.h"

#ifndef DT_EXPECT_BLAS
#define DT_EXPECT_BLAS 0
#endif

static int n_pass = 0, n_fail = 0;
#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (cond) n_pass++;                                    \
    else {                                                 \
      n_fail++;                                            \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);          \
      printf(__VA_ARGS__);                                 \
      printf("\n");                                        \
    }                                                      \
  } while (0)
#define CHECK_OK(call) do { int32_t st_ = (call); CHECK(st_ == DT_OK, "%s -> %d (%s)", #call, st_, dt_last_error()); } while (0)

static int close_d(double a, double b, double rtol, double atol) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  if (isinf(a) || isinf(b)) return a == b;
  return fabs(a - b) <= atol + rtol * fabs(b);
}

/* ---- descriptor builders ---- */
typedef struct { int32_t d[1 + 16 + 4 * 17]; } desc_t;
/* nops operands, each contiguous over `shape` unless strides given (NULL = contiguous) */
static desc_t mkdesc(int ndim, const int32_t* shape, int nops, const int32_t* offs, const int32_t* const* strides) {
  desc_t D;
  memset(&D, 0, sizeof D);
  D.d[0] = ndim;
  for (int i = 0; i < ndim; i++) D.d[1 + i] = shape[i];
  for (int k = 0; k < nops; k++) {
    int32_t* od = D.d + 1 + ndim + k * (1 + ndim);
    od[0] = offs ? offs[k] : 0;
    if (strides && strides[k]) {
      for (int i = 0; i < ndim; i++) od[1 + i] = strides[k][i];
    } else {
      int32_t s = 1;
      for (int i = ndim - 1; i >= 0; i--) { od[1 + i] = s; s *= shape[i]; }
    }
  }
  return D;
}
static desc_t mk1(int32_t n, int nops) { int32_t sh[1] = {n}; return mkdesc(1, sh, nops, NULL, NULL); }

static double getd(int dt, const void* p, int64_t i) {
  switch (dt) {
    case DT_F32: return ((const float*)p)[i];
    case DT_F64: return ((const double*)p)[i];
    case DT_I64: return (double)((const int64_t*)p)[i];
    case DT_I32: return ((const int32_t*)p)[i];
    default: return ((const uint8_t*)p)[i];
  }
}
static void setd(int dt, void* p, int64_t i, double v) {
  switch (dt) {
    case DT_F32: ((float*)p)[i] = (float)v; break;
    case DT_F64: ((double*)p)[i] = v; break;
    case DT_I64: ((int64_t*)p)[i] = (int64_t)v; break;
    case DT_I32: ((int32_t*)p)[i] = (int32_t)v; break;
    case DT_U8: ((uint8_t*)p)[i] = (uint8_t)v; break;
    default: ((uint8_t*)p)[i] = v != 0; break;
  }
}

/* ======================================================================= state */
static void test_state(void) {
  CHECK(dt_version() == 1, "version");
  CHECK(dt_has_blas() == DT_EXPECT_BLAS, "has_blas %d expected %d", dt_has_blas(), DT_EXPECT_BLAS);
  CHECK(dt_has_cuda() == 0, "has_cuda");
  int32_t t = dt_get_num_threads();
  CHECK(t >= 1, "threads %d", t);
  CHECK(dt_set_num_threads(0) == DT_ERR_ARG, "set_num_threads(0)");
  CHECK(strstr(dt_last_error(), "dt_set_num_threads") != NULL, "msg %s", dt_last_error());
  CHECK_OK(dt_set_num_threads(3));
  CHECK(dt_get_num_threads() == 3, "threads after set");
  CHECK_OK(dt_set_num_threads(t));
}

/* ======================================================================= binary */
static double ref_bin(int op, int dt, double a, double b) {
  int isf = dt == DT_F32 || dt == DT_F64;
  double r;
  switch (op) {
    case DT_ADD: r = a + b; break;
    case DT_SUB: r = a - b; break;
    case DT_MUL: r = a * b; break;
    case DT_DIV: r = isf ? a / b : (b == 0 ? 0 : trunc(a / b)); break;
    case DT_MAXIMUM: r = a > b ? a : b; break;
    case DT_MINIMUM: r = a < b ? a : b; break;
    default: r = 0;
  }
  if (dt == DT_F32) r = (float)r;
  if (dt == DT_U8) r = (double)(uint8_t)(int64_t)r;
  if (dt == DT_BOOL) r = r != 0;
  return r;
}

static void test_binary(void) {
  /* every dtype, ops add/sub/mul/div/max/min, with broadcasting of b over rows (stride 0) */
  for (int dt = 0; dt < DT_DTYPE_COUNT; dt++) {
    int ops[] = {DT_ADD, DT_SUB, DT_MUL, DT_DIV, DT_MAXIMUM, DT_MINIMUM};
    for (int oi = 0; oi < 6; oi++) {
      int op = ops[oi];
      if (dt == DT_BOOL && (op == DT_SUB || op == DT_DIV)) continue;
      uint8_t a[12 * 8], b[4 * 8], o[12 * 8];
      for (int i = 0; i < 12; i++) setd(dt, a, i, dt == DT_BOOL ? (i % 3 != 0) : (double)(i % 7) + 1);
      for (int i = 0; i < 4; i++) setd(dt, b, i, dt == DT_BOOL ? (i % 2) : (double)(i + 1));
      int32_t sh[2] = {3, 4}, sa[2] = {4, 1}, sb[2] = {0, 1}, so[2] = {4, 1};
      const int32_t* st[3] = {so, sa, sb};
      desc_t D = mkdesc(2, sh, 3, NULL, st);
      CHECK_OK(dt_binary(op, dt, D.d, o, a, b));
      int bad = 0;
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++)
          if (getd(dt, o, i * 4 + j) != ref_bin(op, dt, getd(dt, a, i * 4 + j), getd(dt, b, j))) bad++;
      CHECK(bad == 0, "binary op %d dtype %d: %d mismatches", op, dt, bad);
    }
  }
  /* column broadcast [3,1] and a transposed (non-contiguous) a, with offsets */
  {
    double a[20], b[3], o[12];
    for (int i = 0; i < 20; i++) a[i] = i;
    b[0] = 100; b[1] = 200; b[2] = 300;
    /* a viewed as transpose of a 4x3 block starting at offset 2: a_t[i][j] = a[2 + j*3 + i] */
    int32_t sh[2] = {3, 4}, so[2] = {4, 1}, sa[2] = {1, 3}, sb[2] = {1, 0};
    const int32_t* st[3] = {so, sa, sb};
    int32_t offs[3] = {0, 2, 0};
    desc_t D = mkdesc(2, sh, 3, offs, st);
    CHECK_OK(dt_binary(DT_SUB, DT_F64, D.d, o, a, b));
    int bad = 0;
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 4; j++)
        if (o[i * 4 + j] != a[2 + j * 3 + i] - b[i]) bad++;
    CHECK(bad == 0, "strided/broadcast sub mismatches %d", bad);
  }
  /* big strided case (parallel path): out[i][j] = a^T[i][j] * b[j], 300 x 257 */
  {
    const int R = 300, C = 257;
    float* a = malloc(sizeof(float) * R * C);
    float* b = malloc(sizeof(float) * C);
    float* o = malloc(sizeof(float) * R * C);
    for (int i = 0; i < R * C; i++) a[i] = (float)((i * 37) % 101) - 50.f;
    for (int j = 0; j < C; j++) b[j] = (float)(j % 13) * 0.5f;
    int32_t sh[2] = {R, C}, so[2] = {C, 1}, sa[2] = {1, R}, sb[2] = {0, 1};
    const int32_t* st[3] = {so, sa, sb};
    desc_t D = mkdesc(2, sh, 3, NULL, st);
    CHECK_OK(dt_binary(DT_MUL, DT_F32, D.d, o, a, b));
    int bad = 0;
    for (int i = 0; i < R; i++)
      for (int j = 0; j < C; j++)
        if (o[i * C + j] != a[j * R + i] * b[j]) bad++;
    CHECK(bad == 0, "big strided mul mismatches %d", bad);
    /* contiguous big add, in place (out == a) */
    desc_t D1 = mk1(R * C, 3);
    float* c = malloc(sizeof(float) * R * C);
    memcpy(c, a, sizeof(float) * R * C);
    CHECK_OK(dt_binary(DT_ADD, DT_F32, D1.d, c, c, a));
    bad = 0;
    for (int i = 0; i < R * C; i++) if (c[i] != 2 * a[i]) bad++;
    CHECK(bad == 0, "in-place add mismatches %d", bad);
    free(a); free(b); free(o); free(c);
  }
  /* semantics */
  {
    double a[6] = {NAN, 1, -7, 7, -7, 2}, b[6] = {1, NAN, 3, -3, -3, 0}, o[6];
    desc_t D = mk1(6, 3);
    CHECK_OK(dt_binary(DT_MAXIMUM, DT_F64, D.d, o, a, b));
    CHECK(isnan(o[0]) && isnan(o[1]) && o[2] == 3 && o[3] == 7, "maximum nan");
    CHECK_OK(dt_binary(DT_MINIMUM, DT_F64, D.d, o, a, b));
    CHECK(isnan(o[0]) && isnan(o[1]) && o[2] == -7 && o[4] == -7, "minimum nan");
    CHECK_OK(dt_binary(DT_REMAINDER, DT_F64, D.d, o, a, b));
    CHECK(o[2] == 2 && o[3] == -2 && o[4] == -1 && isnan(o[5]), "remainder f64 %g %g %g", o[2], o[3], o[4]);
    CHECK_OK(dt_binary(DT_FMOD, DT_F64, D.d, o, a, b));
    CHECK(o[2] == -1 && o[3] == 1 && o[4] == -1, "fmod f64");
    CHECK_OK(dt_binary(DT_ATAN2, DT_F64, D.d, o, a, b));
    CHECK(close_d(o[2], atan2(-7, 3), 1e-15, 0), "atan2");
    int32_t ia[6] = {-7, 7, -7, 7, 5, INT32_MIN}, ib[6] = {3, -3, -3, 0, 2, -1}, io[6];
    CHECK_OK(dt_binary(DT_REMAINDER, DT_I32, D.d, io, ia, ib));
    CHECK(io[0] == 2 && io[1] == -2 && io[2] == -1 && io[3] == 0 && io[4] == 1 && io[5] == 0, "remainder i32");
    CHECK_OK(dt_binary(DT_FMOD, DT_I32, D.d, io, ia, ib));
    CHECK(io[0] == -1 && io[1] == 1 && io[2] == -1 && io[3] == 0, "fmod i32");
    CHECK_OK(dt_binary(DT_DIV, DT_I32, D.d, io, ia, ib));
    CHECK(io[0] == -2 && io[1] == -2 && io[2] == 2 && io[3] == 0 && io[5] == INT32_MIN, "div i32 (no trap)");
    CHECK_OK(dt_binary(DT_POW, DT_I32, D.d, io, ib, ia));
    int64_t la[4] = {2, 3, -2, 2}, lb[4] = {10, 0, 3, -1}, lo[4];
    desc_t D4 = mk1(4, 3);
    CHECK_OK(dt_binary(DT_POW, DT_I64, D4.d, lo, la, lb));
    CHECK(lo[0] == 1024 && lo[1] == 1 && lo[2] == -8 && lo[3] == 0, "pow i64");
    uint8_t bo[6];
    CHECK_OK(dt_binary(DT_LT, DT_F64, D.d, bo, a, b));
    CHECK(bo[0] == 0 && bo[1] == 0 && bo[2] == 1 && bo[3] == 0, "lt nan");
    CHECK_OK(dt_binary(DT_NE, DT_F64, D.d, bo, a, b));
    CHECK(bo[0] == 1 && bo[1] == 1, "ne nan");
    CHECK_OK(dt_binary(DT_EQ, DT_I32, D.d, bo, ia, ia));
    CHECK(bo[0] == 1 && bo[5] == 1, "eq i32");
    uint8_t x[4] = {0, 0, 1, 1}, y[4] = {0, 1, 0, 1};
    CHECK_OK(dt_binary(DT_LOGICAL_AND, DT_BOOL, D4.d, bo, x, y));
    CHECK(bo[0] == 0 && bo[1] == 0 && bo[2] == 0 && bo[3] == 1, "and");
    CHECK_OK(dt_binary(DT_LOGICAL_OR, DT_BOOL, D4.d, bo, x, y));
    CHECK(bo[0] == 0 && bo[1] == 1 && bo[2] == 1 && bo[3] == 1, "or");
    CHECK_OK(dt_binary(DT_LOGICAL_XOR, DT_BOOL, D4.d, bo, x, y));
    CHECK(bo[0] == 0 && bo[1] == 1 && bo[2] == 1 && bo[3] == 0, "xor");
    CHECK_OK(dt_binary(DT_ADD, DT_BOOL, D4.d, bo, x, y));
    CHECK(bo[3] == 1 && bo[1] == 1 && bo[0] == 0, "bool add saturates to 1");
    uint8_t ua[2] = {250, 3}, ub[2] = {10, 5}, uo[2];
    desc_t D2 = mk1(2, 3);
    CHECK_OK(dt_binary(DT_ADD, DT_U8, D2.d, uo, ua, ub));
    CHECK(uo[0] == 4 && uo[1] == 8, "u8 wraps");
    CHECK_OK(dt_binary(DT_REMAINDER, DT_U8, D2.d, uo, ua, ub));
    CHECK(uo[0] == 0 && uo[1] == 3, "u8 remainder");
    CHECK(dt_binary(DT_ATAN2, DT_I32, D.d, io, ia, ib) == DT_ERR_DTYPE, "atan2 int rejected");
    CHECK(dt_binary(99, DT_F32, D.d, o, a, b) == DT_ERR_ARG, "bad op");
    CHECK(dt_binary(DT_ADD, 9, D.d, o, a, b) == DT_ERR_DTYPE, "bad dtype");
    float fa[3] = {1, 2, 3}, fb[3] = {1.5f, 1.5f, 1.5f}, fo[3];
    desc_t D3 = mk1(3, 3);
    CHECK_OK(dt_binary(DT_POW, DT_F32, D3.d, fo, fa, fb));
    CHECK(close_d(fo[2], pow(3, 1.5), 1e-6, 0), "pow f32");
  }
  /* descriptor errors and zero-size */
  {
    float a[1], o[1];
    int32_t sh[17] = {0};
    for (int i = 0; i < 17; i++) sh[i] = 1;
    int32_t big[1 + 17 + 3 * 18] = {17};
    CHECK(dt_binary(DT_ADD, DT_F32, big, o, a, a) == DT_ERR_ARG, "ndim 17");
    CHECK(strstr(dt_last_error(), "ndim") != NULL, "ndim msg: %s", dt_last_error());
    int32_t neg[] = {1, -2, 0, 1, 0, 1, 0, 1};
    CHECK(dt_binary(DT_ADD, DT_F32, neg, o, a, a) == DT_ERR_ARG, "negative shape");
    int32_t zs[2] = {3, 0};
    desc_t Z = mkdesc(2, zs, 3, NULL, NULL);
    CHECK_OK(dt_binary(DT_ADD, DT_F32, Z.d, NULL, NULL, NULL)); /* nothing touched */
    int32_t scal[] = {0, 0, 0, 0};
    float s1 = 2, s2 = 5, so;
    CHECK_OK(dt_binary(DT_MUL, DT_F32, scal, &so, &s1, &s2));
    CHECK(so == 10, "0-d binary");
    (void)sh;
  }
}

/* ======================================================================= copy / where / axpy */
static void test_copy(void) {
  const double vals[6] = {-2.7, 0, 1.5, 3, 200, -0.0};
  for (int so = 0; so < DT_DTYPE_COUNT; so++)
    for (int si = 0; si < DT_DTYPE_COUNT; si++) {
      uint8_t src[6 * 8], out[6 * 8];
      for (int i = 0; i < 6; i++) {
        double v = vals[i];
        if (si == DT_U8 || si == DT_BOOL || si == DT_I32 || si == DT_I64) v = fabs(trunc(v));
        setd(si, src, i, v);
      }
      desc_t D = mk1(6, 2);
      CHECK_OK(dt_copy(so, si, D.d, out, src));
      int bad = 0;
      for (int i = 0; i < 6; i++) {
        double v = getd(si, src, i), e;
        if (so == DT_BOOL) e = v != 0;
        else if (so == DT_F32) e = (float)v;
        else if (so == DT_F64) e = v;
        else if (so == DT_U8) e = (v < 0) ? (double)(uint8_t)(int)v : (double)(uint8_t)v;
        else e = trunc(v);
        if (so == DT_I32 || so == DT_I64) e = trunc(v);
        if (getd(so, out, i) != e) bad++;
      }
      CHECK(bad == 0, "copy %d <- %d: %d mismatches", so, si, bad);
    }
  /* strided copy: transpose 3x4 f64 -> f32 */
  double s[12];
  float o[12];
  for (int i = 0; i < 12; i++) s[i] = i;
  int32_t sh[2] = {4, 3}, st_o[2] = {3, 1}, st_s[2] = {1, 4};
  const int32_t* st[2] = {st_o, st_s};
  desc_t D = mkdesc(2, sh, 2, NULL, st);
  CHECK_OK(dt_copy(DT_F32, DT_F64, D.d, o, s));
  int bad = 0;
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 3; j++) if (o[i * 3 + j] != (float)s[j * 4 + i]) bad++;
  CHECK(bad == 0, "transpose copy");
  double nanv = NAN;
  uint8_t b;
  desc_t D1 = mk1(1, 2);
  CHECK_OK(dt_copy(DT_BOOL, DT_F64, D1.d, &b, &nanv));
  CHECK(b == 1, "nan -> bool true");
  CHECK(dt_copy(7, DT_F64, D1.d, &b, &nanv) == DT_ERR_DTYPE, "copy bad dtype");
  /* float -> integer where a C cast is undefined (NaN, out of range: UBSan float-cast-overflow):
   * the x86-64 truncating conversion's results, as PyTorch's CPU casts give there */
  {
    const double fv[6] = {NAN, 1e10, -1e20, 300.7, -2.7, 2147483647.9};
    const int64_t e64[6] = {INT64_MIN, 10000000000LL, INT64_MIN, 300, -2, 2147483647};
    const int32_t e32[6] = {INT32_MIN, INT32_MIN, INT32_MIN, 300, -2, INT32_MAX};
    const uint8_t e8[6] = {0, 0, 0, 44, 254, 255};
    int64_t o64[6];
    int32_t o32[6];
    uint8_t o8[6];
    float ff[6];
    for (int i = 0; i < 6; i++) ff[i] = (float)fv[i];
    desc_t D6 = mk1(6, 2);
    int bad = 0;
    for (int src = 0; src < 2; src++) {
      const void* in = src ? (const void*)fv : (const void*)ff;
      const int32_t sd = src ? DT_F64 : DT_F32;
      CHECK_OK(dt_copy(DT_I64, sd, D6.d, o64, in));
      CHECK_OK(dt_copy(DT_I32, sd, D6.d, o32, in));
      CHECK_OK(dt_copy(DT_U8, sd, D6.d, o8, in));
      for (int i = 0; i < 6; i++) {
        if (!src && i == 5) continue; /* 2147483647.9f rounds to 2^31 */
        if (!src && i == 1) { bad += o64[i] != (int64_t)ff[i]; continue; }
        bad += o64[i] != e64[i] || o32[i] != e32[i] || o8[i] != e8[i];
      }
    }
    CHECK(bad == 0, "float -> int copies out of range: %d wrong", bad);
  }

}

static void test_where_axpy(void) {
  uint8_t c[4] = {1, 0, 1, 0};
  for (int dt = 0; dt < DT_DTYPE_COUNT; dt++) {
    uint8_t a[32], b[32], o[32];
    for (int i = 0; i < 4; i++) { setd(dt, a, i, 1); setd(dt, b, i, 0); }
    desc_t D = mk1(4, 4);
    CHECK_OK(dt_where(dt, D.d, o, c, a, b));
    int bad = 0;
    for (int i = 0; i < 4; i++) if (getd(dt, o, i) != (c[i] ? 1 : 0)) bad++;
    CHECK(bad == 0, "where dtype %d", dt);
  }
  /* broadcast scalar a/b */
  float a = 5, b = -5, o[4];
  int32_t sh[1] = {4}, s0[1] = {1}, s1[1] = {1}, s2[1] = {0}, s3[1] = {0};
  const int32_t* st[4] = {s0, s1, s2, s3};
  desc_t D = mkdesc(1, sh, 4, NULL, st);
  CHECK_OK(dt_where(DT_F32, D.d, o, c, &a, &b));
  CHECK(o[0] == 5 && o[1] == -5 && o[2] == 5 && o[3] == -5, "where broadcast");
  double x[5] = {1, 2, 3, 4, 5}, y[5] = {10, 20, 30, 40, 50};
  CHECK_OK(dt_axpy(DT_F64, 3, 0.5, y, 1, x, 2));
  CHECK(x[0] == 1 && x[1] == 2 && x[2] == 13 && x[3] == 19 && x[4] == 25, "axpy");
  CHECK(dt_axpy(DT_I32, 3, 0.5, y, 1, x, 2) == DT_ERR_DTYPE, "axpy dtype");
  CHECK(dt_axpy(DT_F64, -1, 0.5, y, 1, x, 2) == DT_ERR_ARG, "axpy n<0");
  float fx[70000], fy[70000];
  for (int i = 0; i < 70000; i++) { fx[i] = 1; fy[i] = (float)i; }
  CHECK_OK(dt_axpy(DT_F32, 70000, 2, fy, 0, fx, 0));
  int bad = 0;
  for (int i = 0; i < 70000; i++) if (fx[i] != 1 + 2.f * i) bad++;
  CHECK(bad == 0, "axpy big");
}

/* ======================================================================= unary */
static double sigm(double x) { return 1 / (1 + exp(-x)); }
/* reference in double; returns NAN-coded "skip" via *skip */
static double ref_un(int op, double x, double p0, double p1) {
  switch (op) {
    case DT_NEG: return -x;
    case DT_ABS: return fabs(x);
    case DT_EXP: return exp(x);
    case DT_LOG: return log(x);
    case DT_SQRT: return sqrt(x);
    case DT_RSQRT: return 1 / sqrt(x);
    case DT_SIN: return sin(x);
    case DT_COS: return cos(x);
    case DT_TANH: return tanh(x);
    case DT_SIGMOID: return sigm(x);
    case DT_RELU: return x > 0 ? x : 0;
    case DT_SIGN: return (x > 0) - (x < 0);
    case DT_FLOOR: return floor(x);
    case DT_CEIL: return ceil(x);
    case DT_ROUND: return nearbyint(x);
    case DT_LOG1P: return log1p(x);
    case DT_EXPM1: return expm1(x);
    case DT_RECIPROCAL: return 1 / x;
    case DT_SQUARE: return x * x;
    case DT_LOGICAL_NOT: return x == 0;
    case DT_TRUNC: return trunc(x);
    case DT_ADD_SCALAR: return x + p0;
    case DT_MUL_SCALAR: return x * p0;
    case DT_RSUB_SCALAR: return p0 - x;
    case DT_RDIV_SCALAR: return p0 / x;
    case DT_POW_SCALAR: return pow(x, p0);
    case DT_RPOW_SCALAR: return pow(p0, x);
    case DT_CLAMP: return x < p0 ? p0 : x > p1 ? p1 : x;
    case DT_FILL: return p0;
    case DT_EQ_SCALAR: return x == p0;
    case DT_NE_SCALAR: return x != p0;
    case DT_LT_SCALAR: return x < p0;
    case DT_LE_SCALAR: return x <= p0;
    case DT_GT_SCALAR: return x > p0;
    case DT_GE_SCALAR: return x >= p0;
    case DT_LEAKY_RELU: return x > 0 ? x : x * p0;
    case DT_ELU: return x > 0 ? x : p0 * (exp(x) - 1);
    case DT_SOFTPLUS: return x * p0 > p1 ? x : log(1 + exp(x * p0)) / p0;
    case DT_THRESHOLD: return x > p0 ? x : p1;
    case DT_HARDTANH: return x < p0 ? p0 : x > p1 ? p1 : x;
    case DT_SOFTSHRINK: return x > p0 ? x - p0 : x < -p0 ? x + p0 : 0;
    case DT_SOFTSIGN: return x / (1 + fabs(x));
    case DT_LOG_SIGMOID: return log(sigm(x));
    case DT_ISNAN: return isnan(x);
    case DT_ERF: return erf(x);
    case DT_DIV_SCALAR: return x / p0;
    case DT_GELU: return x * 0.5 * (1 + erf(x / sqrt(2.0)));
    case DT_GELU_TANH: return 0.5 * x * (1 + tanh(sqrt(2 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)));
    case DT_SILU: return x * sigm(x);
    case DT_MISH: return x * tanh(log(1 + exp(x)));
    case DT_HARDSWISH: return x * fmin(fmax(x + 3, 0), 6) / 6;
    case DT_HARDSIGMOID: return fmin(fmax(x + 3, 0), 6) / 6;
    case DT_CELU: return x > 0 ? x : p0 * (exp(x / p0) - 1);
    case DT_SELU: return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (exp(x) - 1));
    case DT_HARDSHRINK: return fabs(x) <= p0 ? 0 : x;
  }
  return NAN;
}
static int un_bool_out(int op) {
  return op == DT_LOGICAL_NOT || op == DT_ISNAN || (op >= DT_EQ_SCALAR && op <= DT_GE_SCALAR);
}
static int un_float_only(int op) {
  switch (op) {
    case DT_EXP: case DT_LOG: case DT_SQRT: case DT_RSQRT: case DT_SIN: case DT_COS: case DT_TANH:
    case DT_SIGMOID: case DT_LOG1P: case DT_EXPM1: case DT_RECIPROCAL: case DT_LEAKY_RELU: case DT_ELU:
    case DT_SOFTPLUS: case DT_SOFTSHRINK: case DT_SOFTSIGN: case DT_LOG_SIGMOID: case DT_ERF:
    case DT_GELU: case DT_GELU_TANH: case DT_SILU: case DT_MISH: case DT_HARDSWISH: case DT_HARDSIGMOID:
    case DT_CELU: case DT_SELU: case DT_HARDSHRINK: return 1;
  }
  return 0;
}

static void test_unary(void) {
  const double xs[8] = {-2.5, -1.0, -0.3, 0.0, 0.2, 0.7, 1.5, 3.0};
  const double pos[8] = {0.1, 0.3, 0.5, 1, 1.7, 2.5, 4, 9};
  for (int op = 0; op < DT_UNARY_COUNT; op++) {
    double p0 = 0.4, p1 = 1.2;
    if (op == DT_SOFTPLUS) { p0 = 2; p1 = 3; }
    if (op == DT_CLAMP || op == DT_HARDTANH) { p0 = -0.5; p1 = 1.0; }
    if (op == DT_POW_SCALAR) p0 = 2.5;
    if (op == DT_RPOW_SCALAR) p0 = 1.7;
    if (op == DT_EQ_SCALAR) p0 = 0.2;
    const int use_pos = op == DT_LOG || op == DT_SQRT || op == DT_RSQRT || op == DT_POW_SCALAR;
    const double* in = use_pos ? pos : xs;
    for (int dt = DT_F32; dt <= DT_F64; dt++) {
      uint8_t a[64], o[64];
      for (int i = 0; i < 8; i++) setd(dt, a, i, in[i]);
      int32_t sh[1] = {8};
      int32_t so[1] = {1}, sa[1] = {1};
      const int32_t* st[2] = {so, sa};
      desc_t D = mkdesc(1, sh, 2, NULL, st);
      CHECK_OK(dt_unary(op, dt, D.d, o, a, p0, p1));
      const int odt = un_bool_out(op) ? DT_BOOL : dt;
      int bad = 0;
      for (int i = 0; i < 8; i++) {
        double x = getd(dt, a, i);
        double e = ref_un(op, x, dt == DT_F32 && !un_bool_out(op) ? (double)(float)p0 : p0, dt == DT_F32 ? (double)(float)p1 : p1);
        if (un_bool_out(op) && dt == DT_F32) e = ref_un(op, x, (float)p0, p1);
        double r = getd(odt, o, i);
        double tol = dt == DT_F32 ? 2e-6 : 1e-14;
        if (!close_d(r, e, tol, tol)) { bad++; printf("  op %d dt %d x=%g got %.17g want %.17g\n", op, dt, x, r, e); }
      }
      CHECK(bad == 0, "unary op %d dtype %d", op, dt);
    }
    /* integer dtypes: float-only ops are rejected; the rest match the double reference */
    for (int dt = DT_I64; dt <= DT_BOOL; dt++) {
      uint8_t a[64], o[64];
      const double iv[6] = {-3, -1, 0, 1, 2, 5};
      for (int i = 0; i < 6; i++) setd(dt, a, i, (dt == DT_U8 || dt == DT_BOOL) ? fabs(iv[i]) : iv[i]);
      desc_t D = mk1(6, 2);
      int32_t st = dt_unary(op, dt, D.d, o, a, 2, 4);
      if (un_float_only(op) || (op == DT_NEG && dt == DT_BOOL)) {
        CHECK(st == DT_ERR_DTYPE, "unary op %d should reject dtype %d", op, dt);
        continue;
      }
      CHECK(st == DT_OK, "unary op %d dtype %d -> %d %s", op, dt, st, dt_last_error());
      if (op == DT_RDIV_SCALAR || op == DT_DIV_SCALAR || op == DT_RPOW_SCALAR || op == DT_POW_SCALAR || dt == DT_BOOL || dt == DT_U8)
        continue; /* integer rounding / wrapping: covered elsewhere */
      const int odt = un_bool_out(op) ? DT_BOOL : dt;
      int bad = 0;
      for (int i = 0; i < 6; i++) {
        double e = ref_un(op, getd(dt, a, i), 2, 4);
        if (getd(odt, o, i) != e) bad++;
      }
      CHECK(bad == 0, "unary int op %d dtype %d", op, dt);
    }
  }
  /* special values */
  {
    double a[6] = {-1000, 1000, NAN, -0.5, 2, INFINITY}, o[6];
    desc_t D = mk1(6, 2);
    CHECK_OK(dt_unary(DT_SIGMOID, DT_F64, D.d, o, a, 0, 0));
    CHECK(o[0] == 0 && o[1] == 1 && isnan(o[2]), "sigmoid extremes");
    CHECK_OK(dt_unary(DT_LOG_SIGMOID, DT_F64, D.d, o, a, 0, 0));
    CHECK(o[0] == -1000 && o[1] == 0 && isnan(o[2]), "log_sigmoid extremes %g %g", o[0], o[1]);
    CHECK_OK(dt_unary(DT_SOFTPLUS, DT_F64, D.d, o, a, 1, 20));
    CHECK(o[0] == 0 && o[1] == 1000 && isnan(o[2]), "softplus extremes");
    CHECK_OK(dt_unary(DT_CLAMP, DT_F64, D.d, o, a, NAN, 1.5));
    CHECK(o[0] == -1000 && o[1] == 1.5 && isnan(o[2]) && o[4] == 1.5, "clamp NaN lo");
    CHECK_OK(dt_unary(DT_CLAMP, DT_F64, D.d, o, a, 0, NAN));
    CHECK(o[0] == 0 && o[1] == 1000 && isnan(o[2]) && o[3] == 0, "clamp NaN hi");
    CHECK_OK(dt_unary(DT_RELU, DT_F64, D.d, o, a, 0, 0));
    CHECK(o[0] == 0 && o[1] == 1000 && isnan(o[2]), "relu nan");
    uint8_t b[6];
    CHECK_OK(dt_unary(DT_ISNAN, DT_F64, D.d, b, a, 0, 0));
    CHECK(b[2] == 1 && b[0] == 0 && b[5] == 0, "isnan");
    float f[6] = {-1000, 1000, NAN, -0.5f, 2, INFINITY}, fo[6];
    CHECK_OK(dt_unary(DT_SIGMOID, DT_F32, D.d, fo, f, 0, 0));
    CHECK(fo[0] == 0 && fo[1] == 1 && isnan(fo[2]), "sigmoid f32 extremes");
    CHECK_OK(dt_unary(DT_LOG_SIGMOID, DT_F32, D.d, fo, f, 0, 0));
    CHECK(fo[0] == -1000 && fo[1] == 0, "log_sigmoid f32 extremes");
    double r[4] = {0.5, 1.5, 2.5, -0.5}, ro[4];
    desc_t D4 = mk1(4, 2);
    CHECK_OK(dt_unary(DT_ROUND, DT_F64, D4.d, ro, r, 0, 0));
    CHECK(ro[0] == 0 && ro[1] == 2 && ro[2] == 2 && ro[3] == 0, "round half even");
    int32_t ia[4] = {-5, 0, 3, 9}, io[4];
    CHECK_OK(dt_unary(DT_CLAMP, DT_I32, D4.d, io, ia, -1, 4));
    CHECK(io[0] == -1 && io[1] == 0 && io[2] == 3 && io[3] == 4, "clamp i32");
    CHECK_OK(dt_unary(DT_FILL, DT_I32, D4.d, io, ia, 7, 0));
    CHECK(io[0] == 7 && io[3] == 7, "fill i32");
    CHECK_OK(dt_unary(DT_RDIV_SCALAR, DT_I32, D4.d, io, ia, 10, 0));
    CHECK(io[0] == -2 && io[1] == 0 && io[2] == 3 && io[3] == 1, "rdiv i32 (div by 0 -> 0)");
    CHECK_OK(dt_unary(DT_POW_SCALAR, DT_I32, D4.d, io, ia, 2, 0));
    CHECK(io[0] == 25 && io[3] == 81, "pow_scalar i32");
    uint8_t lb[4];
    CHECK_OK(dt_unary(DT_LT_SCALAR, DT_I32, D4.d, lb, ia, 2.5, 0));
    CHECK(lb[0] == 1 && lb[1] == 1 && lb[2] == 0 && lb[3] == 0, "lt_scalar i32 with 2.5");
    float fe[1] = {0.1f};
    uint8_t fb;
    desc_t D1 = mk1(1, 2);
    CHECK_OK(dt_unary(DT_EQ_SCALAR, DT_F32, D1.d, &fb, fe, 0.1, 0));
    CHECK(fb == 1, "eq_scalar rounds the scalar to float32 like PyTorch");
    CHECK(dt_unary(999, DT_F32, D1.d, fo, f, 0, 0) == DT_ERR_ARG, "unknown unary");
    CHECK(dt_unary(DT_EXP, DT_I32, D1.d, io, ia, 0, 0) == DT_ERR_DTYPE, "exp int");
    CHECK(strstr(dt_last_error(), "dt_unary") != NULL, "unary msg %s", dt_last_error());
  }
}

/* ======================================================================= unary backward */
static void test_unary_bw(void) {
  /* map backward op -> forward op, whether the backward takes y, params, safe inputs */
  struct { int bw, fw, uses_y; double p0, p1; int positive; } tab[] = {
      {DT_BW_RELU, DT_RELU, 0, 0, 0, 0},           {DT_BW_SIGMOID, DT_SIGMOID, 1, 0, 0, 0},
      {DT_BW_TANH, DT_TANH, 1, 0, 0, 0},           {DT_BW_LEAKY_RELU, DT_LEAKY_RELU, 0, 0.1, 0, 0},
      {DT_BW_ELU, DT_ELU, 0, 1.3, 0, 0},           {DT_BW_SOFTPLUS, DT_SOFTPLUS, 0, 2, 2, 0},
      {DT_BW_THRESHOLD, DT_THRESHOLD, 0, 0.1, -3, 0}, {DT_BW_HARDTANH, DT_HARDTANH, 0, -0.5, 1.0, 0},
      {DT_BW_SOFTSHRINK, DT_SOFTSHRINK, 0, 0.4, 0, 0}, {DT_BW_SOFTSIGN, DT_SOFTSIGN, 0, 0, 0, 0},
      {DT_BW_LOG_SIGMOID, DT_LOG_SIGMOID, 0, 0, 0, 0}, {DT_BW_CLAMP, DT_CLAMP, 0, -0.5, 1.0, 0},
      {DT_BW_ABS, DT_ABS, 0, 0, 0, 0},             {DT_BW_SQRT, DT_SQRT, 1, 0, 0, 1},
      {DT_BW_RSQRT, DT_RSQRT, 1, 0, 0, 1},         {DT_BW_LOG, DT_LOG, 0, 0, 0, 1},
      {DT_BW_EXP, DT_EXP, 1, 0, 0, 0},             {DT_BW_POW_SCALAR, DT_POW_SCALAR, 0, 2.7, 0, 1},
      {DT_BW_RECIPROCAL, DT_RECIPROCAL, 1, 0, 0, 1}, {DT_BW_SIN, DT_SIN, 0, 0, 0, 0},
      {DT_BW_COS, DT_COS, 0, 0, 0, 0},             {DT_BW_LOG1P, DT_LOG1P, 0, 0, 0, 1},
      {DT_BW_EXPM1, DT_EXPM1, 1, 0, 0, 0},         {DT_BW_ERF, DT_ERF, 0, 0, 0, 0},
      {DT_BW_GELU, DT_GELU, 0, 0, 0, 0},           {DT_BW_GELU_TANH, DT_GELU_TANH, 0, 0, 0, 0},
      {DT_BW_SILU, DT_SILU, 0, 0, 0, 0},           {DT_BW_MISH, DT_MISH, 0, 0, 0, 0},
      {DT_BW_HARDSWISH, DT_HARDSWISH, 0, 0, 0, 0}, {DT_BW_HARDSIGMOID, DT_HARDSIGMOID, 0, 0, 0, 0},
      {DT_BW_CELU, DT_CELU, 0, 0.5, 0, 0},          {DT_BW_SELU, DT_SELU, 0, 0, 0, 0},
      {DT_BW_HARDSHRINK, DT_HARDSHRINK, 0, 0.4, 0, 0},
  };
  CHECK(sizeof tab / sizeof tab[0] == DT_UNARY_BW_COUNT, "bw table covers all ops");
  /* avoid kinks: +-0.5, +-1.0, 0.1, 0, +-0.4 */
  const double xs[8] = {-2.3, -0.77, -0.21, 0.13, 0.33, 0.81, 1.37, 2.9};
  const double ps[8] = {0.2, 0.45, 0.7, 1.1, 1.6, 2.2, 3.3, 5.1};
  for (size_t t = 0; t < sizeof tab / sizeof tab[0]; t++) {
    const double* in = tab[t].positive ? ps : xs;
    double x[8], g[8], gin[8], y[8], xp[8], xm[8], yp[8], ym[8];
    const double h = 1e-6;
    for (int i = 0; i < 8; i++) { x[i] = in[i]; g[i] = 0.5 + 0.25 * i; xp[i] = x[i] + h; xm[i] = x[i] - h; }
    desc_t D2 = mk1(8, 2), D3 = mk1(8, 3);
    CHECK_OK(dt_unary(tab[t].fw, DT_F64, D2.d, y, x, tab[t].p0, tab[t].p1));
    CHECK_OK(dt_unary(tab[t].fw, DT_F64, D2.d, yp, xp, tab[t].p0, tab[t].p1));
    CHECK_OK(dt_unary(tab[t].fw, DT_F64, D2.d, ym, xm, tab[t].p0, tab[t].p1));
    CHECK_OK(dt_unary_backward(tab[t].bw, DT_F64, D3.d, gin, g, tab[t].uses_y ? y : x, tab[t].p0, tab[t].p1));
    int bad = 0;
    for (int i = 0; i < 8; i++) {
      double fd = g[i] * (yp[i] - ym[i]) / (2 * h);
      if (!close_d(gin[i], fd, 1e-6, 1e-7)) { bad++; printf("  bw %d x=%g got %.10g fd %.10g\n", tab[t].bw, x[i], gin[i], fd); }
    }
    CHECK(bad == 0, "backward op %d vs finite difference", tab[t].bw);
    /* float32 agrees with float64 */
    float xf[8], gf[8], of[8];
    for (int i = 0; i < 8; i++) { xf[i] = (float)(tab[t].uses_y ? y[i] : x[i]); gf[i] = (float)g[i]; }
    CHECK_OK(dt_unary_backward(tab[t].bw, DT_F32, D3.d, of, gf, xf, tab[t].p0, tab[t].p1));
    bad = 0;
    for (int i = 0; i < 8; i++) if (!close_d(of[i], gin[i], 1e-5, 1e-6)) bad++;
    CHECK(bad == 0, "backward op %d float32", tab[t].bw);
  }
  /* boundary conventions */
  double x[5] = {-0.5, 1.0, 0.0, 0.3, NAN}, g[5] = {1, 1, 1, 1, 1}, o[5];
  desc_t D = mk1(5, 3);
  CHECK_OK(dt_unary_backward(DT_BW_HARDTANH, DT_F64, D.d, o, g, x, -0.5, 1.0));
  CHECK(o[0] == 0 && o[1] == 0 && o[3] == 1, "hardtanh bw strict");
  CHECK_OK(dt_unary_backward(DT_BW_CLAMP, DT_F64, D.d, o, g, x, -0.5, 1.0));
  CHECK(o[0] == 1 && o[1] == 1 && o[3] == 1 && o[4] == 0, "clamp bw inclusive");
  CHECK_OK(dt_unary_backward(DT_BW_CLAMP, DT_F64, D.d, o, g, x, NAN, 0.0));
  CHECK(o[0] == 1 && o[1] == 0 && o[2] == 1, "clamp bw NaN bound");
  CHECK_OK(dt_unary_backward(DT_BW_RELU, DT_F64, D.d, o, g, x, 0, 0));
  CHECK(o[2] == 0 && o[3] == 1, "relu bw at 0");
  CHECK_OK(dt_unary_backward(DT_BW_POW_SCALAR, DT_F64, D.d, o, g, x, 0, 0));
  CHECK(o[0] == 0 && o[2] == 0, "pow bw p=0");
  CHECK_OK(dt_unary_backward(DT_BW_ABS, DT_F64, D.d, o, g, x, 0, 0));
  CHECK(o[0] == -1 && o[2] == 0, "abs bw");
  double big[2] = {-800, 800}, bo[2];
  desc_t D2 = mk1(2, 3);
  CHECK_OK(dt_unary_backward(DT_BW_LOG_SIGMOID, DT_F64, D2.d, bo, g, big, 0, 0));
  CHECK(bo[0] == 1 && bo[1] == 0, "log_sigmoid bw extremes");
  CHECK_OK(dt_unary_backward(DT_BW_SOFTPLUS, DT_F64, D2.d, bo, g, big, 1, 1000));
  CHECK(bo[0] == 0 && bo[1] == 1, "softplus bw extremes (no overflow NaN)");
  /* the modern activations at their kinks and at NaN / infinities (PyTorch's vectorized path) */
  {
    double k[8] = {-3, 3, NAN, INFINITY, -INFINITY, 0, -0.4, 0.4}, kg[8] = {1, 1, 1, 1, 1, 1, 1, 1}, ko[8], ky[8];
    desc_t K3 = mk1(8, 3), K2 = mk1(8, 2);
    CHECK_OK(dt_unary_backward(DT_BW_HARDSWISH, DT_F64, K3.d, ko, kg, k, 0, 0));
    CHECK(ko[0] == -0.5 && ko[1] == 1 && isnan(ko[2]) && ko[3] == 1 && ko[4] == 0 && ko[5] == 0.5,
          "hardswish bw kinks %g %g %g", ko[0], ko[1], ko[2]);
    CHECK_OK(dt_unary_backward(DT_BW_HARDSIGMOID, DT_F64, K3.d, ko, kg, k, 0, 0));
    CHECK(ko[0] == 0 && ko[1] == 0 && ko[2] == 0 && ko[5] == (double)(1.0f / 6.0f), "hardsigmoid bw kinks");
    CHECK_OK(dt_unary_backward(DT_BW_HARDSHRINK, DT_F64, K3.d, ko, kg, k, 0.4, 0));
    CHECK(ko[0] == 1 && ko[2] == 0 && ko[3] == 1 && ko[5] == 0 && ko[6] == 0 && ko[7] == 0, "hardshrink bw kinks");
    CHECK_OK(dt_unary_backward(DT_BW_SELU, DT_F64, K3.d, ko, kg, k, 0, 0));
    CHECK(isnan(ko[2]) && ko[4] == 0 && ko[5] == 1.6732632423543772 * 1.0507009873554805, "selu bw at NaN, -inf, 0");
    CHECK_OK(dt_unary(DT_HARDSWISH, DT_F64, K2.d, ky, k, 0, 0));
    CHECK(ky[0] == 0 && ky[1] == 3 && isnan(ky[2]) && ky[3] == INFINITY && isnan(ky[4]), "hardswish extremes");
    CHECK_OK(dt_unary(DT_GELU, DT_F64, K2.d, ky, k, 0, 0));
    CHECK(isnan(ky[2]) && ky[3] == INFINITY && isnan(ky[4]) && ky[5] == 0, "gelu extremes");
    CHECK_OK(dt_unary(DT_HARDSHRINK, DT_F64, K2.d, ky, k, 0.4, 0));
    CHECK(ky[0] == -3 && isnan(ky[2]) && ky[6] == 0 && ky[7] == 0, "hardshrink closed interval");
    CHECK_OK(dt_unary(DT_CELU, DT_F64, K2.d, ky, k, 2, 0));
    CHECK(ky[4] == -2 && ky[3] == INFINITY && isnan(ky[2]) && ky[5] == 0, "celu extremes");
    /* PyTorch's celu derivative scales by 1 / (float)alpha, not 1 / alpha */
    CHECK_OK(dt_unary_backward(DT_BW_CELU, DT_F64, K3.d, ko, kg, k, 0.3, 0));
    CHECK(ko[5] == 0.3 * (1.0 / (double)0.3f) && ko[5] != 1, "celu bw input scale %.17g", ko[5]);
  }
  int32_t ii[2];
  CHECK(dt_unary_backward(DT_BW_RELU, DT_I32, D2.d, ii, ii, ii, 0, 0) == DT_ERR_DTYPE, "bw int rejected");
  CHECK(dt_unary_backward(77, DT_F64, D2.d, bo, g, big, 0, 0) == DT_ERR_ARG, "bw unknown op");
}

/* ======================================================================= reductions */
static void test_reduce(void) {
  /* x is [2, 3, 4], values i*0.5 - 5 ; reduce over each axis */
  double x[24];
  for (int i = 0; i < 24; i++) x[i] = i * 0.5 - 5 + (i % 5) * 0.25;
  const int shape[3] = {2, 3, 4};
  for (int axis = 0; axis < 3; axis++) {
    int outer = 1, inner = 1, n = shape[axis];
    for (int d = 0; d < axis; d++) outer *= shape[d];
    for (int d = axis + 1; d < 3; d++) inner *= shape[d];
    for (int op = 0; op < DT_REDUCE_COUNT; op++) {
      double pvals[5] = {1, 2, 3.5, INFINITY, 0};
      int np = op == DT_RED_NORM ? 5 : 1;
      for (int pi = 0; pi < np; pi++) {
        double p0 = op == DT_RED_NORM ? pvals[pi] : op == DT_RED_VAR ? 1 : 0;
        for (int dt = DT_F32; dt <= DT_F64; dt++) {
          uint8_t in[24 * 8 + 16], out[24 * 8];
          for (int i = 0; i < 24; i++) setd(dt, in, i + 2, x[i]); /* in_off = 2 */
          CHECK_OK(dt_reduce(op, dt, outer, n, inner, in, 2, out, p0));
          const int odt = (op == DT_RED_ARGMAX || op == DT_RED_ARGMIN) ? DT_I64
                          : (op == DT_RED_ANY || op == DT_RED_ALL) ? DT_BOOL : dt;
          int bad = 0;
          for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++) {
              double v[8];
              for (int j = 0; j < n; j++) v[j] = getd(dt, in, 2 + (o * n + j) * inner + i);
              double e = 0, s = 0, m;
              int idx = 0;
              switch (op) {
                case DT_RED_SUM: for (int j = 0; j < n; j++) e += v[j]; break;
                case DT_RED_MEAN: for (int j = 0; j < n; j++) e += v[j]; e /= n; break;
                case DT_RED_PROD: e = 1; for (int j = 0; j < n; j++) e *= v[j]; break;
                case DT_RED_MAX: case DT_RED_ARGMAX:
                  e = v[0];
                  for (int j = 1; j < n; j++) if (v[j] > e) { e = v[j]; idx = j; }
                  if (op == DT_RED_ARGMAX) e = idx;
                  break;
                case DT_RED_MIN: case DT_RED_ARGMIN:
                  e = v[0];
                  for (int j = 1; j < n; j++) if (v[j] < e) { e = v[j]; idx = j; }
                  if (op == DT_RED_ARGMIN) e = idx;
                  break;
                case DT_RED_NORM:
                  if (isinf(p0)) { for (int j = 0; j < n; j++) if (fabs(v[j]) > e) e = fabs(v[j]); }
                  else if (p0 == 0) { for (int j = 0; j < n; j++) e += v[j] != 0; }
                  else { for (int j = 0; j < n; j++) e += pow(fabs(v[j]), p0); e = pow(e, 1 / p0); }
                  break;
                case DT_RED_ANY: for (int j = 0; j < n; j++) e = e || v[j] != 0; break;
                case DT_RED_ALL: e = 1; for (int j = 0; j < n; j++) e = e && v[j] != 0; break;
                case DT_RED_VAR:
                  for (int j = 0; j < n; j++) s += v[j];
                  m = s / n;
                  for (int j = 0; j < n; j++) e += (v[j] - m) * (v[j] - m);
                  e /= (n - 1); break;
                case DT_RED_LOGSUMEXP: for (int j = 0; j < n; j++) e += exp(v[j]); e = log(e); break;
              }
              double r = getd(odt, out, o * inner + i);
              double tol = dt == DT_F32 ? 1e-5 : 1e-12;
              if (!close_d(r, e, tol, tol)) { bad++; printf("  red op %d axis %d p %g: got %g want %g\n", op, axis, p0, r, e); }
            }
          CHECK(bad == 0, "reduce op %d axis %d dtype %d p0 %g", op, axis, dt, p0);
        }
      }
    }
  }
  /* NaN propagation and ties */
  {
    double v[6] = {1, 3, NAN, 3, NAN, -1}, o[1];
    int64_t io[1];
    CHECK_OK(dt_reduce(DT_RED_MAX, DT_F64, 1, 6, 1, v, 0, o, 0));
    CHECK(isnan(o[0]), "max nan");
    CHECK_OK(dt_reduce(DT_RED_MIN, DT_F64, 1, 6, 1, v, 0, o, 0));
    CHECK(isnan(o[0]), "min nan");
    CHECK_OK(dt_reduce(DT_RED_ARGMAX, DT_F64, 1, 6, 1, v, 0, io, 0));
    CHECK(io[0] == 2, "argmax first nan %lld", (long long)io[0]);
    CHECK_OK(dt_reduce(DT_RED_ARGMAX, DT_F64, 1, 2, 1, v + 1, 0, io, 0));
    CHECK(io[0] == 1, "argmax picks the NaN after a larger value");
    double tie[5] = {2, 7, 1, 7, 1};
    CHECK_OK(dt_reduce(DT_RED_ARGMAX, DT_F64, 1, 5, 1, tie, 0, io, 0));
    CHECK(io[0] == 1, "argmax first of ties");
    CHECK_OK(dt_reduce(DT_RED_ARGMIN, DT_F64, 1, 5, 1, tie, 0, io, 0));
    CHECK(io[0] == 2, "argmin first of ties");
    CHECK_OK(dt_reduce(DT_RED_SUM, DT_F64, 1, 6, 1, v, 0, o, 0));
    CHECK(isnan(o[0]), "sum nan");
    double ninf[3] = {-INFINITY, -INFINITY, -INFINITY}, pinf[3] = {1, INFINITY, 2};
    CHECK_OK(dt_reduce(DT_RED_LOGSUMEXP, DT_F64, 1, 3, 1, ninf, 0, o, 0));
    CHECK(isinf(o[0]) && o[0] < 0, "lse all -inf");
    CHECK_OK(dt_reduce(DT_RED_LOGSUMEXP, DT_F64, 1, 3, 1, pinf, 0, o, 0));
    CHECK(isinf(o[0]) && o[0] > 0, "lse +inf");
    double big[2] = {1000, 1000};
    CHECK_OK(dt_reduce(DT_RED_LOGSUMEXP, DT_F64, 1, 2, 1, big, 0, o, 0));
    CHECK(close_d(o[0], 1000 + log(2), 1e-14, 0), "lse stable");
    double nv[4] = {3, -4, 0, 1};
    CHECK_OK(dt_reduce(DT_RED_NORM, DT_F64, 1, 4, 1, nv, 0, o, -INFINITY));
    CHECK(o[0] == 0, "norm -inf");
    CHECK_OK(dt_reduce(DT_RED_NORM, DT_F64, 1, 4, 1, nv, 0, o, 0));
    CHECK(o[0] == 3, "norm 0");
    CHECK_OK(dt_reduce(DT_RED_VAR, DT_F64, 1, 4, 1, nv, 0, o, 0));
    CHECK(close_d(o[0], 6.5, 1e-14, 0), "var biased %g", o[0]);
    float f[4] = {1, 2, 3, 4}, fo[1];
    CHECK_OK(dt_reduce(DT_RED_VAR, DT_F32, 1, 4, 1, f, 0, fo, 1));
    CHECK(close_d(fo[0], 5.0 / 3, 1e-6, 0), "var unbiased f32");
  }
  /* integer dtypes */
  {
    int32_t a[6] = {5, -2, 9, 9, 0, 3}, o[2];
    int64_t io[2];
    CHECK_OK(dt_reduce(DT_RED_SUM, DT_I32, 2, 3, 1, a, 0, o, 0));
    CHECK(o[0] == 12 && o[1] == 12, "sum i32");
    CHECK_OK(dt_reduce(DT_RED_PROD, DT_I32, 1, 3, 2, a, 0, o, 0));
    CHECK(o[0] == 0 && o[1] == -54, "prod i32 inner");
    CHECK_OK(dt_reduce(DT_RED_MAX, DT_I32, 1, 6, 1, a, 0, o, 0));
    CHECK(o[0] == 9, "max i32");
    CHECK_OK(dt_reduce(DT_RED_ARGMAX, DT_I32, 1, 6, 1, a, 0, io, 0));
    CHECK(io[0] == 2, "argmax i32 tie");
    uint8_t bb[4] = {0, 1, 1, 1}, bo[2];
    CHECK_OK(dt_reduce(DT_RED_ANY, DT_BOOL, 2, 2, 1, bb, 0, bo, 0));
    CHECK(bo[0] == 1 && bo[1] == 1, "any bool");
    CHECK_OK(dt_reduce(DT_RED_ALL, DT_BOOL, 2, 2, 1, bb, 0, bo, 0));
    CHECK(bo[0] == 0 && bo[1] == 1, "all bool");
    CHECK_OK(dt_reduce(DT_RED_MAX, DT_BOOL, 1, 4, 1, bb, 0, bo, 0));
    CHECK(bo[0] == 1, "max bool");
    uint8_t u[3] = {200, 100, 1}, uo[1];
    CHECK_OK(dt_reduce(DT_RED_SUM, DT_U8, 1, 3, 1, u, 0, uo, 0));
    CHECK(uo[0] == (uint8_t)301, "sum u8 wraps");
    CHECK(dt_reduce(DT_RED_MEAN, DT_I32, 1, 6, 1, a, 0, o, 0) == DT_ERR_DTYPE, "mean int rejected");
    CHECK(dt_reduce(DT_RED_SUM, DT_BOOL, 1, 4, 1, bb, 0, bo, 0) == DT_ERR_DTYPE, "sum bool rejected");
  }
  /* n == 0 */
  {
    double o[3] = {7, 7, 7};
    double dummy = 0;
    CHECK_OK(dt_reduce(DT_RED_SUM, DT_F64, 3, 0, 1, &dummy, 0, o, 0));
    CHECK(o[0] == 0 && o[2] == 0, "sum empty");
    CHECK_OK(dt_reduce(DT_RED_PROD, DT_F64, 3, 0, 1, &dummy, 0, o, 0));
    CHECK(o[0] == 1, "prod empty");
    CHECK_OK(dt_reduce(DT_RED_MEAN, DT_F64, 3, 0, 1, &dummy, 0, o, 0));
    CHECK(isnan(o[0]), "mean empty");
    CHECK(dt_reduce(DT_RED_MAX, DT_F64, 3, 0, 1, &dummy, 0, o, 0) == DT_ERR_ARG, "max empty");
    CHECK(strstr(dt_last_error(), "dt_reduce") != NULL, "max empty msg");
    int64_t idx[1];
    CHECK(dt_reduce_maxmin(0, DT_F64, 1, 0, 1, &dummy, 0, o, idx) == DT_ERR_ARG, "maxmin empty");
    CHECK_OK(dt_reduce(DT_RED_SUM, DT_F64, 0, 5, 1, NULL, 0, NULL, 0));
    CHECK(dt_reduce(DT_RED_SUM, DT_F64, -1, 5, 1, NULL, 0, NULL, 0) == DT_ERR_ARG, "negative outer");
  }
  /* large reductions: thread-count independence and accuracy */
  {
    const int N = 1 << 20;
    float* a = malloc(sizeof(float) * N);
    double ref = 0;
    for (int i = 0; i < N; i++) { a[i] = (float)((i % 1000) * 0.001 - 0.3); ref += a[i]; }
    float s1, s4;
    int32_t t = dt_get_num_threads();
    dt_set_num_threads(1);
    CHECK_OK(dt_reduce(DT_RED_SUM, DT_F32, 1, N, 1, a, 0, &s1, 0));
    dt_set_num_threads(4);
    CHECK_OK(dt_reduce(DT_RED_SUM, DT_F32, 1, N, 1, a, 0, &s4, 0));
    dt_set_num_threads(t);
    CHECK(s1 == s4, "sum independent of thread count %.9g %.9g", s1, s4);
    CHECK(close_d(s1, ref, 1e-6, 1e-3), "big sum %.9g vs %.9g", s1, ref);
    /* [64, 128, 128] over the middle dim vs naive */
    float* o = malloc(sizeof(float) * 64 * 128);
    CHECK_OK(dt_reduce(DT_RED_SUM, DT_F32, 64, 128, 128, a, 0, o, 0));
    int bad = 0;
    for (int oo = 0; oo < 64; oo++)
      for (int i = 0; i < 128; i++) {
        double e = 0;
        for (int j = 0; j < 128; j++) e += a[(oo * 128 + j) * 128 + i];
        if (!close_d(o[oo * 128 + i], e, 1e-6, 1e-5)) bad++;
      }
    CHECK(bad == 0, "big middle-dim sum %d", bad);
    free(a); free(o);
  }
  /* reduce_maxmin */
  {
    float v[12] = {1, 5, 3, NAN, 2, 2, 7, 0, -1, 4, 4, 9};
    float vals[4];
    int64_t idx[4];
    /* [1, 3, 4] over n = 3 */
    CHECK_OK(dt_reduce_maxmin(0, DT_F32, 1, 3, 4, v, 0, vals, idx));
    CHECK(vals[0] == 2 && idx[0] == 1 && vals[1] == 5 && idx[1] == 0 && vals[2] == 7 && idx[2] == 1 &&
              isnan(vals[3]) && idx[3] == 0, "maxmin max");
    CHECK_OK(dt_reduce_maxmin(1, DT_F32, 1, 3, 4, v, 0, vals, idx));
    CHECK(vals[0] == -1 && idx[0] == 2 && vals[1] == 2 && idx[1] == 1 && isnan(vals[3]), "maxmin min");
    int64_t iv[4] = {3, 3, 1, 3};
    int64_t ivo[1];
    CHECK_OK(dt_reduce_maxmin(0, DT_I64, 1, 4, 1, iv, 0, ivo, idx));
    CHECK(ivo[0] == 3 && idx[0] == 0, "maxmin i64 tie");
  }
}

/* ======================================================================= gemm */
static void naive_gemm(int ta, int tb, int m, int n, int k, double alpha, const double* a, int lda, const double* b,
                       int ldb, double beta, double* c, int ldc) {
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int p = 0; p < k; p++) s += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
      c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j]);
    }
}

static void gemm_case(int dt, int ta, int tb, int m, int n, int k, double alpha, double beta, int pad) {
  const int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
  const int arows = ta ? k : m, brows = tb ? n : k;
  const int aoff = 3, boff = 5, coff = 7;
  size_t asz = (size_t)aoff + arows * lda + 1, bsz = (size_t)boff + brows * ldb + 1, csz = (size_t)coff + m * ldc + 1;
  double* a = malloc(asz * 8);
  double* b = malloc(bsz * 8);
  double* c = malloc(csz * 8);
  double* cr = malloc(csz * 8);
  for (size_t i = 0; i < asz; i++) a[i] = (double)((i * 7) % 19) / 19 - 0.4;
  for (size_t i = 0; i < bsz; i++) b[i] = (double)((i * 11) % 23) / 23 - 0.6;
  for (size_t i = 0; i < csz; i++) c[i] = cr[i] = beta == 0 ? NAN : (double)(i % 5) - 2;
  naive_gemm(ta, tb, m, n, k, alpha, a + aoff, lda, b + boff, ldb, beta, cr + coff, ldc);
  int bad = 0;
  if (dt == DT_F64) {
    CHECK_OK(dt_gemm(DT_F64, ta, tb, m, n, k, alpha, a, aoff, lda, b, boff, ldb, beta, c, coff, ldc));
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) if (!close_d(c[coff + i * ldc + j], cr[coff + i * ldc + j], 1e-12, 1e-12)) bad++;
  } else {
    float *af = malloc(asz * 4), *bf = malloc(bsz * 4), *cf = malloc(csz * 4);
    for (size_t i = 0; i < asz; i++) af[i] = (float)a[i];
    for (size_t i = 0; i < bsz; i++) bf[i] = (float)b[i];
    for (size_t i = 0; i < csz; i++) cf[i] = (float)c[i];
    CHECK_OK(dt_gemm(DT_F32, ta, tb, m, n, k, alpha, af, aoff, lda, bf, boff, ldb, beta, cf, coff, ldc));
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) if (!close_d(cf[coff + i * ldc + j], cr[coff + i * ldc + j], 1e-4, 1e-4)) bad++;
    /* padding untouched */
    if (pad) for (int i = 0; i < m; i++) for (int j = n; j < ldc && i * ldc + j + coff < (int)csz - 1; j++)
      if (!(isnan(cf[coff + i * ldc + j]) && isnan(c[coff + i * ldc + j])) && cf[coff + i * ldc + j] != (float)c[coff + i * ldc + j]) bad++;
    free(af); free(bf); free(cf);
  }
  CHECK(bad == 0, "gemm dt %d ta %d tb %d %dx%dx%d alpha %g beta %g pad %d: %d bad", dt, ta, tb, m, n, k, alpha, beta,
        pad, bad);
  free(a); free(b); free(c); free(cr);
}

static void test_gemm(void) {
  for (int dt = DT_F32; dt <= DT_F64; dt++)
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++) {
        gemm_case(dt, ta, tb, 37, 53, 29, 1.0, 0.0, 0);
        gemm_case(dt, ta, tb, 37, 53, 29, 0.7, -1.3, 3);
        gemm_case(dt, ta, tb, 1, 1, 1, 2.0, 1.0, 0);
        gemm_case(dt, ta, tb, 70, 300, 270, 1.0, 0.5, 1); /* several tiles and K slices, threaded */
        gemm_case(dt, ta, tb, 5, 7, 0, 1.0, 0.5, 0);      /* k == 0: C = beta * C */
        gemm_case(dt, ta, tb, 5, 7, 0, 1.0, 0.0, 0);      /* k == 0, beta == 0: zeros */
      }
  /* zero-size m / n: no-op */
  double c = 42;
  CHECK_OK(dt_gemm(DT_F64, 0, 0, 0, 5, 3, 1, NULL, 0, 3, NULL, 0, 5, 0, NULL, 0, 5));
  CHECK_OK(dt_gemm(DT_F64, 0, 0, 1, 0, 3, 1, NULL, 0, 3, NULL, 0, 0, 0, &c, 0, 0));
  CHECK(c == 42, "n == 0 leaves C");
  CHECK(dt_gemm(DT_BOOL, 0, 0, 1, 1, 1, 1, &c, 0, 1, &c, 0, 1, 0, &c, 0, 1) == DT_ERR_DTYPE, "gemm bool");
  /* integer products: exact, wrapping like PyTorch's (uint8 modulo 256, int32 modulo 2^32) */
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++) {
      enum { M = 5, N = 70, K = 300 }; /* several K slices and a partial row block */
      static int64_t ai[M * K], bi[K * N], ci[M * N];
      static int32_t a32[M * K], b32[K * N], c32[M * N];
      static uint8_t a8[M * K], b8[K * N], c8[M * N];
      for (int i = 0; i < M * K; i++) {
        ai[i] = ((int64_t)i * 7919) % 2001 - 1000;
        a32[i] = (int32_t)(ai[i] * 70001); /* products overflow int32 */
        a8[i] = (uint8_t)(i * 31);
      }
      for (int i = 0; i < K * N; i++) {
        bi[i] = ((int64_t)i * 104729) % 1999 - 999;
        b32[i] = (int32_t)(bi[i] * 65537);
        b8[i] = (uint8_t)(i * 17 + 3);
      }
      CHECK_OK(dt_gemm(DT_I64, ta, tb, M, N, K, 1, ai, 0, ta ? M : K, bi, 0, tb ? K : N, 0, ci, 0, N));
      CHECK_OK(dt_gemm(DT_I32, ta, tb, M, N, K, 1, a32, 0, ta ? M : K, b32, 0, tb ? K : N, 0, c32, 0, N));
      CHECK_OK(dt_gemm(DT_U8, ta, tb, M, N, K, 1, a8, 0, ta ? M : K, b8, 0, tb ? K : N, 0, c8, 0, N));
      int bad = 0;
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
          int64_t s64 = 0;
          uint32_t s32 = 0;
          unsigned s8 = 0;
          for (int p = 0; p < K; p++) {
            const int ia = ta ? p * M + i : i * K + p, ib = tb ? j * K + p : p * N + j;
            s64 += ai[ia] * bi[ib];
            s32 += (uint32_t)a32[ia] * (uint32_t)b32[ib];
            s8 += (unsigned)a8[ia] * b8[ib];
          }
          bad += ci[i * N + j] != s64 || (uint32_t)c32[i * N + j] != s32 || c8[i * N + j] != (uint8_t)s8;
        }
      CHECK(bad == 0, "integer gemm ta=%d tb=%d: %d wrong", ta, tb, bad);
    }
  /* integer alpha/beta convert like PyTorch's scalar casts (truncate, wrap): uint8 -1 is 255,
   * int32 2^32 + 3 is 3. A plain C cast of -1.0 to uint8_t was undefined (UBSan
   * float-cast-overflow); the k == 0 path scales C by the converted beta too. */
  {
    uint8_t ua[2] = {3, 5}, ub[2] = {7, 11}, uc[1] = {2};
    CHECK_OK(dt_gemm(DT_U8, 0, 0, 1, 1, 2, -1, ua, 0, 2, ub, 0, 1, -1, uc, 0, 1));
    CHECK(uc[0] == (uint8_t)(255u * 76u + 255u * 2u), "u8 gemm alpha=-1 beta=-1: %u", uc[0]);
    CHECK_OK(dt_gemm(DT_U8, 0, 0, 1, 1, 0, 1, ua, 0, 2, ub, 0, 1, -2.5, uc, 0, 1));
    CHECK(uc[0] == (uint8_t)(254u * (uint8_t)(255u * 76u + 255u * 2u)), "u8 gemm k=0 beta=-2.5: %u", uc[0]);
    int32_t ia[2] = {3, 5}, ib[2] = {7, 11}, ic[1] = {2};
    CHECK_OK(dt_gemm(DT_I32, 0, 0, 1, 1, 2, 4294967299.0, ia, 0, 2, ib, 0, 1, -4294967295.0, ic, 0, 1));
    CHECK(ic[0] == 3 * 76 + 1 * 2, "i32 gemm alpha=2^32+3: %d", (int)ic[0]);
    int64_t la[2] = {3, 5}, lb[2] = {7, 11}, lc[1] = {2};
    CHECK_OK(dt_gemm(DT_I64, 0, 0, 1, 1, 2, -2.9, la, 0, 2, lb, 0, 1, 1e30, lc, 0, 1));
    CHECK(lc[0] == (int64_t)((uint64_t)-2 * 76u + (uint64_t)INT64_MAX * 2u), "i64 gemm saturated beta: %lld",
          (long long)lc[0]);
  }
  CHECK(dt_gemm(DT_F64, 0, 0, 2, 2, 3, 1, &c, 0, 2, &c, 0, 2, 0, &c, 0, 2) == DT_ERR_ARG, "gemm bad lda");
  CHECK(strstr(dt_last_error(), "lda") != NULL, "lda msg %s", dt_last_error());
  CHECK(dt_gemm(DT_F64, 0, 0, -1, 2, 3, 1, &c, 0, 3, &c, 0, 2, 0, &c, 0, 2) == DT_ERR_ARG, "gemm m<0");
  /* batched: a broadcast over the batch (stride 0), b and c strided */
  for (int dt = DT_F32; dt <= DT_F64; dt++) {
    const int B = 5, m = 9, n = 11, k = 13;
    double a[9 * 13], b[5 * 13 * 11], cc[5 * 9 * 11], cr[5 * 9 * 11];
    for (int i = 0; i < m * k; i++) a[i] = (i % 7) * 0.25 - 0.5;
    for (int i = 0; i < B * k * n; i++) b[i] = (i % 9) * 0.125 - 0.3;
    for (int i = 0; i < B * m * n; i++) cc[i] = cr[i] = i % 3;
    for (int t = 0; t < B; t++) naive_gemm(0, 1, m, n, k, 1.5, a, k, b + t * k * n, k, 0.5, cr + t * m * n, n);
    int bad = 0;
    if (dt == DT_F64) {
      CHECK_OK(dt_gemm_batched(DT_F64, B, 0, 1, m, n, k, 1.5, a, 0, k, 0, b, 0, k, k * n, 0.5, cc, 0, n, m * n));
      for (int i = 0; i < B * m * n; i++) if (!close_d(cc[i], cr[i], 1e-12, 1e-12)) bad++;
    } else {
      float af[9 * 13], bf[5 * 13 * 11], cf[5 * 9 * 11];
      for (int i = 0; i < m * k; i++) af[i] = (float)a[i];
      for (int i = 0; i < B * k * n; i++) bf[i] = (float)b[i];
      for (int i = 0; i < B * m * n; i++) cf[i] = (float)cc[i];
      CHECK_OK(dt_gemm_batched(DT_F32, B, 0, 1, m, n, k, 1.5, af, 0, k, 0, bf, 0, k, k * n, 0.5, cf, 0, n, m * n));
      for (int i = 0; i < B * m * n; i++) if (!close_d(cf[i], cr[i], 1e-5, 1e-5)) bad++;
    }
    CHECK(bad == 0, "gemm_batched dt %d: %d bad", dt, bad);
  }
  CHECK_OK(dt_gemm_batched(DT_F32, 0, 0, 0, 3, 3, 3, 1, NULL, 0, 3, 9, NULL, 0, 3, 9, 0, NULL, 0, 3, 9));
  CHECK(dt_gemm_batched(DT_F32, 2, 0, 0, 3, 3, 3, 1, &c, 0, 3, 9, &c, 0, 3, 9, 0, &c, 0, 3, 0) == DT_ERR_ARG,
        "batched stride_c 0");
}

/* ======================================================================= indexing */
static void test_index(void) {
  /* src [2, 4, 3] */
  float src[24];
  for (int i = 0; i < 24; i++) src[i] = (float)i;
  {
    int64_t idx[3] = {3, 0, 3};
    float out[18];
    CHECK_OK(dt_index_select(DT_F32, 2, 4, 3, 3, src, idx, out));
    int bad = 0;
    for (int o = 0; o < 2; o++)
      for (int j = 0; j < 3; j++)
        for (int i = 0; i < 3; i++) if (out[(o * 3 + j) * 3 + i] != src[(o * 4 + idx[j]) * 3 + i]) bad++;
    CHECK(bad == 0, "index_select");
    int64_t badidx[2] = {1, 12};
    for (int i = 0; i < 18; i++) out[i] = -1;
    CHECK(dt_index_select(DT_F32, 2, 10, 2, 3, src, badidx, out) == DT_ERR_INDEX, "index_select bad");
    CHECK(strcmp(dt_last_error(), "dt_index_select: index 12 is out of range for dimension of size 10") == 0,
          "msg '%s'", dt_last_error());
    CHECK(out[0] == -1, "nothing written on error");
    int64_t negidx[1] = {-1};
    CHECK(dt_index_select(DT_F32, 2, 4, 1, 3, src, negidx, out) == DT_ERR_INDEX, "negative index");
    CHECK(strstr(dt_last_error(), "index -1") != NULL, "neg msg %s", dt_last_error());
    CHECK_OK(dt_index_select(DT_F32, 2, 4, 0, 3, src, NULL, out));
  }
  {
    /* index_add with duplicates: out [2, 4, 3] += src2 [2, 3, 3] at rows idx */
    int64_t idx[3] = {1, 1, 3};
    double s2[18], out[24] = {0}, ref[24] = {0};
    for (int i = 0; i < 18; i++) s2[i] = i + 1;
    for (int o = 0; o < 2; o++)
      for (int j = 0; j < 3; j++)
        for (int i = 0; i < 3; i++) ref[(o * 4 + idx[j]) * 3 + i] += s2[(o * 3 + j) * 3 + i];
    CHECK_OK(dt_index_add(DT_F64, 2, 4, 3, 3, s2, idx, out));
    int bad = 0;
    for (int i = 0; i < 24; i++) if (out[i] != ref[i]) bad++;
    CHECK(bad == 0, "index_add");
    int64_t bi[3] = {0, 4, 1};
    CHECK(dt_index_add(DT_F64, 2, 4, 3, 3, s2, bi, out) == DT_ERR_INDEX, "index_add bad");
    CHECK(strstr(dt_last_error(), "dt_index_add: index 4 is out of range for dimension of size 4") != NULL, "%s",
          dt_last_error());
    for (int i = 0; i < 24; i++) if (out[i] != ref[i]) bad++;
    CHECK(bad == 0, "index_add untouched on error");
    int32_t is[2] = {5, 6}, io[2] = {1, 1};
    int64_t ii[2] = {1, 1};
    CHECK_OK(dt_index_add(DT_I32, 1, 2, 2, 1, is, ii, io));
    CHECK(io[0] == 1 && io[1] == 12, "index_add i32");
  }
  {
    /* gather / scatter on [2, n, 3] */
    int64_t idx[12];
    for (int i = 0; i < 12; i++) idx[i] = (i * 5) % 4;
    float out[12];
    CHECK_OK(dt_gather(DT_F32, 2, 4, 2, 3, src, idx, out));
    int bad = 0;
    for (int o = 0; o < 2; o++)
      for (int j = 0; j < 2; j++)
        for (int i = 0; i < 3; i++) {
          int64_t t = (o * 2 + j) * 3 + i;
          if (out[t] != src[(o * 4 + idx[t]) * 3 + i]) bad++;
        }
    CHECK(bad == 0, "gather");
    idx[7] = 9;
    CHECK(dt_gather(DT_F32, 2, 4, 2, 3, src, idx, out) == DT_ERR_INDEX, "gather bad");
    CHECK(strstr(dt_last_error(), "dt_gather: index 9 is out of range for dimension of size 4") != NULL, "%s",
          dt_last_error());
    /* scatter: out [1, 3, 2]; src [1, 2, 2]; duplicates -> last wins; accumulate adds */
    int64_t sidx[4] = {2, 0, 2, 1};
    int64_t ssrc[4] = {10, 20, 30, 40};
    int64_t sout[6] = {0, 0, 0, 0, 0, 0};
    CHECK_OK(dt_scatter(DT_I64, 0, 1, 3, 2, 2, ssrc, sidx, sout));
    CHECK(sout[4] == 30 && sout[1] == 20 && sout[3] == 40 && sout[0] == 0, "scatter last wins");
    int64_t aout[6] = {1, 1, 1, 1, 1, 1};
    CHECK_OK(dt_scatter(DT_I64, 1, 1, 3, 2, 2, ssrc, sidx, aout));
    CHECK(aout[4] == 41 && aout[1] == 21 && aout[3] == 41 && aout[0] == 1, "scatter add");
    sidx[3] = 3;
    CHECK(dt_scatter(DT_I64, 1, 1, 3, 2, 2, ssrc, sidx, aout) == DT_ERR_INDEX, "scatter bad");
    CHECK(aout[4] == 41, "scatter untouched on error");
    uint8_t bsrc[2] = {1, 1}, bout[2] = {0, 1};
    int64_t bidx[2] = {0, 0};
    CHECK_OK(dt_scatter(DT_BOOL, 1, 1, 2, 2, 1, bsrc, bidx, bout));
    CHECK(bout[0] == 1 && bout[1] == 1, "scatter add bool stays 0/1");
    CHECK(dt_scatter(DT_F32, 0, -1, 3, 2, 2, src, sidx, out) == DT_ERR_ARG, "scatter negative outer");
  }
  {
    /* large index_select / gather for the parallel path */
    const int R = 5000, C = 16;
    float* s = malloc(sizeof(float) * R * C);
    float* o = malloc(sizeof(float) * R * C);
    int64_t* id = malloc(sizeof(int64_t) * R);
    for (int i = 0; i < R * C; i++) s[i] = (float)i;
    for (int i = 0; i < R; i++) id[i] = (i * 7919) % R;
    CHECK_OK(dt_index_select(DT_F32, 1, R, R, C, s, id, o));
    int bad = 0;
    for (int j = 0; j < R; j++)
      for (int i = 0; i < C; i++) if (o[j * C + i] != s[id[j] * C + i]) bad++;
    CHECK(bad == 0, "big index_select");
    /* embedding-backward shape: outer = 1, many duplicate rows, wide inner (column-split path) */
    const int V = 50, D = 300, NI = 400;
    double* g = malloc(sizeof(double) * NI * D);
    double* acc = calloc((size_t)V * D, sizeof(double));
    double* ref = calloc((size_t)V * D, sizeof(double));
    int64_t* ix = malloc(sizeof(int64_t) * NI);
    for (int j = 0; j < NI; j++) ix[j] = (j * 13) % V;
    for (int i = 0; i < NI * D; i++) g[i] = (i % 17) * 0.25;
    for (int j = 0; j < NI; j++) for (int i = 0; i < D; i++) ref[ix[j] * D + i] += g[j * D + i];
    int32_t t = dt_get_num_threads();
    dt_set_num_threads(4);
    CHECK_OK(dt_index_add(DT_F64, 1, V, NI, D, g, ix, acc));
    dt_set_num_threads(t);
    bad = 0;
    for (int i = 0; i < V * D; i++) if (acc[i] != ref[i]) bad++;
    CHECK(bad == 0, "big index_add (exact, fixed order)");
    free(g); free(acc); free(ref); free(ix);
    free(s); free(o); free(id);
  }
}

/* ======================================================================= random */
static void test_random(void) {
  const int N = 200000;
  float* a = malloc(sizeof(float) * N);
  float* b = malloc(sizeof(float) * N);
  double* d = malloc(sizeof(double) * N);
  int32_t t = dt_get_num_threads();
  dt_set_num_threads(1);
  CHECK_OK(dt_rand_uniform(DT_F32, N, a, 0, 42, 7, -2, 3));
  dt_set_num_threads(4);
  CHECK_OK(dt_rand_uniform(DT_F32, N, b, 0, 42, 7, -2, 3));
  dt_set_num_threads(t);
  CHECK(memcmp(a, b, sizeof(float) * N) == 0, "uniform independent of threads");
  double s = 0, mn = 1e9, mx = -1e9;
  for (int i = 0; i < N; i++) { s += a[i]; if (a[i] < mn) mn = a[i]; if (a[i] > mx) mx = a[i]; }
  CHECK(mn >= -2 && mx < 3 && fabs(s / N - 0.5) < 0.02, "uniform range/mean %g %g %g", mn, mx, s / N);
  CHECK_OK(dt_rand_uniform(DT_F32, N, b, 0, 42, 8, -2, 3));
  CHECK(memcmp(a, b, sizeof(float) * N) != 0, "streams differ");
  /* offset: element i of the call goes to out[off + i] and equals the un-offset draw */
  CHECK_OK(dt_rand_uniform(DT_F32, 10, b, 5, 42, 7, -2, 3));
  CHECK(memcmp(a, b + 5, sizeof(float) * 10) == 0, "uniform out_off");
  CHECK_OK(dt_rand_normal(DT_F64, N, d, 0, 1, 2, 3.0, 2.0));
  double m = 0, v = 0;
  for (int i = 0; i < N; i++) m += d[i];
  m /= N;
  for (int i = 0; i < N; i++) v += (d[i] - m) * (d[i] - m);
  v /= N;
  CHECK(fabs(m - 3) < 0.03 && fabs(sqrt(v) - 2) < 0.03, "normal mean %g std %g", m, sqrt(v));
  int fin = 1;
  for (int i = 0; i < N; i++) fin &= isfinite(d[i]);
  CHECK(fin, "normal finite");
  CHECK_OK(dt_rand_normal(DT_F32, N, a, 0, 1, 2, 0.0, 1.0));
  CHECK(fabs(a[0] - (float)((d[0] - 3) / 2)) < 1e-6, "normal f32 matches f64 draw");
  CHECK_OK(dt_dropout_mask(DT_F32, N, a, 9, 1, 0.3, 1 / 0.7));
  int kept = 0, other = 0;
  for (int i = 0; i < N; i++) { if (a[i] == (float)(1 / 0.7)) kept++; else if (a[i] != 0) other++; }
  CHECK(other == 0 && fabs((double)kept / N - 0.7) < 0.01, "dropout keep %g", (double)kept / N);
  CHECK_OK(dt_dropout_mask(DT_F64, 1000, d, 9, 1, 0.0, 1.0));
  int all = 1;
  for (int i = 0; i < 1000; i++) all &= d[i] == 1.0;
  CHECK(all, "dropout p=0 keeps all");
  CHECK_OK(dt_dropout_mask(DT_F64, 1000, d, 9, 1, 1.0, 1.0));
  all = 1;
  for (int i = 0; i < 1000; i++) all &= d[i] == 0.0;
  CHECK(all, "dropout p=1 drops all");
  CHECK(dt_rand_uniform(DT_I32, 10, a, 0, 1, 1, 0, 1) == DT_ERR_DTYPE, "rand int");
  CHECK(dt_rand_normal(DT_F32, -1, a, 0, 1, 1, 0, 1) == DT_ERR_ARG, "rand n<0");
  CHECK_OK(dt_rand_uniform(DT_F32, 0, NULL, 0, 1, 1, 0, 1));
  free(a); free(b); free(d);
}

/* CTC (ctc.c): the two-frame example of F.ctcLoss's JSDoc, its gradient, and the status codes. */
static void test_ctc(void) {
  const double l5 = log(0.5);
  double lp[4] = {l5, l5, l5, l5}, nll[1], alpha[6], g[4], gout[1] = {1};
  int64_t tg[1] = {1}, il[1] = {2}, tl[1] = {1};
  CHECK_OK(dt_ctc_forward(DT_F64, 2, 1, 2, 1, 0, lp, tg, il, tl, nll, alpha));
  CHECK(close_d(nll[0], -log(0.75), 1e-15, 0), "ctc nll %g", nll[0]);
  CHECK_OK(dt_ctc_backward(DT_F64, 2, 1, 2, 1, 0, 0, lp, tg, il, tl, nll, alpha, gout, g));
  /* paths "aa", "-a", "a-": blank occupies each frame with probability 1/3, the label 2/3 */
  CHECK(close_d(g[0], 0.5 - 1.0 / 3, 1e-15, 0) && close_d(g[1], 0.5 - 2.0 / 3, 1e-15, 0), "ctc grad t0 %g %g", g[0],
        g[1]);
  CHECK(close_d(g[2], 0.5 - 1.0 / 3, 1e-15, 0) && close_d(g[3], 0.5 - 2.0 / 3, 1e-15, 0), "ctc grad t1 %g %g", g[2],
        g[3]);
  CHECK(dt_ctc_forward(DT_F64, 2, 1, 2, 1, 2, lp, tg, il, tl, nll, alpha) == DT_ERR_ARG, "ctc blank range");
  CHECK(strstr(dt_last_error(), "dt_ctc_forward: blank") != NULL, "msg %s", dt_last_error());
  int64_t il3[1] = {3}, tl2[1] = {2}, tg2[1] = {2};
  CHECK(dt_ctc_forward(DT_F64, 2, 1, 2, 1, 0, lp, tg, il3, tl, nll, alpha) == DT_ERR_ARG, "ctc input length");
  CHECK(dt_ctc_forward(DT_F64, 2, 1, 2, 1, 0, lp, tg, il, tl2, nll, alpha) == DT_ERR_ARG, "ctc target length");
  CHECK(dt_ctc_backward(DT_F64, 2, 1, 2, 1, 0, 0, lp, tg2, il, tl, nll, alpha, gout, g) == DT_ERR_INDEX, "ctc label");
  CHECK(dt_ctc_forward(DT_I64, 2, 1, 2, 1, 0, lp, tg, il, tl, nll, alpha) == DT_ERR_DTYPE, "ctc dtype");
  /* edge lengths read and write only inside the buffers (exact sizes on the heap for ASan):
   * an empty input with a non-empty target is an infinite loss (zeroInfinity zeroes the whole
   * gradient, padding frames too); t = 0; n = 0; s = 0 (only empty targets) */
  {
    const int T = 3, N = 2, C = 3, S = 2, W = 2 * S + 1;
    double* lp2 = malloc(sizeof(double) * T * N * C);
    double* al2 = malloc(sizeof(double) * N * T * W);
    double* g2 = malloc(sizeof(double) * T * N * C);
    int64_t* tg3 = malloc(sizeof(int64_t) * N * S);
    int64_t il2[2] = {0, 3}, tl3[2] = {2, 2};
    double nll2[2], go2[2] = {1, 1};
    for (int i = 0; i < T * N * C; i++) lp2[i] = log(1.0 / 3);
    tg3[0] = 1; tg3[1] = 2; tg3[2] = 2; tg3[3] = 2; /* sample 1 repeats a label: needs 3 frames */
    CHECK_OK(dt_ctc_forward(DT_F64, T, N, C, S, 0, lp2, tg3, il2, tl3, nll2, al2));
    CHECK(isinf(nll2[0]) && nll2[0] > 0, "ctc empty input: nll %g", nll2[0]);
    CHECK(isfinite(nll2[1]), "ctc repeated label: nll %g", nll2[1]);
    CHECK_OK(dt_ctc_backward(DT_F64, T, N, C, S, 0, 1, lp2, tg3, il2, tl3, nll2, al2, go2, g2));
    int bad = 0;
    for (int t = 0; t < T; t++)
      for (int k = 0; k < C; k++) bad += g2[(t * N + 0) * C + k] != 0 || !isfinite(g2[(t * N + 1) * C + k]);
    CHECK(bad == 0, "ctc zero_infinity gradient: %d bad", bad);
    int64_t il0[2] = {0, 0}, tl0[2] = {0, 0};
    CHECK_OK(dt_ctc_forward(DT_F64, 0, N, C, S, 0, lp2, tg3, il0, tl0, nll2, al2)); /* t = 0 */
    CHECK(nll2[0] == 0 && nll2[1] == 0, "ctc t=0: %g %g", nll2[0], nll2[1]);
    CHECK_OK(dt_ctc_backward(DT_F64, 0, N, C, S, 0, 0, lp2, tg3, il0, tl0, nll2, al2, go2, g2));
    CHECK_OK(dt_ctc_forward(DT_F64, T, 0, C, S, 0, NULL, NULL, NULL, NULL, NULL, NULL)); /* n = 0 */
    CHECK_OK(dt_ctc_backward(DT_F64, T, 0, C, S, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
    int64_t il1[2] = {3, 1};
    CHECK_OK(dt_ctc_forward(DT_F64, T, N, C, 0, 0, lp2, tg3, il1, tl0, nll2, al2)); /* s = 0 */
    CHECK(close_d(nll2[0], 3 * log(3.0), 1e-12, 0) && close_d(nll2[1], log(3.0), 1e-12, 0), "ctc s=0: %g %g",
          nll2[0], nll2[1]);
    CHECK_OK(dt_ctc_backward(DT_F64, T, N, C, 0, 0, 0, lp2, tg3, il1, tl0, nll2, al2, go2, g2));
    tl3[1] = 3; /* target length beyond s */
    CHECK(dt_ctc_forward(DT_F64, T, N, C, S, 0, lp2, tg3, il2, tl3, nll2, al2) == DT_ERR_ARG, "ctc tl > s");
    CHECK(dt_ctc_forward(DT_F64, T, N, C, -1, 0, lp2, tg3, il2, tl3, nll2, al2) == DT_ERR_ARG, "ctc s < 0");
    free(lp2);
    free(al2);
    free(g2);
    free(tg3);
  }
}

int main(void) {
  /* the whole suite runs serially and then with 4 threads (parallel paths above the threshold) */
  const int32_t t0 = dt_get_num_threads();
  const int32_t counts[2] = {1, 4};
  for (int r = 0; r < 2; r++) {
    dt_set_num_threads(counts[r]);
    test_state();
    test_binary();
    test_copy();
    test_where_axpy();
    test_unary();
    test_unary_bw();
    test_reduce();
    test_gemm();
    test_index();
    test_random();
    test_ctc();
  }
  dt_set_num_threads(t0);
  printf("dt_native_test: %d passed, %d failed (blas=%d, threads=%d)\n", n_pass, n_fail, dt_has_blas(),
         dt_get_num_threads());
  return n_fail == 0 ? 0 : 1;
}
