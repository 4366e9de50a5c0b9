// Softmax over the last axis ([rows, cols]) with oneDNN's softmax primitive.
#include <cmath>

#include "common.h"

namespace convkit {
namespace {

using namespace dnnl;

PrimitiveCache<softmax_forward> cache;

// softmax(x, y, rows, cols)
Napi::Value Softmax(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *x = f32(info, 0, "x");
    float *y = f32(info, 1, "y");
    int64_t rows = intArg(info, 2, "rows"), cols = intArg(info, 3, "cols");
    expectShape(info, 0, {rows, cols}, "softmax", "x");
    expectShape(info, 1, {rows, cols}, "softmax", "y");
    memory::desc d({rows, cols}, dt::f32, tag::ab);
    auto &prim = cache.get({rows, cols}, [&] {
      softmax_forward::desc sd(prop_kind::forward_inference, d, 1);
      return softmax_forward(softmax_forward::primitive_desc(sd, cpuEngine()));
    });
    auto &eng = cpuEngine();
    prim.execute(cpuStream(), {{DNNL_ARG_SRC, memory(d, eng, x)},
                               {DNNL_ARG_DST, memory(d, eng, y)}});
    cpuStream().wait();
    // tfjs computes exp(x - max) / sum: a row holding NaN or +inf, or only -inf, is NaN
    // throughout. oneDNN's primitive skips such values (a NaN row gave 0 elsewhere), so
    // those rows are set as tfjs sets them: a diverging network's loss must become NaN.
#pragma omp parallel for if (rows * cols >= (1 << 15)) schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const float *xr = x + r * cols;
      bool bad = false, allNegInf = cols > 0;
      for (int64_t j = 0; j < cols; ++j) {
        const float v = xr[j];
        if (std::isnan(v) || v == INFINITY) bad = true;
        if (v != -INFINITY) allNegInf = false;
      }
      if (bad || allNegInf)
        for (int64_t j = 0; j < cols; ++j) y[r * cols + j] = NAN;
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void initSoftmax(Napi::Env env, Napi::Object exports) {
  exports.Set("softmax", Napi::Function::New(env, Softmax));
}

}  // namespace convkit
