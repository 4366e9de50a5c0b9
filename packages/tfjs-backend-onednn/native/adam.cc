// Adam update fused into one pass over (value, gradient, m, v), with the
// same arithmetic as tfjs-core's AdamOptimizer.applyGradients:
//   m' = b1*m + (1-b1)*g ;  v' = b2*v + (1-b2)*g^2
//   value' = value - lr * (m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps)
// Outputs may alias inputs (in-place update).
#include <omp.h>

#include <cmath>

#include "common.h"

namespace convkit {
namespace {

struct AdamParams {
  float lr, b1, b2, eps, c1, c2, omb1, omb2;
};

// Elements [begin, end). Cloned per ISA (target_clones does not reach the
// OpenMP-outlined body, so the parallel region calls this). Same-index
// aliasing of the outputs with the inputs is safe for the simd loop.
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
void adamRange(const float *value, const float *g, const float *m,
               const float *v, float *valueOut, float *mOut, float *vOut,
               AdamParams p, int64_t begin, int64_t end) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    const float gi = g[i];
    const float mi = m[i] * p.b1 + gi * p.omb1;
    const float vi = v[i] * p.b2 + gi * gi * p.omb2;
    mOut[i] = mi;
    vOut[i] = vi;
    valueOut[i] = value[i] - p.lr * ((mi / p.c1) / (std::sqrt(vi / p.c2) + p.eps));
  }
}

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
    const char *names[] = {"value", "grad", "m", "v", "valueOut", "mOut", "vOut"};
    for (size_t i = 1; i < 7; ++i) expectLen(info, i, n, "adamUpdate", names[i]);
    const AdamParams p{lr, b1, b2, eps, c1, c2, 1.f - b1, 1.f - b2};
#pragma omp parallel if (n >= (1 << 15))
    {
      const int64_t t = omp_get_thread_num(), T = omp_get_num_threads();
      adamRange(value, g, m, v, valueOut, mOut, vOut, p, n * t / T, n * (t + 1) / T);
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void initAdam(Napi::Env env, Napi::Object exports) {
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
}

}  // namespace convkit
