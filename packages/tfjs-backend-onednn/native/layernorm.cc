// Layer normalisation over the last axis (x viewed as [rows, C]) with oneDNN's
// layer_normalization primitives: y = (x - mean) / sqrt(var + eps) * gamma + beta
// (biased variance). The forward keeps no statistics (tfjs's kernel has one output);
// the backward recomputes the per-row mean and variance from x (one pass over a
// tensor it reads anyway) and writes dx, dgamma and dbeta in one primitive.
#include <cmath>

#include "common.h"

namespace convkit {
namespace {

using namespace dnnl;

const normalization_flags kFlags = normalization_flags::use_scale | normalization_flags::use_shift;

PrimitiveCache<layer_normalization_forward> fwdCache;
PrimitiveCache<layer_normalization_backward> bwdCache;

// Per-row statistics of the backward, grown as needed and kept (calls hold the addon lock).
std::vector<float> &stats() {
  static std::vector<float> s;
  return s;
}

int64_t bitsOf(float f) {
  int32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

layer_normalization_forward::primitive_desc forwardPd(prop_kind kind, int64_t rows, int64_t C,
                                                       float eps) {
  memory::desc d({rows, C}, dt::f32, tag::ab), stat({rows}, dt::f32, tag::a);
  return layer_normalization_forward::primitive_desc(
      layer_normalization_forward::desc(kind, d, stat, eps, kFlags), cpuEngine());
}

// Reads rows, C and eps (arguments first..first+2) and checks them.
void geometry(const Napi::CallbackInfo &info, size_t first, const char *op, int64_t &rows,
              int64_t &C, float &eps) {
  rows = intArg(info, first, "rows");
  C = intArg(info, first + 1, "channels");
  eps = static_cast<float>(numArg(info, first + 2, "epsilon"));
  if (rows < 1 || C < 1) throwRange(info, op, "rows and channels must be >= 1");
  if (!(eps > 0.f) || !std::isfinite(eps)) throwRange(info, op, "epsilon must be positive");
}

// layerNormForward(x, gamma, beta, y, rows, C, epsilon)
Napi::Value LayerNormForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const char *op = "layerNormForward";
    float *x = f32(info, 0, "x"), *gamma = f32(info, 1, "gamma"), *beta = f32(info, 2, "beta");
    float *y = f32(info, 3, "y");
    int64_t rows, C;
    float eps;
    geometry(info, 4, op, rows, C, eps);
    expectShape(info, 0, {rows, C}, op, "x");
    expectLen(info, 1, C, op, "gamma");
    expectLen(info, 2, C, op, "beta");
    expectShape(info, 3, {rows, C}, op, "y");
    auto &prim = fwdCache.get({rows, C, bitsOf(eps)}, [&] {
      return layer_normalization_forward(forwardPd(prop_kind::forward_inference, rows, C, eps));
    });
    auto &eng = cpuEngine();
    memory::desc d({rows, C}, dt::f32, tag::ab), w({C}, dt::f32, tag::a);
    prim.execute(cpuStream(), {{DNNL_ARG_SRC, memory(d, eng, x)},
                               {DNNL_ARG_SCALE, memory(w, eng, gamma)},
                               {DNNL_ARG_SHIFT, memory(w, eng, beta)},
                               {DNNL_ARG_DST, memory(d, eng, y)}});
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

// layerNormBackward(x, dy, gamma, dx, dgamma, dbeta, rows, C, epsilon)
Napi::Value LayerNormBackward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const char *op = "layerNormBackward";
    float *x = f32(info, 0, "x"), *dy = f32(info, 1, "dy"), *gamma = f32(info, 2, "gamma");
    float *dx = f32(info, 3, "dx"), *dgamma = f32(info, 4, "dgamma"), *dbeta = f32(info, 5, "dbeta");
    int64_t rows, C;
    float eps;
    geometry(info, 6, op, rows, C, eps);
    expectShape(info, 0, {rows, C}, op, "x");
    expectShape(info, 1, {rows, C}, op, "dy");
    expectLen(info, 2, C, op, "gamma");
    expectShape(info, 3, {rows, C}, op, "dx");
    expectLen(info, 4, C, op, "dgamma");
    expectLen(info, 5, C, op, "dbeta");
    auto &st = stats();
    if (st.size() < static_cast<size_t>(2 * rows)) st.resize(2 * rows);
    float *mean = st.data(), *var = st.data() + rows;
#pragma omp parallel for if (rows * C >= (1 << 15)) schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const float *xr = x + r * C;
      float m = 0.f;
      for (int64_t j = 0; j < C; ++j) m += xr[j];
      m /= static_cast<float>(C);
      float v = 0.f;
      for (int64_t j = 0; j < C; ++j) v += (xr[j] - m) * (xr[j] - m);
      mean[r] = m;
      var[r] = v / static_cast<float>(C);
    }
    memory::desc d({rows, C}, dt::f32, tag::ab), stat({rows}, dt::f32, tag::a),
        w({C}, dt::f32, tag::a);
    auto &prim = bwdCache.get({rows, C, bitsOf(eps)}, [&] {
      layer_normalization_backward::desc bd(prop_kind::backward, d, d, stat, eps, kFlags);
      return layer_normalization_backward(layer_normalization_backward::primitive_desc(
          bd, cpuEngine(), forwardPd(prop_kind::forward_training, rows, C, eps)));
    });
    auto &eng = cpuEngine();
    prim.execute(cpuStream(), {{DNNL_ARG_SRC, memory(d, eng, x)},
                               {DNNL_ARG_DIFF_DST, memory(d, eng, dy)},
                               {DNNL_ARG_SCALE, memory(w, eng, gamma)},
                               // oneDNN 2.6 asks for the shift with use_shift; dx, dgamma and
                               // dbeta do not depend on it (gamma's buffer stands in, read-only).
                               {DNNL_ARG_SHIFT, memory(w, eng, gamma)},
                               {DNNL_ARG_MEAN, memory(stat, eng, mean)},
                               {DNNL_ARG_VARIANCE, memory(stat, eng, var)},
                               {DNNL_ARG_DIFF_SRC, memory(d, eng, dx)},
                               {DNNL_ARG_DIFF_SCALE, memory(w, eng, dgamma)},
                               {DNNL_ARG_DIFF_SHIFT, memory(w, eng, dbeta)}});
    cpuStream().wait();
    return info.Env().Undefined();
  });
}

}  // namespace

void initLayerNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("layerNormForward", Napi::Function::New(env, LayerNormForward));
  exports.Set("layerNormBackward", Napi::Function::New(env, LayerNormBackward));
}

}  // namespace convkit
