// FusedBatchNorm (inference form, as tfjs's op): y = (x - mean) * scale /
// sqrt(variance + eps) + offset, every parameter either one value or one per
// channel (the last axis of x). One OpenMP loop; no oneDNN primitive.
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
    if (C <= 0 || n % C != 0 || static_cast<int64_t>(f32Len(info, 1)) != n)
      throw Napi::RangeError::New(info.Env(), "onednn batchNorm: bad shapes");
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

}  // namespace

void initBatchNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
}

}  // namespace convkit
