// Conv2D forward (optionally fused bias + activation), backward data and
// backward weights over oneDNN, on tfjs's layouts: activations NHWC (used
// in place, never reordered), filters HWIO. Shapes/padding are computed on
// the JS side by tfjs-core's backend_util.computeConv2DInfo.
//
// Filters are small, so for each geometry two plans are considered: the
// filter used as HWIO directly, or reordered to (from) the layout oneDNN
// prefers ("format_tag::any"), which unlocks its direct JIT kernels. When the
// two plans pick different implementations, both are timed on the first call
// and the faster one is kept for that geometry.
//
// Where oneDNN offers Winograd F(4x4, 3x3) (3x3 kernels, stride 1, channel
// counts it supports; avx512_core), a third plan reorders the activations to
// and from oneDNN's blocked layout around a Winograd primitive: it needs
// ~2.25x fewer multiplications, which outweighs the reorders on GTSRB-sized
// layers (measured 8.3 -> 6.3 ms forward on 64x11x11x96 -> 192, 43 -> 22 ms on
// 64x23x23x96 -> 192, 2 threads). It is used whenever available unless
// CONVKIT_ONEDNN_WINOGRAD=0 (setConvWinograd(false)).
#include <time.h>

#include <functional>

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
ConvGeom readGeom(const Napi::CallbackInfo &info, const char *op, size_t xi, size_t wi,
                  size_t yi, size_t si) {
  dims xs = dimsArg(info, xi, "xShape"), ws = dimsArg(info, wi, "filterShape"),
       ys = dimsArg(info, yi, "yShape");
  dims st = dimsArg(info, si, "strides"), dl = dimsArg(info, si + 1, "dilations"),
       pl = dimsArg(info, si + 2, "padL"), pr = dimsArg(info, si + 3, "padR");
  if (xs.size() != 4 || ws.size() != 4 || ys.size() != 4 || st.size() != 2 ||
      dl.size() != 2 || pl.size() != 2 || pr.size() != 2)
    throw Napi::TypeError::New(info.Env(), std::string("onednn ") + op + ": bad shape ranks");
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
memory::desc wDesc(const dims &d, bool any) {
  return {d, dt::f32, any ? tag::any : tag::hwio};
}
memory::desc biasDesc(const ConvGeom &g) { return {{g.y[1]}, dt::f32, tag::a}; }

memory::desc anyDesc(const dims &d) { return {d, dt::f32, tag::any}; }

convolution_forward::primitive_desc fwdPd(const ConvGeom &g, bool bias, bool anyW,
                                          prop_kind pk, const primitive_attr &attr,
                                          bool wino = false) {
  convolution_forward::desc d(pk, wino ? algorithm::convolution_winograd : algorithm::convolution_direct,
                              wino ? anyDesc(g.x) : xDesc(g.x), wDesc(g.w, anyW || wino),
                              bias ? biasDesc(g) : memory::desc(),
                              wino ? anyDesc(g.y) : xDesc(g.y), g.strides, g.dil, g.padL, g.padR);
  return convolution_forward::primitive_desc(d, attr, cpuEngine());
}

// A ready-to-run plan: the primitive, plus (if the filter is not used as
// HWIO) the reorder between the user's HWIO filter and the internal layout.
struct Plan {
  primitive prim;
  bool reorderW = false;
  memory::desc wInt;
  reorder wReorder;
  std::string impl;
  // Backward weights only: compute the bias gradient with reduceBlocks
  // instead of inside the oneDNN primitive (much cheaper for some shapes).
  bool biasSeparate = false;
  // Winograd plans: activations the primitive reads (writes) in a blocked
  // layout, reordered from (to) the user's NHWC memory around it.
  struct Act {
    int arg;
    bool out;
    memory::desc internal;
    reorder r;
  };
  std::vector<Act> acts;
  bool wino = false;
};

bool winogradEnabled = true;
// oneDNN implementation names of the plans run since the last call of
// convImplsRun() (for tests: which algorithm actually ran).
std::vector<std::string> implsRun;

// Adds the activation reorders a blocked-layout plan needs: `internal` is the
// primitive's descriptor for argument `arg`, `user` the NHWC one.
void addAct(Plan &p, int arg, bool out, const memory::desc &user, const memory::desc &internal) {
  if (internal == user) return;
  auto &eng = cpuEngine();
  p.acts.push_back({arg, out, internal,
                    out ? reorder(reorder::primitive_desc(eng, internal, eng, user))
                        : reorder(reorder::primitive_desc(eng, user, eng, internal))});
}

// Runs the primitive of `p` on `args` (user memories), going through the
// blocked activation copies of a Winograd plan when it has them.
void execPrim(const Plan &p, std::unordered_map<int, memory> &args) {
  auto &s = cpuStream();
  if (implsRun.size() < 64) implsRun.push_back(p.impl);
  if (p.acts.empty()) {
    p.prim.execute(s, args);
    return;
  }
  std::unordered_map<int, memory> inner = args;
  std::vector<std::pair<const Plan::Act *, memory>> outs;
  for (const Plan::Act &a : p.acts) {
    memory tmp(a.internal, cpuEngine());
    if (a.out) {
      outs.emplace_back(&a, tmp);
    } else {
      a.r.execute(s, args.at(a.arg), tmp);
    }
    inner[a.arg] = tmp;
  }
  p.prim.execute(s, inner);
  for (auto &o : outs) o.first->r.execute(s, o.second, args.at(o.first->arg));
}

// A Winograd plan is worth trying only for 3x3, stride 1, undilated
// convolutions whose channel counts fill oneDNN's 16-wide blocks (it also
// accepts 3 input channels, padded to 16, but then runs ~10x slower than the
// direct kernel: 30 vs 3 ms on GTSRB's 64x48x48x3 -> 96); oneDNN then decides
// whether it has an implementation.
bool winoCandidate(const ConvGeom &g) {
  return winogradEnabled && g.w[2] == 3 && g.w[3] == 3 && g.strides[0] == 1 &&
         g.strides[1] == 1 && g.dil[0] == 0 && g.dil[1] == 0 && g.w[0] % 16 == 0 &&
         g.w[1] % 16 == 0;
}

// Adds the plan make() builds, if oneDNN supports it.
template <typename Make>
void tryPlan(std::vector<Plan> &plans, Make &&make) {
  try {
    plans.push_back(make());
  } catch (const dnnl::error &) {
    // no such implementation for this geometry: the other plans remain
  }
}

// Process CPU time (all threads). Used to compare plans because, unlike
// wall time, it is barely affected by other processes competing for the
// cores (OpenMP threads sleep rather than spin, see src/native.ts).
double cpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Runs each candidate once to warm up, then twice timed; returns the one
// with the least CPU time.
size_t fastest(const std::vector<std::function<void()>> &runs) {
  size_t best = 0;
  double bestT = 1e30;
  for (size_t i = 0; i < runs.size(); ++i) {
    runs[i]();
    for (int rep = 0; rep < 2; ++rep) {
      double t0 = cpuSeconds();
      runs[i]();
      double t = cpuSeconds() - t0;
      if (t < bestT) bestT = t, best = i;
    }
  }
  return best;
}

template <typename PD>
Plan makePlan(const PD &pd, const memory::desc &user, bool toInternal,
              bool reorderW, const memory::desc &wInt) {
  Plan p;
  p.prim = primitive(pd);
  p.impl = pd.impl_info_str();
  p.reorderW = reorderW && wInt != user;
  if (p.reorderW) {
    p.wInt = wInt;
    auto &eng = cpuEngine();
    p.wReorder = toInternal ? reorder(reorder::primitive_desc(eng, user, eng, wInt))
                            : reorder(reorder::primitive_desc(eng, wInt, eng, user));
  }
  return p;
}

PrimitiveCache<Plan> fwdCache, bwdDataCache, bwdWeightsCache;

// 0: time the plans on first use and keep the fastest. k in 1..4 forces plan
// (k-1) mod (number of plans): 1 HWIO, 2 oneDNN's preferred filter layout,
// and for bias gradients 3/4 the same with the bias reduced separately.
// Default 4: timing makes the choice (and so the float rounding) differ from
// run to run, which breaks reproducible training and exact resume; 4 was also
// the fastest on the MNIST CNN and both GTSRB v1 models (CPU time per step).
int planPolicy = 4;

std::vector<int64_t> withPolicy(std::vector<int64_t> k) {
  k.push_back(planPolicy);
  k.push_back(winogradEnabled ? 1 : 0);
  return k;
}

// plans come in pairs: [HWIO, preferred layout] (x2 for bias variants).
// A Winograd plan, when present, comes last and wins under a fixed policy.
size_t choose(const std::vector<Plan> &plans,
              const std::vector<std::function<void()>> &runs) {
  if (planPolicy > 0) {
    if (plans.back().wino) return plans.size() - 1;
    return static_cast<size_t>(planPolicy - 1) % plans.size();
  }
  if (plans.size() == 2 && plans[0].impl == plans[1].impl && !plans[1].reorderW) return 0;
  return fastest(runs);
}

// Forward / backward-data: the filter is an input.
void runWithFilterIn(const Plan &p, const memory::desc &wUserD, float *w,
                     std::unordered_map<int, memory> args, int wArg) {
  auto &eng = cpuEngine();
  auto &s = cpuStream();
  memory wUser(wUserD, eng, w);
  if (p.reorderW) {
    memory wInt(p.wInt, eng);
    p.wReorder.execute(s, wUser, wInt);
    args.emplace(wArg, wInt);
  } else {
    args.emplace(wArg, wUser);
  }
  execPrim(p, args);
  s.wait();
}

// Picks among filter-input plans, running each on the real arguments when they are timed.
Plan pickFilterIn(const std::vector<Plan> &plans, const memory::desc &wUser, float *w,
                  std::unordered_map<int, memory> &args) {
  std::vector<std::function<void()>> runs;
  for (const Plan &p : plans) runs.push_back([&, pp = &p] { runWithFilterIn(*pp, wUser, w, args, DNNL_ARG_WEIGHTS); });
  return plans[choose(plans, runs)];
}

// conv2dForward(x, xShape, w, wShape, bias|null, y, yShape,
//               strides, dilations, padL, padR, activation, alpha)
Napi::Value Conv2dForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *x = f32(info, 0, "x");
    float *w = f32(info, 2, "filter");
    float *b = f32OrNull(info, 4, "bias");
    float *y = f32(info, 5, "y");
    const char *op = "conv2dForward";
    ConvGeom g = readGeom(info, op, 1, 3, 6, 7);
    expectShape(info, 0, g.x, op, "x");
    expectShape(info, 2, g.w, op, "filter");
    if (b) expectLen(info, 4, g.y[1], op, "bias");
    expectShape(info, 5, g.y, op, "y");
    int act = static_cast<int>(intArg(info, 11, "activation"));
    float alpha = static_cast<float>(numArg(info, 12, "alpha"));
    int32_t alphaBits;
    std::memcpy(&alphaBits, &alpha, sizeof alphaBits);
    auto &eng = cpuEngine();
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, memory(xDesc(g.x), eng, x)},
        {DNNL_ARG_DST, memory(xDesc(g.y), eng, y)}};
    if (b) args.emplace(DNNL_ARG_BIAS, memory(biasDesc(g), eng, b));
    const memory::desc wUser = wDesc(g.w, false);
    auto &plan = fwdCache.get(withPolicy(g.key(0, (b ? 1 : 0) | (act << 1), alphaBits)), [&] {
      post_ops ops;
      appendActivation(ops, act, alpha);
      primitive_attr attr;
      attr.set_post_ops(ops);
      std::vector<Plan> plans;
      for (bool anyW : {false, true}) {
        auto pd = fwdPd(g, b != nullptr, anyW, prop_kind::forward_inference, attr);
        plans.push_back(makePlan(pd, wUser, true, anyW, pd.weights_desc()));
      }
      if (winoCandidate(g)) tryPlan(plans, [&] {
        // forward_training: with forward_inference oneDNN asks for its
        // pre-transformed Winograd filter format, and that reorder alone
        // (reference code) costs about as much as the convolution.
        auto pd = fwdPd(g, b != nullptr, true, prop_kind::forward_training, attr, true);
        Plan p = makePlan(pd, wUser, true, true, pd.weights_desc());
        p.wino = true;
        addAct(p, DNNL_ARG_SRC, false, xDesc(g.x), pd.src_desc());
        addAct(p, DNNL_ARG_DST, true, xDesc(g.y), pd.dst_desc());
        return p;
      });
      return pickFilterIn(plans, wUser, w, args);
    });
    runWithFilterIn(plan, wUser, w, args, DNNL_ARG_WEIGHTS);
    applyActivationLoop(y, g.y[0] * g.y[1] * g.y[2] * g.y[3], act, alpha);
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
    const char *op = "conv2dBackwardData";
    ConvGeom g = readGeom(info, op, 5, 3, 1, 6);
    expectShape(info, 0, g.y, op, "dy");
    expectShape(info, 2, g.w, op, "filter");
    expectShape(info, 4, g.x, op, "dx");
    auto &eng = cpuEngine();
    std::unordered_map<int, memory> args{
        {DNNL_ARG_DIFF_DST, memory(xDesc(g.y), eng, dy)},
        {DNNL_ARG_DIFF_SRC, memory(xDesc(g.x), eng, dx)}};
    const memory::desc wUser = wDesc(g.w, false);
    auto &plan = bwdDataCache.get(withPolicy(g.key(1)), [&] {
      std::vector<Plan> plans;
      for (bool anyW : {false, true}) {
        auto hint = fwdPd(g, false, anyW, prop_kind::forward_training, primitive_attr());
        convolution_backward_data::desc d(algorithm::convolution_direct, xDesc(g.x),
                                          wDesc(g.w, anyW), xDesc(g.y), g.strides,
                                          g.dil, g.padL, g.padR);
        convolution_backward_data::primitive_desc pd(d, eng, hint);
        plans.push_back(makePlan(pd, wUser, true, anyW, pd.weights_desc()));
      }
      if (winoCandidate(g)) tryPlan(plans, [&] {
        auto hint = fwdPd(g, false, true, prop_kind::forward_training, primitive_attr(), true);
        convolution_backward_data::desc d(algorithm::convolution_winograd, anyDesc(g.x),
                                          wDesc(g.w, true), anyDesc(g.y), g.strides, g.dil,
                                          g.padL, g.padR);
        convolution_backward_data::primitive_desc pd(d, eng, hint);
        Plan p = makePlan(pd, wUser, true, true, pd.weights_desc());
        p.wino = true;
        addAct(p, DNNL_ARG_DIFF_DST, false, xDesc(g.y), pd.diff_dst_desc());
        addAct(p, DNNL_ARG_DIFF_SRC, true, xDesc(g.x), pd.diff_src_desc());
        return p;
      });
      return pickFilterIn(plans, wUser, w, args);
    });
    runWithFilterIn(plan, wUser, w, args, DNNL_ARG_WEIGHTS);
    return info.Env().Undefined();
  });
}

void runWithFilterOut(const Plan &p, const ConvGeom &g, const memory::desc &wUserD,
                      float *x, float *dy, float *dw, float *db) {
  auto &eng = cpuEngine();
  auto &s = cpuStream();
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, memory(xDesc(g.x), eng, x)},
      {DNNL_ARG_DIFF_DST, memory(xDesc(g.y), eng, dy)}};
  if (db && !p.biasSeparate) args.emplace(DNNL_ARG_DIFF_BIAS, memory(biasDesc(g), eng, db));
  memory wUser(wUserD, eng, dw);
  if (p.reorderW) {
    memory wInt(p.wInt, eng);
    args.emplace(DNNL_ARG_DIFF_WEIGHTS, wInt);
    execPrim(p, args);
    p.wReorder.execute(s, wInt, wUser);
  } else {
    args.emplace(DNNL_ARG_DIFF_WEIGHTS, wUser);
    execPrim(p, args);
  }
  s.wait();
  if (db && p.biasSeparate) reduceBlocks(0, dy, db, 1, g.y[0] * g.y[2] * g.y[3], g.y[1]);
}

// conv2dBackwardWeights(x, xShape, dy, dyShape, dw, dwShape,
//                       strides, dilations, padL, padR[, db])
// When db (a Float32Array of outChannels) is given, the bias gradient
// (sum of dy over N, H, W) is produced too: inside the oneDNN primitive or
// by a separate reduction, whichever plan was measured faster.
Napi::Value Conv2dBackwardWeights(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *x = f32(info, 0, "x");
    float *dy = f32(info, 2, "dy");
    float *dw = f32(info, 4, "dw");
    const char *op = "conv2dBackwardWeights";
    ConvGeom g = readGeom(info, op, 1, 5, 3, 6);
    float *db = f32OrNull(info, 10, "db");
    expectShape(info, 0, g.x, op, "x");
    expectShape(info, 2, g.y, op, "dy");
    expectShape(info, 4, g.w, op, "dw");
    if (db) expectLen(info, 10, g.y[1], op, "db");
    auto &eng = cpuEngine();
    const memory::desc wUser = wDesc(g.w, false);
    auto &plan = bwdWeightsCache.get(withPolicy(g.key(2, db ? 1 : 0)), [&] {
      std::vector<Plan> plans;
      for (bool separate : {false, true}) {
        if (separate && !db) break;
        for (bool anyW : {false, true}) {
          bool inPrim = db && !separate;
          auto hint = fwdPd(g, inPrim, anyW, prop_kind::forward_training, primitive_attr());
          convolution_backward_weights::desc d(
              algorithm::convolution_direct, xDesc(g.x), wDesc(g.w, anyW),
              inPrim ? biasDesc(g) : memory::desc(), xDesc(g.y), g.strides, g.dil, g.padL,
              g.padR);
          convolution_backward_weights::primitive_desc pd(d, eng, hint);
          plans.push_back(makePlan(pd, wUser, false, anyW, pd.diff_weights_desc()));
          plans.back().biasSeparate = separate;
        }
      }
      // Winograd: the bias gradient is always reduced separately.
      if (winoCandidate(g)) tryPlan(plans, [&] {
        auto hint = fwdPd(g, false, true, prop_kind::forward_training, primitive_attr(), true);
        convolution_backward_weights::desc d(algorithm::convolution_winograd, anyDesc(g.x),
                                             wDesc(g.w, true), memory::desc(), anyDesc(g.y),
                                             g.strides, g.dil, g.padL, g.padR);
        convolution_backward_weights::primitive_desc pd(d, eng, hint);
        Plan p = makePlan(pd, wUser, false, true, pd.diff_weights_desc());
        p.wino = true;
        p.biasSeparate = db != nullptr;
        addAct(p, DNNL_ARG_SRC, false, xDesc(g.x), pd.src_desc());
        addAct(p, DNNL_ARG_DIFF_DST, false, xDesc(g.y), pd.diff_dst_desc());
        return p;
      });
      std::vector<std::function<void()>> runs;
      for (const Plan &p : plans) runs.push_back([&, pp = &p] { runWithFilterOut(*pp, g, wUser, x, dy, dw, db); });
      return plans[choose(plans, runs)];
    });
    runWithFilterOut(plan, g, wUser, x, dy, dw, db);
    return info.Env().Undefined();
  });
}

}  // namespace

Napi::Value SetConvPlanPolicy(const Napi::CallbackInfo &info) {
  std::lock_guard<std::recursive_mutex> lock(addonLock());
  int p = static_cast<int>(intArg(info, 0, "policy"));
  if (p < 0 || p > 4) throw Napi::RangeError::New(info.Env(), "policy must be 0..4");
  planPolicy = p;
  return info.Env().Undefined();
}

Napi::Value SetConvWinograd(const Napi::CallbackInfo &info) {
  if (info.Length() < 1 || !info[0].IsBoolean())
    throw Napi::TypeError::New(info.Env(), "setConvWinograd(enabled: boolean)");
  std::lock_guard<std::recursive_mutex> lock(addonLock());
  winogradEnabled = info[0].As<Napi::Boolean>().Value();
  return info.Env().Undefined();
}

// convWinogradAvailable(): whether oneDNN has a Winograd forward convolution
// on this CPU (it has one on avx512_core only), asked for the geometry of the
// smallest candidate: 16 -> 16 channels, 3x3, stride 1. Where it has none,
// every plan is a direct one (tryPlan drops the Winograd plan).
Napi::Value ConvWinogradAvailable(const Napi::CallbackInfo &info) {
  ConvGeom g;
  g.x = {1, 16, 8, 8};
  g.w = {16, 16, 3, 3};
  g.y = {1, 16, 6, 6};
  g.strides = {1, 1};
  g.dil = {0, 0};
  g.padL = {0, 0};
  g.padR = {0, 0};
  bool ok = true;
  try {
    fwdPd(g, false, true, prop_kind::forward_training, primitive_attr(), true);
  } catch (const dnnl::error &) {
    ok = false;
  }
  return Napi::Boolean::New(info.Env(), ok);
}

// convImplsRun(): the implementations run since the previous call, then forgets them.
Napi::Value ConvImplsRun(const Napi::CallbackInfo &info) {
  std::lock_guard<std::recursive_mutex> lock(addonLock());
  Napi::Array a = Napi::Array::New(info.Env(), implsRun.size());
  for (size_t i = 0; i < implsRun.size(); ++i) a.Set(static_cast<uint32_t>(i), implsRun[i]);
  implsRun.clear();
  return a;
}

void initConv2d(Napi::Env env, Napi::Object exports) {
  exports.Set("convImplsRun", Napi::Function::New(env, ConvImplsRun));
  exports.Set("convWinogradAvailable", Napi::Function::New(env, ConvWinogradAvailable));
  exports.Set("setConvPlanPolicy", Napi::Function::New(env, SetConvPlanPolicy));
  exports.Set("setConvWinograd", Napi::Function::New(env, SetConvWinograd));
  exports.Set("conv2dForward", Napi::Function::New(env, Conv2dForward));
  exports.Set("conv2dBackwardData", Napi::Function::New(env, Conv2dBackwardData));
  exports.Set("conv2dBackwardWeights",
              Napi::Function::New(env, Conv2dBackwardWeights));
}

}  // namespace convkit
