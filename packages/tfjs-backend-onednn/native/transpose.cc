// Transpose of a float32 tensor (tfjs's Transpose kernel: any permutation) as a
// oneDNN reorder: the source is described in the output's dimension order with the
// input's strides permuted, the destination is dense. Small tensors (a Dense layer's
// kernel) are copied by a loop on the calling thread instead: waking OpenMP's
// workers costs more than the copy.
#include "common.h"

namespace convkit {
namespace {

using namespace dnnl;

PrimitiveCache<reorder> cache;

// transpose(x, xShape, perm, y): y has shape xShape[perm[i]].
Napi::Value Transpose(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const char *op = "transpose";
    float *x = f32(info, 0, "x");
    const dims xs = dimsArg(info, 1, "xShape");
    const dims perm = dimsArg(info, 2, "perm");
    float *y = f32(info, 3, "y");
    const size_t r = xs.size();
    if (r < 1 || r > DNNL_MAX_NDIMS) throwRange(info, op, "rank must be 1 to 12");
    if (perm.size() != r) throwRange(info, op, "perm does not match the rank");
    std::vector<bool> seen(r, false);
    for (int64_t p : perm) {
      if (p < 0 || p >= static_cast<int64_t>(r) || seen[p]) throwRange(info, op, "perm is not a permutation");
      seen[p] = true;
    }
    const int64_t n = elementCount(info, op, xs, "x");
    if (n == 0) throwRange(info, op, "x is empty");
    dims inStrides(r), outDims(r), srcStrides(r);
    int64_t st = 1;
    for (size_t d = r; d-- > 0;) {
      inStrides[d] = st;
      st *= xs[d];
    }
    for (size_t i = 0; i < r; ++i) {
      outDims[i] = xs[perm[i]];
      srcStrides[i] = inStrides[perm[i]];
    }
    expectShape(info, 0, xs, op, "x");
    expectShape(info, 3, outDims, op, "y");
    if (n < (1 << 15)) {
      // Odometer over the output in order; `at` follows the matching input offset.
      dims idx(r, 0);
      int64_t at = 0;
      for (int64_t i = 0; i < n; ++i) {
        y[i] = x[at];
        for (size_t d = r; d-- > 0;) {
          at += srcStrides[d];
          if (++idx[d] < outDims[d]) break;
          at -= srcStrides[d] * outDims[d];
          idx[d] = 0;
        }
      }
      return info.Env().Undefined();
    }
    memory::desc src(outDims, dt::f32, srcStrides);
    dims outStrides(r);
    st = 1;
    for (size_t d = r; d-- > 0;) {
      outStrides[d] = st;
      st *= outDims[d];
    }
    memory::desc dst(outDims, dt::f32, outStrides);
    std::vector<int64_t> key(xs.begin(), xs.end());
    key.insert(key.end(), perm.begin(), perm.end());
    auto &eng = cpuEngine();
    auto &prim = cache.get(key, [&] {
      return reorder(reorder::primitive_desc(eng, src, eng, dst));
    });
    prim.execute(cpuStream(), {{DNNL_ARG_FROM, memory(src, eng, x)},
                               {DNNL_ARG_TO, memory(dst, eng, y)}});
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

}  // namespace

void initTranspose(Napi::Env env, Napi::Object exports) {
  exports.Set("transpose", Napi::Function::New(env, Transpose));
}

}  // namespace convkit
