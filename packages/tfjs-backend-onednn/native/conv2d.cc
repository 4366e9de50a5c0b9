// Conv2D forward (optionally fused bias + activation), backward data and
// backward weights over oneDNN, on tfjs's native layouts: activations NHWC,
// filters HWIO. Shapes/padding are computed on the JS side by tfjs-core's
// backend_util.computeConv2DInfo and passed in explicitly.
#include "common.h"

namespace convkit {
namespace {

using namespace dnnl;

struct ConvGeom {
  dims x;   // N, C, H, W  (logical oneDNN order; memory is NHWC)
  dims w;   // O, I, KH, KW (memory is HWIO)
  dims y;   // N, O, OH, OW
  dims strides, dil, padL, padR;  // dil in oneDNN convention (0 = none)

  std::vector<int64_t> key(int64_t kind, int64_t extra0 = 0,
                           int64_t extra1 = 0) const {
    std::vector<int64_t> k{kind, extra0, extra1};
    for (const dims *d : {&x, &w, &y, &strides, &dil, &padL, &padR})
      k.insert(k.end(), d->begin(), d->end());
    return k;
  }
};

// JS passes shapes in tfjs order: x/y as [N,H,W,C], filter as [KH,KW,I,O],
// dilations in tfjs convention (1 = none).
ConvGeom readGeom(const Napi::CallbackInfo &info, size_t xi, size_t wi,
                  size_t yi, size_t si) {
  dims xs = dimsArg(info, xi, "xShape"), ws = dimsArg(info, wi, "filterShape"),
       ys = dimsArg(info, yi, "yShape");
  dims st = dimsArg(info, si, "strides"), dl = dimsArg(info, si + 1, "dilations"),
       pl = dimsArg(info, si + 2, "padL"), pr = dimsArg(info, si + 3, "padR");
  if (xs.size() != 4 || ws.size() != 4 || ys.size() != 4 || st.size() != 2 ||
      dl.size() != 2 || pl.size() != 2 || pr.size() != 2)
    throw Napi::TypeError::New(info.Env(), "onednn conv2d: bad shape ranks");
  ConvGeom g;
  g.x = {xs[0], xs[3], xs[1], xs[2]};
  g.w = {ws[3], ws[2], ws[0], ws[1]};
  g.y = {ys[0], ys[3], ys[1], ys[2]};
  g.strides = st;
  g.dil = {dl[0] - 1, dl[1] - 1};
  g.padL = pl;
  g.padR = pr;
  return g;
}

memory::desc xDesc(const dims &d) { return {d, dt::f32, tag::nhwc}; }
memory::desc wDesc(const dims &d) { return {d, dt::f32, tag::hwio}; }

convolution_forward::primitive_desc fwdPd(const ConvGeom &g, bool bias,
                                          prop_kind pk, const primitive_attr &attr) {
  memory::desc bd = bias ? memory::desc({g.y[1]}, dt::f32, tag::a)
                         : memory::desc();
  convolution_forward::desc d(pk, algorithm::convolution_direct, xDesc(g.x),
                              wDesc(g.w), bd, xDesc(g.y), g.strides, g.dil,
                              g.padL, g.padR);
  return convolution_forward::primitive_desc(d, attr, cpuEngine());
}

PrimitiveCache<convolution_forward> fwdCache;
PrimitiveCache<convolution_backward_data> bwdDataCache;
PrimitiveCache<convolution_backward_weights> bwdWeightsCache;

// conv2dForward(x, xShape, w, wShape, bias|null, y, yShape,
//               strides, dilations, padL, padR, activation, alpha)
Napi::Value Conv2dForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *x = f32(info, 0, "x");
    float *w = f32(info, 2, "filter");
    float *b = f32OrNull(info, 4, "bias");
    float *y = f32(info, 5, "y");
    ConvGeom g = readGeom(info, 1, 3, 6, 7);
    int act = static_cast<int>(intArg(info, 11, "activation"));
    float alpha = static_cast<float>(numArg(info, 12, "alpha"));
    int32_t alphaBits;
    std::memcpy(&alphaBits, &alpha, sizeof alphaBits);
    auto &prim = fwdCache.get(g.key(0, (b ? 1 : 0) | (act << 1), alphaBits), [&] {
      post_ops ops;
      appendActivation(ops, act, alpha);
      primitive_attr attr;
      attr.set_post_ops(ops);
      return convolution_forward(fwdPd(g, b != nullptr, prop_kind::forward_inference, attr));
    });
    auto &eng = cpuEngine();
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, memory(xDesc(g.x), eng, x)},
        {DNNL_ARG_WEIGHTS, memory(wDesc(g.w), eng, w)},
        {DNNL_ARG_DST, memory(xDesc(g.y), eng, y)}};
    if (b) args.emplace(DNNL_ARG_BIAS, memory({{g.y[1]}, dt::f32, tag::a}, eng, b));
    prim.execute(cpuStream(), args);
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

// conv2dBackwardData(dy, dyShape, w, wShape, dx, dxShape,
//                    strides, dilations, padL, padR)
Napi::Value Conv2dBackwardData(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *dy = f32(info, 0, "dy");
    float *w = f32(info, 2, "filter");
    float *dx = f32(info, 4, "dx");
    ConvGeom g = readGeom(info, 5, 3, 1, 6);
    auto &prim = bwdDataCache.get(g.key(1), [&] {
      auto hint = fwdPd(g, false, prop_kind::forward_training, primitive_attr());
      convolution_backward_data::desc d(algorithm::convolution_direct,
                                        xDesc(g.x), wDesc(g.w), xDesc(g.y),
                                        g.strides, g.dil, g.padL, g.padR);
      return convolution_backward_data(
          convolution_backward_data::primitive_desc(d, cpuEngine(), hint));
    });
    auto &eng = cpuEngine();
    prim.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, memory(xDesc(g.y), eng, dy)},
                               {DNNL_ARG_WEIGHTS, memory(wDesc(g.w), eng, w)},
                               {DNNL_ARG_DIFF_SRC, memory(xDesc(g.x), eng, dx)}});
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

// conv2dBackwardWeights(x, xShape, dy, dyShape, dw, dwShape,
//                       strides, dilations, padL, padR[, db])
// When db (a Float32Array of outChannels) is given, the bias gradient
// (sum of dy over N, H, W) is produced by the same primitive.
Napi::Value Conv2dBackwardWeights(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *x = f32(info, 0, "x");
    float *dy = f32(info, 2, "dy");
    float *dw = f32(info, 4, "dw");
    ConvGeom g = readGeom(info, 1, 5, 3, 6);
    float *db = f32OrNull(info, 10, "db");
    if (db && f32Len(info, 10) != static_cast<size_t>(g.y[1]))
      throw Napi::RangeError::New(info.Env(), "onednn conv2d: db length != outChannels");
    memory::desc bd = db ? memory::desc({g.y[1]}, dt::f32, tag::a) : memory::desc();
    auto &prim = bwdWeightsCache.get(g.key(2, db ? 1 : 0), [&] {
      auto hint = fwdPd(g, db != nullptr, prop_kind::forward_training, primitive_attr());
      convolution_backward_weights::desc d(
          algorithm::convolution_direct, xDesc(g.x), wDesc(g.w), bd, xDesc(g.y),
          g.strides, g.dil, g.padL, g.padR);
      return convolution_backward_weights(
          convolution_backward_weights::primitive_desc(d, cpuEngine(), hint));
    });
    auto &eng = cpuEngine();
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, memory(xDesc(g.x), eng, x)},
        {DNNL_ARG_DIFF_DST, memory(xDesc(g.y), eng, dy)},
        {DNNL_ARG_DIFF_WEIGHTS, memory(wDesc(g.w), eng, dw)}};
    if (db) args.emplace(DNNL_ARG_DIFF_BIAS, memory(bd, eng, db));
    prim.execute(cpuStream(), args);
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

}  // namespace

void initConv2d(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2dForward", Napi::Function::New(env, Conv2dForward));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, Conv2dBackwardData));
  exports.Set("conv2dBackwardWeights",
              Napi::Function::New(env, Conv2dBackwardWeights));
}

}  // namespace convkit
