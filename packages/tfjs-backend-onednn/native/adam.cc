// Adam update fused into one pass over (value, gradient, m, v), with the
// same arithmetic as tfjs-core's AdamOptimizer.applyGradients:
//   m' = b1*m + (1-b1)*g ;  v' = b2*v + (1-b2)*g^2
//   value' = value - lr * (m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps)
// Outputs may alias inputs (in-place update).
#include <cmath>

#include "common.h"

namespace convkit {
namespace {

// adamUpdate(value, grad, m, v, valueOut, mOut, vOut,
//            lr, beta1, beta2, eps, oneMinusAccBeta1, oneMinusAccBeta2)
Napi::Value AdamUpdate(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const float *value = f32(info, 0, "value");
    const float *g = f32(info, 1, "grad");
    const float *m = f32(info, 2, "m");
    const float *v = f32(info, 3, "v");
    float *valueOut = f32(info, 4, "valueOut");
    float *mOut = f32(info, 5, "mOut");
    float *vOut = f32(info, 6, "vOut");
    const float lr = static_cast<float>(numArg(info, 7, "lr"));
    const float b1 = static_cast<float>(numArg(info, 8, "beta1"));
    const float b2 = static_cast<float>(numArg(info, 9, "beta2"));
    const float eps = static_cast<float>(numArg(info, 10, "epsilon"));
    const float c1 = static_cast<float>(numArg(info, 11, "oneMinusAccBeta1"));
    const float c2 = static_cast<float>(numArg(info, 12, "oneMinusAccBeta2"));
    const int64_t n = static_cast<int64_t>(f32Len(info, 0));
    for (size_t i : {1, 2, 3, 4, 5, 6})
      if (static_cast<int64_t>(f32Len(info, i)) != n)
        throw Napi::RangeError::New(info.Env(), "onednn adam: length mismatch");
    const float omb1 = 1.f - b1, omb2 = 1.f - b2;
#pragma omp parallel for simd if (n >= (1 << 15)) schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      const float gi = g[i];
      const float mi = m[i] * b1 + gi * omb1;
      const float vi = v[i] * b2 + gi * gi * omb2;
      mOut[i] = mi;
      vOut[i] = vi;
      valueOut[i] = value[i] - lr * ((mi / c1) / (std::sqrt(vi / c2) + eps));
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void initAdam(Napi::Env env, Napi::Object exports) {
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
}

}  // namespace convkit
