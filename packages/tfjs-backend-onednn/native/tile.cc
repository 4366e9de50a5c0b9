// Tile of a float32 tensor (tfjs's Tile kernel): out[i] = x[i_d mod xShape_d].
// The BatchNorm gradient tiles a [1,1,1,C] factor to the activation's shape,
// which on tfjs-cpu's per-element index arithmetic was the costliest kernel of
// a training step with batch norm. Pure copies, static schedule.
#include <algorithm>
#include <cstring>

#include "common.h"

namespace convkit {
namespace {

constexpr int64_t kParallelMin = 1 << 15;

// tile(x, xShape, reps, y)
Napi::Value Tile(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const float *x = f32(info, 0, "x");
    const dims xs = dimsArg(info, 1, "xShape");
    const dims reps = dimsArg(info, 2, "reps");
    float *y = f32(info, 3, "y");
    const size_t r = xs.size();
    if (r == 0 || reps.size() != r)
      throwRange(info, "tile", "rank mismatch");
    dims os(r);
    for (size_t d = 0; d < r; ++d) {
      if (xs[d] <= 0 || reps[d] <= 0)
        throwRange(info, "tile", "empty dimension");
      if (xs[d] > INT64_MAX / reps[d]) throwRange(info, "tile", "y is too large");
      os[d] = xs[d] * reps[d];
    }
    expectShape(info, 0, xs, "tile", "x");
    expectShape(info, 3, os, "tile", "y");
    const int64_t n = elementCount(info, "tile", os, "y");
    const int64_t inner = xs[r - 1], outInner = os[r - 1], rows = n / outInner;
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (int64_t row = 0; row < rows; ++row) {
      // Source row of x for this output row (coordinates mod x's dims).
      int64_t rem = row, src = 0, stride = 1;
      for (int64_t d = static_cast<int64_t>(r) - 2; d >= 0; --d) {
        const int64_t c = rem % os[d];
        rem /= os[d];
        src += (c % xs[d]) * stride;
        stride *= xs[d];
      }
      const float *xr = x + src * inner;
      float *yr = y + row * outInner;
      for (int64_t k = 0; k < reps[r - 1]; ++k) std::memcpy(yr + k * inner, xr, inner * sizeof(float));
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void initTile(Napi::Env env, Napi::Object exports) {
  exports.Set("tile", Napi::Function::New(env, Tile));
}

}  // namespace convkit
