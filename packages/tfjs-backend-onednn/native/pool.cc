// MaxPool / AvgPool forward and backward over oneDNN (NHWC). tfjs's AvgPool
// divides by the number of in-bounds taps, i.e. oneDNN's
// pooling_avg_exclude_padding. tfjs's MaxPoolGrad receives (dy, x, y) but no
// argmax workspace, so that backward pass re-runs a forward_training pass to
// obtain oneDNN's workspace, then runs pooling backward. The training-time
// max pool (patches/max_pool.ts) instead keeps the workspace written by its
// forward (maxPoolForwardTraining) and hands it to maxPoolBackwardWs.
#include "common.h"

namespace convkit {
namespace {

using namespace dnnl;

struct PoolGeom {
  dims x, y, kernel, strides, padL, padR;  // x/y logical NCHW, memory NHWC
  std::vector<int64_t> key(int64_t kind) const {
    std::vector<int64_t> k{kind};
    for (const dims *d : {&x, &y, &kernel, &strides, &padL, &padR})
      k.insert(k.end(), d->begin(), d->end());
    return k;
  }
};

PoolGeom readGeom(const Napi::CallbackInfo &info, const char *op, size_t xi, size_t yi,
                  size_t ki) {
  dims xs = dimsArg(info, xi, "xShape"), ys = dimsArg(info, yi, "yShape");
  PoolGeom g;
  g.kernel = dimsArg(info, ki, "kernel");
  g.strides = dimsArg(info, ki + 1, "strides");
  g.padL = dimsArg(info, ki + 2, "padL");
  g.padR = dimsArg(info, ki + 3, "padR");
  if (xs.size() != 4 || ys.size() != 4 || g.kernel.size() != 2 ||
      g.strides.size() != 2 || g.padL.size() != 2 || g.padR.size() != 2)
    throw Napi::TypeError::New(info.Env(), std::string("onednn ") + op + ": bad shape ranks");
  g.x = {xs[0], xs[3], xs[1], xs[2]};
  g.y = {ys[0], ys[3], ys[1], ys[2]};
  return g;
}

memory::desc nhwc(const dims &d) { return {d, dt::f32, tag::nhwc}; }

pooling_forward::primitive_desc fwdPd(const PoolGeom &g, algorithm alg,
                                      prop_kind pk) {
  pooling_forward::desc d(pk, alg, nhwc(g.x), nhwc(g.y), g.strides, g.kernel,
                          g.padL, g.padR);
  return pooling_forward::primitive_desc(d, cpuEngine());
}

algorithm algOf(bool isMax) {
  return isMax ? algorithm::pooling_max
               : algorithm::pooling_avg_exclude_padding;
}

struct MaxBwd {
  pooling_forward fwd;
  pooling_backward bwd;
  memory::desc ws;
};

PrimitiveCache<pooling_forward> fwdCache;
PrimitiveCache<MaxBwd> maxBwdCache;
PrimitiveCache<pooling_backward> avgBwdCache;

// The workspace as raw bytes: any TypedArray (the JS side stores it in an
// Int32Array of ceil(bytes / 4) elements).
uint8_t *wsArg(const Napi::CallbackInfo &info, const char *op, size_t i, size_t needed) {
  if (i >= info.Length() || !info[i].IsTypedArray())
    throw Napi::TypeError::New(info.Env(), std::string("onednn ") + op + ": workspace must be a TypedArray");
  Napi::TypedArray t = info[i].As<Napi::TypedArray>();
  if (t.ByteLength() < needed)
    throwRange(info, op, "workspace has " + std::to_string(t.ByteLength()) + " bytes, needs " +
                             std::to_string(needed));
  return static_cast<uint8_t *>(t.ArrayBuffer().Data()) + t.ByteOffset();
}

MaxBwd &maxPrims(const PoolGeom &g) {
  return maxBwdCache.get(g.key(2), [&] {
    auto fpd = fwdPd(g, algorithm::pooling_max, prop_kind::forward_training);
    pooling_backward::desc bd(algorithm::pooling_max, nhwc(g.x), nhwc(g.y),
                              g.strides, g.kernel, g.padL, g.padR);
    pooling_backward::primitive_desc bpd(bd, cpuEngine(), fpd);
    return MaxBwd{pooling_forward(fpd), pooling_backward(bpd),
                  fpd.workspace_desc()};
  });
}

// poolForward(x, xShape, y, yShape, kernel, strides, padL, padR, isMax)
Napi::Value PoolForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *x = f32(info, 0, "x");
    float *y = f32(info, 2, "y");
    const char *op = "poolForward";
    PoolGeom g = readGeom(info, op, 1, 3, 4);
    expectShape(info, 0, g.x, op, "x");
    expectShape(info, 2, g.y, op, "y");
    bool isMax = info[8].ToBoolean();
    auto &prim = fwdCache.get(g.key(isMax ? 0 : 1), [&] {
      return pooling_forward(fwdPd(g, algOf(isMax), prop_kind::forward_inference));
    });
    auto &eng = cpuEngine();
    prim.execute(cpuStream(), {{DNNL_ARG_SRC, memory(nhwc(g.x), eng, x)},
                               {DNNL_ARG_DST, memory(nhwc(g.y), eng, y)}});
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

// maxPoolBackward(x, xShape, dy, dyShape, dx, kernel, strides, padL, padR)
Napi::Value MaxPoolBackward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *x = f32(info, 0, "x");
    float *dy = f32(info, 2, "dy");
    float *dx = f32(info, 4, "dx");
    const char *op = "maxPoolBackward";
    PoolGeom g = readGeom(info, op, 1, 3, 5);
    expectShape(info, 0, g.x, op, "x");
    expectShape(info, 2, g.y, op, "dy");
    expectShape(info, 4, g.x, op, "dx");
    auto &p = maxPrims(g);
    auto &eng = cpuEngine();
    memory ws(p.ws, eng);
    memory yScratch(nhwc(g.y), eng);
    p.fwd.execute(cpuStream(), {{DNNL_ARG_SRC, memory(nhwc(g.x), eng, x)},
                                {DNNL_ARG_DST, yScratch},
                                {DNNL_ARG_WORKSPACE, ws}});
    p.bwd.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, memory(nhwc(g.y), eng, dy)},
                                {DNNL_ARG_DIFF_SRC, memory(nhwc(g.x), eng, dx)},
                                {DNNL_ARG_WORKSPACE, ws}});
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

// maxPoolWorkspaceBytes(xShape, yShape, kernel, strides, padL, padR): the
// size of the workspace maxPoolForwardTraining writes.
Napi::Value MaxPoolWorkspaceBytes(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    PoolGeom g = readGeom(info, "maxPoolWorkspaceBytes", 0, 1, 2);
    return Napi::Number::New(info.Env(),
                             static_cast<double>(maxPrims(g).ws.get_size()));
  });
}

// maxPoolForwardTraining(x, xShape, y, yShape, ws, kernel, strides, padL, padR)
Napi::Value MaxPoolForwardTraining(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *x = f32(info, 0, "x");
    float *y = f32(info, 2, "y");
    const char *op = "maxPoolForwardTraining";
    PoolGeom g = readGeom(info, op, 1, 3, 5);
    expectShape(info, 0, g.x, op, "x");
    expectShape(info, 2, g.y, op, "y");
    auto &p = maxPrims(g);
    uint8_t *ws = wsArg(info, op, 4, p.ws.get_size());
    auto &eng = cpuEngine();
    p.fwd.execute(cpuStream(), {{DNNL_ARG_SRC, memory(nhwc(g.x), eng, x)},
                                {DNNL_ARG_DST, memory(nhwc(g.y), eng, y)},
                                {DNNL_ARG_WORKSPACE, memory(p.ws, eng, ws)}});
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

// maxPoolBackwardWs(dy, dyShape, ws, dx, dxShape, kernel, strides, padL, padR):
// pooling backward from the workspace of maxPoolForwardTraining (same geometry).
Napi::Value MaxPoolBackwardWs(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *dy = f32(info, 0, "dy");
    float *dx = f32(info, 3, "dx");
    const char *op = "maxPoolBackwardWs";
    PoolGeom g = readGeom(info, op, 4, 1, 5);
    expectShape(info, 0, g.y, op, "dy");
    expectShape(info, 3, g.x, op, "dx");
    auto &p = maxPrims(g);
    uint8_t *ws = wsArg(info, op, 2, p.ws.get_size());
    auto &eng = cpuEngine();
    p.bwd.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, memory(nhwc(g.y), eng, dy)},
                                {DNNL_ARG_DIFF_SRC, memory(nhwc(g.x), eng, dx)},
                                {DNNL_ARG_WORKSPACE, memory(p.ws, eng, ws)}});
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

// avgPoolBackward(dy, dyShape, dx, dxShape, kernel, strides, padL, padR)
Napi::Value AvgPoolBackward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *dy = f32(info, 0, "dy");
    float *dx = f32(info, 2, "dx");
    const char *op = "avgPoolBackward";
    PoolGeom g = readGeom(info, op, 3, 1, 4);
    expectShape(info, 0, g.y, op, "dy");
    expectShape(info, 2, g.x, op, "dx");
    auto &prim = avgBwdCache.get(g.key(3), [&] {
      auto alg = algorithm::pooling_avg_include_padding;
      auto fpd = fwdPd(g, alg, prop_kind::forward_training);
      pooling_backward::desc bd(alg, nhwc(g.x), nhwc(g.y), g.strides, g.kernel,
                                g.padL, g.padR);
      return pooling_backward(
          pooling_backward::primitive_desc(bd, cpuEngine(), fpd));
    });
    auto &eng = cpuEngine();
    prim.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, memory(nhwc(g.y), eng, dy)},
                               {DNNL_ARG_DIFF_SRC, memory(nhwc(g.x), eng, dx)}});
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

}  // namespace

void initPool(Napi::Env env, Napi::Object exports) {
  exports.Set("poolForward", Napi::Function::New(env, PoolForward));
  exports.Set("maxPoolBackward", Napi::Function::New(env, MaxPoolBackward));
  exports.Set("avgPoolBackward", Napi::Function::New(env, AvgPoolBackward));
  exports.Set("maxPoolWorkspaceBytes", Napi::Function::New(env, MaxPoolWorkspaceBytes));
  exports.Set("maxPoolForwardTraining", Napi::Function::New(env, MaxPoolForwardTraining));
  exports.Set("maxPoolBackwardWs", Napi::Function::New(env, MaxPoolBackwardWs));
}

}  // namespace convkit
