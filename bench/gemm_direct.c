/* OpenBLAS called directly: 1024x1024 by 1024x1024 float32 sgemm, warm-up 3, median of 5
 * repeats of 5 calls (the protocol of torch_bench.py), output buffer reused. The reference for
 * the gemm_1024 workload ("within 10% of OpenBLAS called directly"). Build and run with the
 * same OpenBLAS the library links (see docs/PERFORMANCE.md):
 *   cc -O2 bench/gemm_direct.c -o /tmp/gemm_direct -I/usr/include/x86_64-linux-gnu \
 *      -L/usr/lib/x86_64-linux-gnu/openblas-openmp -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-openmp -lopenblas
 *   /tmp/gemm_direct 2
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern void openblas_set_num_threads(int);

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  const int n = 1024, iters = 5;
  openblas_set_num_threads(argc > 1 ? atoi(argv[1]) : 2);
  float* a = malloc(sizeof(float) * n * n);
  float* b = malloc(sizeof(float) * n * n);
  float* c = malloc(sizeof(float) * n * n);
  for (int i = 0; i < n * n; i++) {
    a[i] = (float)rand() / RAND_MAX - 0.5f;
    b[i] = (float)rand() / RAND_MAX - 0.5f;
  }
  for (int w = 0; w < 3; w++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
  double times[5];
  for (int r = 0; r < 5; r++) {
    double t0 = now_ms();
    for (int i = 0; i < iters; i++) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
    }
    times[r] = (now_ms() - t0) / iters;
  }
  qsort(times, 5, sizeof(double), cmp);
  printf("openblas_sgemm_1024 %.3f ms/iter (%.1f GFLOP/s)\n", times[2], 2.0 * n * n * n / times[2] / 1e6);
  free(a);
  free(b);
  free(c);
  return 0;
}
