// GELU, exact erf form y = 0.5 x (1 + erf(x / sqrt(2))), and its gradient with
// oneDNN's eltwise gelu_erf primitives over the flat tensor.
#include "common.h"

namespace convkit {
namespace {

using namespace dnnl;

eltwise_forward::primitive_desc forwardPd(int64_t n) {
  memory::desc d({n}, dt::f32, tag::a);
  return eltwise_forward::primitive_desc(
      eltwise_forward::desc(prop_kind::forward_training, algorithm::eltwise_gelu_erf, d, 0.f, 0.f),
      cpuEngine());
}

PrimitiveCache<eltwise_forward> fwdCache;
PrimitiveCache<eltwise_backward> bwdCache;

// geluForward(x, y)
Napi::Value GeluForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *x = f32(info, 0, "x"), *y = f32(info, 1, "y");
    const int64_t n = static_cast<int64_t>(f32Len(info, 0));
    if (n < 1) throwRange(info, "geluForward", "x is empty");
    expectLen(info, 1, n, "geluForward", "y");
    auto &prim = fwdCache.get({n}, [&] { return eltwise_forward(forwardPd(n)); });
    memory::desc d({n}, dt::f32, tag::a);
    auto &eng = cpuEngine();
    prim.execute(cpuStream(), {{DNNL_ARG_SRC, memory(d, eng, x)}, {DNNL_ARG_DST, memory(d, eng, y)}});
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

// geluBackward(x, dy, dx)
Napi::Value GeluBackward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *x = f32(info, 0, "x"), *dy = f32(info, 1, "dy"), *dx = f32(info, 2, "dx");
    const int64_t n = static_cast<int64_t>(f32Len(info, 0));
    if (n < 1) throwRange(info, "geluBackward", "x is empty");
    expectLen(info, 1, n, "geluBackward", "dy");
    expectLen(info, 2, n, "geluBackward", "dx");
    memory::desc d({n}, dt::f32, tag::a);
    auto &prim = bwdCache.get({n}, [&] {
      eltwise_backward::desc bd(algorithm::eltwise_gelu_erf, d, d, 0.f, 0.f);
      return eltwise_backward(eltwise_backward::primitive_desc(bd, cpuEngine(), forwardPd(n)));
    });
    auto &eng = cpuEngine();
    prim.execute(cpuStream(), {{DNNL_ARG_SRC, memory(d, eng, x)},
                               {DNNL_ARG_DIFF_DST, memory(d, eng, dy)},
                               {DNNL_ARG_DIFF_SRC, memory(d, eng, dx)}});
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

}  // namespace

void initGelu(Napi::Env env, Napi::Object exports) {
  exports.Set("geluForward", Napi::Function::New(env, GeluForward));
  exports.Set("geluBackward", Napi::Function::New(env, GeluBackward));
}

}  // namespace convkit
