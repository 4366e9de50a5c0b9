// Dropout keep-mask generation: out[i] = (u_i < keepProb) ? 1/keepProb : 0,
// with u_i from a counter-based generator (SplitMix64 of seed + index), so
// the result is deterministic for a (seed, offset) pair whatever the thread
// count, and the loop parallelises without shared RNG state.
#include <omp.h>

#include "common.h"

namespace convkit {
namespace {

inline uint64_t splitmix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// out[i] for i in [begin, end). Cloned per ISA (AVX-512DQ has the 64-bit
// multiply); called from the parallel region, which clones do not reach.
// The compare is on 32 bits: with a 64-bit one the SSE2 clone is not
// vectorised (no pcmpgtq) and branches.
__attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
void maskRange(float *out, uint64_t base, uint32_t threshold, float scale,
               int64_t begin, int64_t end) {
#pragma omp simd
  for (int64_t i = begin; i < end; ++i) {
    const uint32_t u = static_cast<uint32_t>(splitmix64(base + static_cast<uint64_t>(i)) >> 40);
    out[i] = u < threshold ? scale : 0.f;
  }
}

// dropoutMask(out, keepProb, seed, offset)
Napi::Value DropoutMask(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *out = f32(info, 0, "out");
    const double keep = numArg(info, 1, "keepProb");
    const uint64_t seed = static_cast<uint64_t>(numArg(info, 2, "seed"));
    const uint64_t offset = static_cast<uint64_t>(numArg(info, 3, "offset"));
    if (!(keep > 0.0 && keep <= 1.0))
      throw Napi::RangeError::New(info.Env(), "onednn dropout: keepProb in (0,1]");
    const int64_t n = static_cast<int64_t>(f32Len(info, 0));
    const float scale = static_cast<float>(1.0 / keep);
    // Compare the top 24 bits against keep * 2^24 (exact in float).
    const uint32_t threshold = static_cast<uint32_t>(keep * 16777216.0);
    const uint64_t base = splitmix64(seed) + offset;
#pragma omp parallel if (n >= (1 << 15))
    {
      const int64_t t = omp_get_thread_num(), T = omp_get_num_threads();
      maskRange(out, base, threshold, scale, n * t / T, n * (t + 1) / T);
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void initDropout(Napi::Env env, Napi::Object exports) {
  exports.Set("dropoutMask", Napi::Function::New(env, DropoutMask));
}

}  // namespace convkit
