/*
 * loops.h: macros that generate the per-row loop bodies handed to dt_iter_run. Each generated
 * function has a contiguous fast path (unit strides, vectorizable) and a generic strided path.
 * Inside EXPR the loop variables are: x (unary input), a/b (binary inputs), g (gradient).
 */
#ifndef DT_LOOPS_H
#define DT_LOOPS_H

#include "dt_common.h"
#include "scalar_ops.h"

/* Parameters of unary ops. */
typedef struct {
  double p0, p1;
} dt_uctx;

/* out(TO) = EXPR(x: TI); p0/p1 (double) are in scope. */
#define DT_LOOP1(NAME, TI, TO, EXPR)                                                      \
  static void NAME(int64_t n, char** p, const int64_t* s, const void* ctx_) {            \
    const dt_uctx* ctx = (const dt_uctx*)ctx_;                                           \
    const double p0 = ctx ? ctx->p0 : 0, p1 = ctx ? ctx->p1 : 0;                         \
    (void)p0; (void)p1;                                                                  \
    if (s[0] == (int64_t)sizeof(TO) && s[1] == (int64_t)sizeof(TI)) {                    \
      TO* o = (TO*)p[0];                                                        \
      const TI* in = (const TI*)p[1];                                           \
      for (int64_t i = 0; i < n; i++) { const TI x = in[i]; (void)x; o[i] = (TO)(EXPR); }         \
    } else {                                                                             \
      char* po = p[0]; const char* pi = p[1];                                            \
      for (int64_t i = 0; i < n; i++) {                                                  \
        const TI x = *(const TI*)(pi + i * s[1]);                                        \
        (void)x;                                                                         \
        *(TO*)(po + i * s[0]) = (TO)(EXPR);                                              \
      }                                                                                  \
    }                                                                                    \
  }

/* out(TO) = EXPR(a, b: TI). Extra fast path for a contiguous `a` with a broadcast scalar `b`. */
#define DT_LOOP2(NAME, TI, TO, EXPR)                                                      \
  static void NAME(int64_t n, char** p, const int64_t* s, const void* ctx_) {            \
    (void)ctx_;                                                                          \
    if (s[0] == (int64_t)sizeof(TO) && s[1] == (int64_t)sizeof(TI) &&                    \
        s[2] == (int64_t)sizeof(TI)) {                                                   \
      TO* o = (TO*)p[0];                                                        \
      const TI* pa = (const TI*)p[1];                                           \
      const TI* pb = (const TI*)p[2];                                           \
      for (int64_t i = 0; i < n; i++) { const TI a = pa[i], b = pb[i]; o[i] = (TO)(EXPR); } \
    } else if (s[0] == (int64_t)sizeof(TO) && s[1] == (int64_t)sizeof(TI) && s[2] == 0) { \
      TO* o = (TO*)p[0];                                                        \
      const TI* pa = (const TI*)p[1];                                           \
      const TI b = *(const TI*)p[2];                                                     \
      for (int64_t i = 0; i < n; i++) { const TI a = pa[i]; o[i] = (TO)(EXPR); }         \
    } else {                                                                             \
      char* po = p[0]; const char* pa = p[1]; const char* pb = p[2];                     \
      for (int64_t i = 0; i < n; i++) {                                                  \
        const TI a = *(const TI*)(pa + i * s[1]), b = *(const TI*)(pb + i * s[2]);       \
        *(TO*)(po + i * s[0]) = (TO)(EXPR);                                              \
      }                                                                                  \
    }                                                                                    \
  }

/* gin(T) = EXPR(g: gout, x: x-or-y); p0/p1 in scope. */
#define DT_LOOP_BW(NAME, T, EXPR)                                                         \
  static void NAME(int64_t n, char** p, const int64_t* s, const void* ctx_) {            \
    const dt_uctx* ctx = (const dt_uctx*)ctx_;                                           \
    const double p0 = ctx->p0, p1 = ctx->p1;                                             \
    (void)p0; (void)p1;                                                                  \
    if (s[0] == (int64_t)sizeof(T) && s[1] == (int64_t)sizeof(T) && s[2] == (int64_t)sizeof(T)) { \
      T* o = (T*)p[0];                                                          \
      const T* pg = (const T*)p[1];                                             \
      const T* px = (const T*)p[2];                                             \
      for (int64_t i = 0; i < n; i++) { const T g = pg[i], x = px[i]; o[i] = (T)(EXPR); } \
    } else {                                                                             \
      char* po = p[0]; const char* pg = p[1]; const char* px = p[2];                     \
      for (int64_t i = 0; i < n; i++) {                                                  \
        const T g = *(const T*)(pg + i * s[1]), x = *(const T*)(px + i * s[2]);          \
        *(T*)(po + i * s[0]) = (T)(EXPR);                                                \
      }                                                                                  \
    }                                                                                    \
  }

#endif
