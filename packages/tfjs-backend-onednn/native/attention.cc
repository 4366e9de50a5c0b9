// Multi-head scaled dot-product attention on the [B, T, D] layout of q, k, v:
// head h is channels h·dh … (h+1)·dh − 1 (dh = D / heads), and for each (b, h)
//   P = softmax(q_h k_hᵀ · scale),  out_h = P v_h.
// Every matmul runs once over all (b, h) pairs as a batched oneDNN matmul whose
// memory descriptors read the heads in place through strides ([B, H, T, dh] with
// strides [T·D, dh, D, 1]): no transposes, no copies. P ([B, H, T, T]) is an
// output of the forward, kept for the backward.
#include <cmath>

#include "common.h"

namespace convkit {
namespace {

using namespace dnnl;

struct Geometry {
  int64_t B, T, D, H, dh;
  float scale;
  std::vector<int64_t> key() const {
    int32_t bits;
    std::memcpy(&bits, &scale, sizeof bits);
    return {B, T, D, H, bits};
  }
  // q, k, v, out (and their gradients) as [B, H, T, dh], read in place.
  memory::desc heads() const { return memory::desc({B, H, T, dh}, dt::f32, dims{T * D, dh, D, 1}); }
  // k or v as [B, H, dh, T] (transposed per head), read in place.
  memory::desc headsT() const { return memory::desc({B, H, dh, T}, dt::f32, dims{T * D, dh, 1, D}); }
  // Scores / probabilities [B, H, T, T], dense.
  memory::desc scores() const { return memory::desc({B, H, T, T}, dt::f32, tag::abcd); }
  // Their per-head transpose, read in place.
  memory::desc scoresT() const { return memory::desc({B, H, T, T}, dt::f32, tag::abdc); }
  memory::desc rows() const { return memory::desc({B * H * T, T}, dt::f32, tag::ab); }
};

matmul makeMatmul(const memory::desc &a, const memory::desc &b, const memory::desc &c,
                  float scale) {
  primitive_attr attr;
  if (scale != 1.f) attr.set_output_scales(0, {scale});
  return matmul(matmul::primitive_desc(matmul::desc(a, b, c), attr, cpuEngine()));
}

softmax_forward::primitive_desc softmaxPd(const Geometry &g) {
  return softmax_forward::primitive_desc(
      softmax_forward::desc(prop_kind::forward_training, g.rows(), 1), cpuEngine());
}

struct Fwd {
  matmul scores;   // S = scale · q kᵀ
  softmax_forward softmax;
  matmul output;   // out = P v
};
struct Bwd {
  matmul dProbs;   // dP = dout vᵀ
  matmul dValues;  // dv = Pᵀ dout
  softmax_backward softmax;
  matmul dQueries; // dq = scale · dS k
  matmul dKeys;    // dk = scale · dSᵀ q
};
PrimitiveCache<Fwd> fwdCache;
PrimitiveCache<Bwd> bwdCache;

// Scratch for dP / dS of the backward, grown as needed and kept (calls hold the addon lock).
std::vector<float> &scratch() {
  static std::vector<float> s;
  return s;
}
std::vector<unsigned char> &badRows() {
  static std::vector<unsigned char> s;
  return s;
}

// Reads B, T, D, heads, scale from arguments first..first+4 and checks them.
Geometry geometry(const Napi::CallbackInfo &info, size_t first, const char *op) {
  Geometry g;
  g.B = intArg(info, first, "batch");
  g.T = intArg(info, first + 1, "tokens");
  g.D = intArg(info, first + 2, "channels");
  g.H = intArg(info, first + 3, "heads");
  g.scale = static_cast<float>(numArg(info, first + 4, "scale"));
  if (g.B < 1 || g.T < 1 || g.D < 1 || g.H < 1)
    throwRange(info, op, "batch, tokens, channels and heads must be >= 1");
  if (g.D % g.H != 0) throwRange(info, op, "channels must be divisible by heads");
  if (!std::isfinite(g.scale)) throwRange(info, op, "scale must be finite");
  g.dh = g.D / g.H;
  elementCount(info, op, {g.B, g.H, g.T, g.T}, "probs");
  return g;
}

// attentionForward(q, k, v, out, probs, B, T, D, heads, scale)
Napi::Value AttentionForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const char *op = "attentionForward";
    float *q = f32(info, 0, "q"), *k = f32(info, 1, "k"), *v = f32(info, 2, "v");
    float *out = f32(info, 3, "out"), *probs = f32(info, 4, "probs");
    const Geometry g = geometry(info, 5, op);
    const dims btd{g.B, g.T, g.D};
    expectShape(info, 0, btd, op, "q");
    expectShape(info, 1, btd, op, "k");
    expectShape(info, 2, btd, op, "v");
    expectShape(info, 3, btd, op, "out");
    expectShape(info, 4, {g.B, g.H, g.T, g.T}, op, "probs");
    auto &f = fwdCache.get(g.key(), [&] {
      return Fwd{makeMatmul(g.heads(), g.headsT(), g.scores(), g.scale),
                 softmax_forward(softmaxPd(g)),
                 makeMatmul(g.scores(), g.heads(), g.heads(), 1.f)};
    });
    auto &eng = cpuEngine();
    auto &s = cpuStream();
    f.scores.execute(s, {{DNNL_ARG_SRC, memory(g.heads(), eng, q)},
                         {DNNL_ARG_WEIGHTS, memory(g.headsT(), eng, k)},
                         {DNNL_ARG_DST, memory(g.scores(), eng, probs)}});
    s.wait();
    // As tfjs's softmax (exp(x - max) / sum): a row of scores holding NaN or +inf, or only
    // -inf, is NaN throughout; oneDNN's primitive skips such values. A diverging network must
    // get a NaN loss here as on tfjs-cpu.
    const int64_t nrows = g.B * g.H * g.T, T = g.T;
    auto &bad = badRows();
    bad.assign(nrows, 0);
    bool anyBad = false;
#pragma omp parallel for if (nrows * T >= (1 << 15)) schedule(static) reduction(|| : anyBad)
    for (int64_t r = 0; r < nrows; ++r) {
      const float *xr = probs + r * T;
      bool b = false, allNegInf = true;
      for (int64_t j = 0; j < T; ++j) {
        const float x = xr[j];
        if (std::isnan(x) || x == INFINITY) b = true;
        if (x != -INFINITY) allNegInf = false;
      }
      if (b || allNegInf) {
        bad[r] = 1;
        anyBad = true;
      }
    }
    memory pm(g.rows(), eng, probs);
    f.softmax.execute(s, {{DNNL_ARG_SRC, pm}, {DNNL_ARG_DST, pm}});
    s.wait();
    if (anyBad)
      for (int64_t r = 0; r < nrows; ++r)
        if (bad[r])
          for (int64_t j = 0; j < T; ++j) probs[r * T + j] = NAN;
    f.output.execute(s, {{DNNL_ARG_SRC, memory(g.scores(), eng, probs)},
                         {DNNL_ARG_WEIGHTS, memory(g.heads(), eng, v)},
                         {DNNL_ARG_DST, memory(g.heads(), eng, out)}});
    s.wait();
    return info.Env().Undefined();
  });
}

// attentionBackward(q, k, v, probs, dout, dq, dk, dv, B, T, D, heads, scale)
Napi::Value AttentionBackward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const char *op = "attentionBackward";
    float *q = f32(info, 0, "q"), *k = f32(info, 1, "k"), *v = f32(info, 2, "v");
    float *probs = f32(info, 3, "probs"), *dout = f32(info, 4, "dout");
    float *dq = f32(info, 5, "dq"), *dk = f32(info, 6, "dk"), *dv = f32(info, 7, "dv");
    const Geometry g = geometry(info, 8, op);
    const dims btd{g.B, g.T, g.D};
    expectShape(info, 0, btd, op, "q");
    expectShape(info, 1, btd, op, "k");
    expectShape(info, 2, btd, op, "v");
    expectShape(info, 3, {g.B, g.H, g.T, g.T}, op, "probs");
    expectShape(info, 4, btd, op, "dout");
    expectShape(info, 5, btd, op, "dq");
    expectShape(info, 6, btd, op, "dk");
    expectShape(info, 7, btd, op, "dv");
    auto &b = bwdCache.get(g.key(), [&] {
      softmax_backward::desc sd(g.rows(), g.rows(), 1);
      return Bwd{makeMatmul(g.heads(), g.headsT(), g.scores(), 1.f),
                 makeMatmul(g.scoresT(), g.heads(), g.heads(), 1.f),
                 softmax_backward(softmax_backward::primitive_desc(sd, cpuEngine(), softmaxPd(g))),
                 makeMatmul(g.scores(), g.heads(), g.heads(), g.scale),
                 makeMatmul(g.scoresT(), g.heads(), g.heads(), g.scale)};
    });
    auto &sc = scratch();
    const size_t n = static_cast<size_t>(g.B * g.H * g.T * g.T);
    if (sc.size() < n) sc.resize(n);
    float *dp = sc.data();
    auto &eng = cpuEngine();
    auto &s = cpuStream();
    memory pm(g.scores(), eng, probs), pmT(g.scoresT(), eng, probs);
    memory dom(g.heads(), eng, dout);
    memory dpm(g.scores(), eng, dp), dpmT(g.scoresT(), eng, dp);
    b.dProbs.execute(s, {{DNNL_ARG_SRC, dom},
                         {DNNL_ARG_WEIGHTS, memory(g.headsT(), eng, v)},
                         {DNNL_ARG_DST, dpm}});
    b.dValues.execute(s, {{DNNL_ARG_SRC, pmT}, {DNNL_ARG_WEIGHTS, dom},
                          {DNNL_ARG_DST, memory(g.heads(), eng, dv)}});
    // dS = P ⊙ (dP − rowsum(dP ⊙ P)), in place over dP.
    memory rowsP(g.rows(), eng, probs), rowsD(g.rows(), eng, dp);
    b.softmax.execute(s, {{DNNL_ARG_DST, rowsP}, {DNNL_ARG_DIFF_DST, rowsD},
                          {DNNL_ARG_DIFF_SRC, rowsD}});
    b.dQueries.execute(s, {{DNNL_ARG_SRC, dpm},
                           {DNNL_ARG_WEIGHTS, memory(g.heads(), eng, k)},
                           {DNNL_ARG_DST, memory(g.heads(), eng, dq)}});
    b.dKeys.execute(s, {{DNNL_ARG_SRC, dpmT},
                        {DNNL_ARG_WEIGHTS, memory(g.heads(), eng, q)},
                        {DNNL_ARG_DST, memory(g.heads(), eng, dk)}});
    s.wait();
    return info.Env().Undefined();
  });
}

}  // namespace

void initAttention(Napi::Env env, Napi::Object exports) {
  exports.Set("attentionForward", Napi::Function::New(env, AttentionForward));
  exports.Set("attentionBackward", Napi::Function::New(env, AttentionBackward));
}

}  // namespace convkit
