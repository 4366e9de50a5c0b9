// Reductions (Sum, Mean, Max, Min, Prod) over one contiguous block of axes:
// the JS side folds the tensor into [outer, reduce, inner] (axes that are not
// contiguous fall back to tfjs-cpu). Sums accumulate in double, as tfjs-cpu
// does (JS numbers). When `outer` is too small to feed every thread (bias
// gradients: [N*H*W, C] -> [C]) the reduce axis is split across threads
// with per-thread partials.
#include <omp.h>

#include <cmath>
#include <limits>

#include "common.h"

namespace convkit {
namespace {

enum Op : int { kSum = 0, kMean = 1, kMax = 2, kMin = 3, kProd = 4 };

double initOf(int op) {
  switch (op) {
    case kMax: return -std::numeric_limits<double>::infinity();
    case kMin: return std::numeric_limits<double>::infinity();
    case kProd: return 1.0;
    default: return 0.0;
  }
}

inline double combine(int op, double acc, double v) {
  switch (op) {
    case kMax: return (std::isnan(v) || v > acc) ? v : acc;
    case kMin: return (std::isnan(v) || v < acc) ? v : acc;
    case kProd: return acc * v;
    default: return acc + v;
  }
}

// acc[j] = combine(Op, acc[j], row[j]) over rows [r0, r1): each column in
// row order, so the result does not depend on the vector width.
template <int Op>
inline void foldRows(const float *x, int64_t r0, int64_t r1, int64_t inner,
                     double *acc) {
  for (int64_t r = r0; r < r1; ++r) {
    const float *row = x + r * inner;
#pragma omp simd
    for (int64_t j = 0; j < inner; ++j) acc[j] = combine(Op, acc[j], row[j]);
  }
}

// Reduces rows [r0, r1) of x[o] (an R x inner block) into acc[inner].
// Cloned per ISA; called from the parallel regions (clones do not reach
// OpenMP-outlined bodies).
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
void reduceBlock(int op, const float *x, int64_t r0, int64_t r1, int64_t inner,
                 double *acc) {
  switch (op) {
    case kMax: foldRows<kMax>(x, r0, r1, inner, acc); break;
    case kMin: foldRows<kMin>(x, r0, r1, inner, acc); break;
    case kProd: foldRows<kProd>(x, r0, r1, inner, acc); break;
    default: foldRows<kSum>(x, r0, r1, inner, acc);
  }
}

}  // namespace

void reduceBlocks(int op, const float *x, float *y, int64_t outer, int64_t R,
                  int64_t inner) {
  const double init = initOf(op);
  const int nt = omp_get_max_threads();
  const bool big = outer * R * inner >= (1 << 15);
  if (inner == 1) {
    // Row reductions: contiguous, parallel over rows.
#pragma omp parallel for if (big && outer >= nt) schedule(static)
    for (int64_t o = 0; o < outer; ++o) {
      const float *row = x + o * R;
      double acc = init;
      if (op == kSum || op == kMean) {
#pragma omp simd reduction(+ : acc)
        for (int64_t r = 0; r < R; ++r) acc += row[r];
      } else {
        for (int64_t r = 0; r < R; ++r) acc = combine(op, acc, row[r]);
      }
      if (op == kMean) acc /= static_cast<double>(R);
      y[o] = static_cast<float>(acc);
    }
    return;
  }
  if (outer >= nt || !big) {
#pragma omp parallel for if (big) schedule(static)
    for (int64_t o = 0; o < outer; ++o) {
      std::vector<double> acc(inner, init);
      reduceBlock(op, x + o * R * inner, 0, R, inner, acc.data());
      for (int64_t j = 0; j < inner; ++j)
        y[o * inner + j] = static_cast<float>(
            op == kMean ? acc[j] / static_cast<double>(R) : acc[j]);
    }
    return;
  }
  // Few outer blocks: split the reduce axis across threads.
  std::vector<double> partial(static_cast<size_t>(nt) * outer * inner, init);
#pragma omp parallel num_threads(nt)
  {
    int t = omp_get_thread_num(), T = omp_get_num_threads();
    int64_t r0 = R * t / T, r1 = R * (t + 1) / T;
    for (int64_t o = 0; o < outer; ++o)
      reduceBlock(op, x + o * R * inner, r0, r1, inner,
                  partial.data() + (static_cast<size_t>(t) * outer + o) * inner);
  }
  for (int64_t i = 0; i < outer * inner; ++i) {
    double acc = init;
    for (int t = 0; t < nt; ++t) acc = combine(op == kMean ? kSum : op, acc,
                                               partial[static_cast<size_t>(t) * outer * inner + i]);
    y[i] = static_cast<float>(op == kMean ? acc / static_cast<double>(R) : acc);
  }
}

namespace {

// reduce(op, x, y, outer, reduce, inner)
Napi::Value Reduce(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    int op = static_cast<int>(intArg(info, 0, "op"));
    const float *x = f32(info, 1, "x");
    float *y = f32(info, 2, "y");
    int64_t outer = intArg(info, 3, "outer"), R = intArg(info, 4, "reduce"),
            inner = intArg(info, 5, "inner");
    if (op < kSum || op > kProd)
      throw Napi::RangeError::New(info.Env(), "onednn reduce: unknown op");
    expectShape(info, 1, {outer, R, inner}, "reduce", "x");
    expectShape(info, 2, {outer, inner}, "reduce", "y");
    reduceBlocks(op, x, y, outer, R, inner);
    return info.Env().Undefined();
  });
}

}  // namespace

void initReduce(Napi::Env env, Napi::Object exports) {
  exportCodes(env, exports, "reduce",
              {{"Sum", kSum}, {"Mean", kMean}, {"Max", kMax}, {"Min", kMin}, {"Prod", kProd}});
  exports.Set("reduce", Napi::Function::New(env, Reduce));
}

}  // namespace convkit
