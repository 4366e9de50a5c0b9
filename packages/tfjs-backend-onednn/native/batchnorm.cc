// FusedBatchNorm (inference form, as tfjs's op): y = (x - mean) * scale /
// sqrt(variance + eps) + offset, every parameter either one value or one per
// channel (the last axis of x). One OpenMP loop; no oneDNN primitive.
//
// Also the training-time pieces, all per channel c of x viewed as [rows, C]:
//  - batchNormGrad: FusedBatchNorm's gradient for per-channel mean/variance/
//    scale (tfjs-core's FusedBatchNorm_grad formulas) from one pass over
//    (x, dy): sum(dy) and sum(dy * (x - mean)).
//  - moments: mean and variance over the rows in one pass.
//  - momentsGrad: dx = dMean/N + dVar * 2 (x - mean) / N in one pass, plus
//    dy * k when given (the whole dx of a training-time batch norm whose mean
//    and variance are the moments of x, see src/patches/batch_norm.ts).
// Sums accumulate in double over fixed blocks of rows whose partials are added
// in block order, so the results do not depend on the thread count.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "common.h"

namespace convkit {
namespace {

constexpr int64_t kParallelMin = 1 << 15;

// Parameter p (length 1 or C, or absent = fill) expanded to C values.
std::vector<float> perChannel(const Napi::CallbackInfo &info, size_t i, int64_t C,
                              float fill, const char *what) {
  std::vector<float> out(C, fill);
  const float *p = f32OrNull(info, i, what);
  if (!p) return out;
  const int64_t n = static_cast<int64_t>(f32Len(info, i));
  if (n != 1 && n != C)
    throw Napi::RangeError::New(info.Env(),
                                std::string("onednn batchNorm: ") + what + " length must be 1 or C");
  for (int64_t c = 0; c < C; ++c) out[c] = p[n == 1 ? 0 : c];
  return out;
}

// batchNorm(x, y, C, mean, variance, scale|null, offset|null, eps)
Napi::Value BatchNorm(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const float *x = f32(info, 0, "x");
    float *y = f32(info, 1, "y");
    const int64_t C = intArg(info, 2, "channels");
    const int64_t n = static_cast<int64_t>(f32Len(info, 0));
    if (C <= 0 || n % C != 0)
      throwRange(info, "batchNorm", "x's length is not a multiple of the channel count");
    expectLen(info, 1, n, "batchNorm", "y");
    const std::vector<float> mean = perChannel(info, 3, C, 0.f, "mean");
    const std::vector<float> var = perChannel(info, 4, C, 0.f, "variance");
    const std::vector<float> scale = perChannel(info, 5, C, 1.f, "scale");
    const std::vector<float> offset = perChannel(info, 6, C, 0.f, "offset");
    const double eps = numArg(info, 7, "varianceEpsilon");
    // Per-channel factor scale / sqrt(var + eps), in double like tfjs-cpu.
    std::vector<float> factor(C);
    for (int64_t c = 0; c < C; ++c)
      factor[c] = static_cast<float>(static_cast<double>(scale[c]) /
                                     std::sqrt(static_cast<double>(var[c]) + eps));
    const float *m = mean.data(), *a = factor.data(), *b = offset.data();
    const int64_t rows = n / C;
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const float *xr = x + r * C;
      float *yr = y + r * C;
#pragma omp simd
      for (int64_t c = 0; c < C; ++c) yr[c] = (xr[c] - m[c]) * a[c] + b[c];
    }
    return info.Env().Undefined();
  });
}

// Rows per block of the per-channel sums: about 16K elements (64 KB of x),
// a function of C only, never of the thread count.
int64_t blockRows(int64_t C) { return std::max<int64_t>(1, (int64_t{1} << 14) / C); }

// s1[c] += sum_r dy[r,c], s2[c] += sum_r dy[r,c] * (x[r,c] - m[c]) over rows
// [r0, r1). Cloned per ISA; called from the parallel region (clones do not
// reach OpenMP-outlined bodies). Each channel sums its rows in order, so the
// result does not depend on the vector width.
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
void gradSums(const float *x, const float *dy, const float *m, int64_t r0, int64_t r1,
              int64_t C, double *s1, double *s2) {
  for (int64_t r = r0; r < r1; ++r) {
    const float *xr = x + r * C, *dr = dy + r * C;
#pragma omp simd
    for (int64_t c = 0; c < C; ++c) {
      const double d = dr[c];
      s1[c] += d;
      s2[c] += d * static_cast<double>(xr[c] - m[c]);
    }
  }
}

// s1[c] += sum_r (x[r,c] - x0[c]), s2[c] += sum_r (x[r,c] - x0[c])^2 over
// rows [r0, r1) (shifted by the first row, so that a large mean does not
// cancel the variance away).
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
void momentSums(const float *x, const float *x0, int64_t r0, int64_t r1, int64_t C,
                double *s1, double *s2) {
  for (int64_t r = r0; r < r1; ++r) {
    const float *xr = x + r * C;
#pragma omp simd
    for (int64_t c = 0; c < C; ++c) {
      const double d = static_cast<double>(xr[c]) - static_cast<double>(x0[c]);
      s1[c] += d;
      s2[c] += d * d;
    }
  }
}

// Per-channel sums over all rows of two accumulators filled by
// sums(r0, r1, s1, s2): fixed blocks of blockRows(C) rows, threaded over
// blocks, partials added in block order.
template <typename Sums>
void blockedSums(int64_t rows, int64_t C, std::vector<double> &t1, std::vector<double> &t2,
                 Sums sums) {
  const int64_t br = blockRows(C), nb = (rows + br - 1) / br;
  std::vector<double> p(static_cast<size_t>(2 * nb * C), 0.0);
#pragma omp parallel for if (nb > 1 && rows * C >= kParallelMin) schedule(static)
  for (int64_t b = 0; b < nb; ++b) {
    double *p1 = p.data() + 2 * b * C;
    sums(b * br, std::min(rows, (b + 1) * br), p1, p1 + C);
  }
  t1.assign(C, 0.0);
  t2.assign(C, 0.0);
  for (int64_t b = 0; b < nb; ++b) {
    const double *p1 = p.data() + 2 * b * C;
    for (int64_t c = 0; c < C; ++c) {
      t1[c] += p1[c];
      t2[c] += p1[C + c];
    }
  }
}

// batchNormGrad(x, dy, C, mean, variance, scale|null, eps,
//               dMean, dVariance, dScale, dOffset, k)
// Per channel (mean, variance and scale have C values), with r = 1/sqrt(var + eps),
// s = scale (1 if absent):  dOffset = sum(dy),  dScale = r sum(dy (x - mean)),
// dMean = -r s sum(dy),  dVariance = -r^3 s sum(dy (x - mean)) / 2,  k = r s
// (dx = dy * k, left to the caller).
Napi::Value BatchNormGrad(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const float *x = f32(info, 0, "x");
    const float *dy = f32(info, 1, "dy");
    const int64_t C = intArg(info, 2, "channels");
    const int64_t n = static_cast<int64_t>(f32Len(info, 0));
    const char *op = "batchNormGrad";
    if (C <= 0 || n % C != 0) throwRange(info, op, "x's length is not a multiple of the channel count");
    expectLen(info, 1, n, op, "dy");
    const float *mean = f32(info, 3, "mean");
    const float *var = f32(info, 4, "variance");
    const float *scale = f32OrNull(info, 5, "scale");
    expectLen(info, 3, C, op, "mean");
    expectLen(info, 4, C, op, "variance");
    if (scale) expectLen(info, 5, C, op, "scale");
    const double eps = numArg(info, 6, "varianceEpsilon");
    float *outs[5];
    const char *names[5] = {"dMean", "dVariance", "dScale", "dOffset", "k"};
    for (size_t i = 0; i < 5; ++i) {
      outs[i] = f32(info, 7 + i, names[i]);
      expectLen(info, 7 + i, C, op, names[i]);
    }
    std::vector<double> sDy, sDyXmu;
    blockedSums(n / C, C, sDy, sDyXmu, [&](int64_t r0, int64_t r1, double *s1, double *s2) {
      gradSums(x, dy, mean, r0, r1, C, s1, s2);
    });
    for (int64_t c = 0; c < C; ++c) {
      const double r = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
      const double s = scale ? static_cast<double>(scale[c]) : 1.0;
      outs[0][c] = static_cast<float>(-r * s * sDy[c]);
      outs[1][c] = static_cast<float>(-0.5 * r * r * r * s * sDyXmu[c]);
      outs[2][c] = static_cast<float>(r * sDyXmu[c]);
      outs[3][c] = static_cast<float>(sDy[c]);
      outs[4][c] = static_cast<float>(r * s);
    }
    return info.Env().Undefined();
  });
}

// moments(x, C, mean, variance): per-channel mean and (biased) variance over
// the rows of x, as tf.moments over every axis but the last.
Napi::Value Moments(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const float *x = f32(info, 0, "x");
    const int64_t C = intArg(info, 1, "channels");
    const int64_t n = static_cast<int64_t>(f32Len(info, 0));
    const char *op = "moments";
    if (C <= 0 || n == 0 || n % C != 0) throwRange(info, op, "x's length is not a positive multiple of the channel count");
    float *mean = f32(info, 2, "mean");
    float *var = f32(info, 3, "variance");
    expectLen(info, 2, C, op, "mean");
    expectLen(info, 3, C, op, "variance");
    const int64_t rows = n / C;
    std::vector<double> s1, s2;
    blockedSums(rows, C, s1, s2, [&](int64_t r0, int64_t r1, double *a, double *b) {
      momentSums(x, x, r0, r1, C, a, b);
    });
    for (int64_t c = 0; c < C; ++c) {
      const double d = s1[c] / static_cast<double>(rows);
      mean[c] = static_cast<float>(static_cast<double>(x[c]) + d);
      var[c] = static_cast<float>(std::max(0.0, s2[c] / static_cast<double>(rows) - d * d));
    }
    return info.Env().Undefined();
  });
}

// momentsGrad(x, C, mean, dMean|null, dVariance|null, dx[, dy, k]):
// dx = dMean / N + dVariance * 2 (x - mean) / N [+ dy * k], N = rows of x
// (absent terms = 0).
Napi::Value MomentsGrad(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const float *x = f32(info, 0, "x");
    const int64_t C = intArg(info, 1, "channels");
    const int64_t n = static_cast<int64_t>(f32Len(info, 0));
    const char *op = "momentsGrad";
    if (C <= 0 || n == 0 || n % C != 0) throwRange(info, op, "x's length is not a positive multiple of the channel count");
    const float *mean = f32(info, 2, "mean");
    const float *dMean = f32OrNull(info, 3, "dMean");
    const float *dVar = f32OrNull(info, 4, "dVariance");
    float *dx = f32(info, 5, "dx");
    expectLen(info, 2, C, op, "mean");
    if (dMean) expectLen(info, 3, C, op, "dMean");
    if (dVar) expectLen(info, 4, C, op, "dVariance");
    expectLen(info, 5, n, op, "dx");
    const float *dy = info.Length() > 6 ? f32OrNull(info, 6, "dy") : nullptr;
    const float *k = dy ? f32(info, 7, "k") : nullptr;
    if (dy) {
      expectLen(info, 6, n, op, "dy");
      expectLen(info, 7, C, op, "k");
    }
    const int64_t rows = n / C;
    const float invN = static_cast<float>(1.0 / static_cast<double>(rows));
    std::vector<float> a(C), b(C);
    for (int64_t c = 0; c < C; ++c) {
      a[c] = dMean ? dMean[c] * invN : 0.f;
      b[c] = dVar ? static_cast<float>(2.0 * dVar[c] / static_cast<double>(rows)) : 0.f;
    }
    const float *pa = a.data(), *pb = b.data();
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const float *xr = x + r * C;
      float *dr = dx + r * C;
      if (dy) {
        const float *gr = dy + r * C;
#pragma omp simd
        for (int64_t c = 0; c < C; ++c) dr[c] = gr[c] * k[c] + (pa[c] + pb[c] * (xr[c] - mean[c]));
      } else {
#pragma omp simd
        for (int64_t c = 0; c < C; ++c) dr[c] = pa[c] + pb[c] * (xr[c] - mean[c]);
      }
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void initBatchNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
  exports.Set("batchNormGrad", Napi::Function::New(env, BatchNormGrad));
  exports.Set("moments", Napi::Function::New(env, Moments));
  exports.Set("momentsGrad", Napi::Function::New(env, MomentsGrad));
}

}  // namespace convkit
