// Inference plan: a whole feed-forward network compiled once into oneDNN
// primitives and run with ONE call per batch.
//
// The JS side (src/plan.ts) hands over a list of already-fused steps
// (convolution / inner product with their post-ops, pooling, per-channel
// scale-shift, n-way sum, eltwise, softmax, flatten) over numbered tensors
// whose shapes omit the batch axis (HWC or [features], NHWC order as tfjs).
// planCreate copies the weights; for each batch size (and thread count) the
// first planRun builds an instance:
//  - every primitive is created with format_tag::any for its activations and
//    weights, so oneDNN picks its blocked layouts (nChw16c, ...) between
//    layers; a reorder is added only where a consumer wants another layout
//    than its producer wrote (typically at the network's input), and at the
//    output when the last layer's layout is not the plain [N, classes];
//  - weights are reordered once into the layout each primitive wants (kept
//    per layout, shared by the batch sizes that want the same);
//  - a residual add folded into a convolution as a sum post-op writes in place
//    over the shortcut's buffer when the shortcut is read nowhere else;
//  - intermediate tensors share buffers by lifetime, and all primitives share
//    one user-managed scratchpad.
// Later runs with that batch size only set the input and output pointers and
// execute the prepared primitives.
//
// 3x3 stride-1 convolutions of 16k channels use oneDNN's Winograd kernel when
// the batch has enough output pixels (n·OH·OW >= 2048): about 3x faster than
// the direct kernel at batch 64 (4.3 vs 13.4 ms for 64x8x8x192 -> 192), but
// slower at batch 1 (GTSRB resnet-wide: 3.7-3.9 vs 1.6-2.2 ms for the network).
// It takes no binary post-ops, so a batch norm after its ReLU runs as a loop
// over its output (channelOps). CONVKIT_PLAN_WINOGRAD=0 turns it off.
#include <omp.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>

#include "common.h"

namespace convkit {
namespace {

using namespace dnnl;

enum StepOp : int {
  kStepConv = 0,
  kStepDense = 1,
  kStepMaxPool = 2,
  kStepAvgPool = 3,
  kStepScaleShift = 4,
  kStepSum = 5,
  kStepEltwise = 6,
  kStepSoftmax = 7,
  kStepFlatten = 8,
};
enum PostKind : int { kPostEltwise = 0, kPostMul = 1, kPostAdd = 2, kPostSum = 3 };
enum PlanAct : int { kPlanLinear = 0, kPlanRelu = 1, kPlanRelu6 = 2, kPlanElu = 3, kPlanSigmoid = 4, kPlanTanh = 5 };

struct PostOp {
  int kind = 0;
  int act = 0;                 // kPostEltwise
  std::vector<float> data;     // kPostMul / kPostAdd: one value per output channel
  int tensor = -1;             // kPostSum: the tensor added
};

struct Step {
  int op = 0;
  std::vector<int> in;
  int out = -1;
  std::vector<float> w, bias;  // conv: HWIO; dense: [in, units]
  bool hasBias = false;
  dims wShape;                 // conv [KH, KW, I, O]; dense [in, units]
  dims strides, dil, padL, padR, kernel;
  int act = 0;                 // kStepEltwise
  std::vector<float> scale, shift;  // kStepScaleShift
  std::vector<PostOp> post;
};

struct Exec {
  primitive prim;
  std::unordered_map<int, memory> args;
  std::function<void()> loop;  // instead of prim, when set
};

// The post-ops left after a Winograd convolution (oneDNN's binary primitive runs them with its reference code
// on blocked layouts: 150 ms where the convolution takes 10): y = ops(x) per channel, where the channels of
// each pixel lie in runs of `run` contiguous floats, `runs` runs in all, run r holding the channels from
// ((r / div) % mod) · run on (nChw16c: run 16, div H·W, mod C / 16; NHWC: run C, div = mod = 1).
// ops: mul / add by per-channel data, relu, sum (+= y's previous value).
void channelOps(const float *x, float *y, int64_t runs, int64_t run, int64_t div, int64_t mod,
                const std::vector<const PostOp *> &ops) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < runs; ++r) {
    const int64_t c0 = ((r / div) % mod) * run;
    const float *xr = x + r * run;
    float *yr = y + r * run;
    float v[64];
    for (int64_t base = 0; base < run; base += 64) {
      const int64_t len = std::min<int64_t>(64, run - base);
      for (int64_t k = 0; k < len; ++k) v[k] = xr[base + k];
      for (const PostOp *q : ops) {
        const float *d = q->data.data() + c0 + base;
        switch (q->kind) {
          case kPostMul: for (int64_t k = 0; k < len; ++k) v[k] *= d[k]; break;
          case kPostAdd: for (int64_t k = 0; k < len; ++k) v[k] += d[k]; break;
          case kPostEltwise: for (int64_t k = 0; k < len; ++k) v[k] = v[k] < 0.f ? 0.f : v[k]; break;
          case kPostSum: for (int64_t k = 0; k < len; ++k) v[k] += yr[base + k]; break;
        }
      }
      for (int64_t k = 0; k < len; ++k) yr[base + k] = v[k];
    }
  }
}

// Everything for one batch size: primitives, memories, buffers.
struct Instance {
  std::vector<Exec> execs;
  memory in, out;  // over the caller's buffers (handles set on each run)
  std::vector<memory> inViews;  // other views of the caller's input buffer
  std::vector<std::shared_ptr<float>> buffers;
  std::vector<std::string> impls;
};

struct Plan {
  std::vector<dims> shapes;  // per tensor, without batch
  int input = 0, output = 0;
  std::vector<Step> steps;
  int64_t inSize = 0, outSize = 0;
  // Reordered weights per step: one entry per layout some instance wanted.
  std::vector<std::vector<std::pair<memory::desc, memory>>> weights;
  std::map<std::pair<int64_t, int>, std::unique_ptr<Instance>> instances;
};

std::unordered_map<int64_t, std::unique_ptr<Plan>> plans;
int64_t nextPlanId = 1;

int64_t product(const dims &d) {
  int64_t p = 1;
  for (int64_t v : d) p *= v;
  return p;
}

// oneDNN's logical dims of tensor shape s (without batch) for batch n: NCHW or NC.
dims logical(const dims &s, int64_t n) {
  if (s.size() == 3) return {n, s[2], s[0], s[1]};
  return {n, s[0]};
}
// The caller's plain layout: NHWC or NC.
memory::desc plainDesc(const dims &s, int64_t n) {
  return {logical(s, n), dt::f32, s.size() == 3 ? tag::nhwc : tag::ab};
}
memory::desc anyDesc(const dims &s, int64_t n) { return {logical(s, n), dt::f32, tag::any}; }
memory::desc channelDesc(const dims &s, int64_t channels) {
  if (s.size() == 3) return {{1, channels, 1, 1}, dt::f32, tag::abcd};
  return {{1, channels}, dt::f32, tag::ab};
}

algorithm eltwiseAlg(int act, float &alpha, float &beta) {
  alpha = 0.f;
  beta = 0.f;
  switch (act) {
    case kPlanRelu: return algorithm::eltwise_relu;
    case kPlanRelu6: beta = 6.f; return algorithm::eltwise_clip;
    case kPlanElu: alpha = 1.f; return algorithm::eltwise_elu;
    case kPlanSigmoid: return algorithm::eltwise_logistic;
    case kPlanTanh: return algorithm::eltwise_tanh;
    default: throw std::invalid_argument("unknown plan activation code");
  }
}

// ---------------------------------------------------------------- parsing

[[noreturn]] void bad(const Napi::Env &env, const std::string &why) {
  throw Napi::RangeError::New(env, "onednn planCreate: " + why);
}

Napi::Value field(const Napi::Object &o, const char *name) { return o.Get(name); }

dims dimsOf(const Napi::Env &env, const Napi::Value &v, const std::string &what) {
  if (!v.IsArray()) bad(env, what + " must be an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  dims d(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value e = a.Get(k);
    if (!e.IsNumber()) bad(env, what + " must be an array of integers");
    double x = e.As<Napi::Number>().DoubleValue();
    if (x != static_cast<double>(static_cast<int64_t>(x)) || x < 0 || x > (1 << 30))
      bad(env, what + " holds " + std::to_string(x));
    d[k] = static_cast<int64_t>(x);
  }
  return d;
}

std::vector<float> floatsOf(const Napi::Env &env, const Napi::Value &v, int64_t n,
                            const std::string &what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(env, "onednn planCreate: " + what + " must be a Float32Array");
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  if (static_cast<int64_t>(a.ElementLength()) != n)
    bad(env, what + " has " + std::to_string(a.ElementLength()) + " elements, expected " +
                 std::to_string(n));
  return std::vector<float>(a.Data(), a.Data() + n);
}

int intOf(const Napi::Env &env, const Napi::Value &v, const std::string &what) {
  if (!v.IsNumber()) bad(env, what + " must be a number");
  return v.As<Napi::Number>().Int32Value();
}

dims pair(const Napi::Env &env, const Napi::Object &o, const char *name, const std::string &at,
          int64_t min) {
  dims d = dimsOf(env, field(o, name), at + "." + name);
  if (d.size() != 2 || d[0] < min || d[1] < min) bad(env, at + "." + name + " must be 2 integers >= " + std::to_string(min));
  return d;
}

std::unique_ptr<Plan> parse(const Napi::Env &env, const Napi::Object &spec) {
  auto p = std::make_unique<Plan>();
  Napi::Value ts = field(spec, "tensors");
  if (!ts.IsArray()) bad(env, "tensors must be an array of shapes");
  Napi::Array tarr = ts.As<Napi::Array>();
  for (uint32_t i = 0; i < tarr.Length(); ++i) {
    dims s = dimsOf(env, tarr.Get(i), "tensors[" + std::to_string(i) + "]");
    if ((s.size() != 3 && s.size() != 1) || product(s) <= 0 || product(s) > (int64_t(1) << 31))
      bad(env, "tensors[" + std::to_string(i) + "] must be [H, W, C] or [features], non-empty");
    p->shapes.push_back(s);
  }
  const int nt = static_cast<int>(p->shapes.size());
  auto tensorId = [&](const Napi::Value &v, const std::string &what) {
    int t = intOf(env, v, what);
    if (t < 0 || t >= nt) bad(env, what + " = " + std::to_string(t) + " is not a tensor");
    return t;
  };
  p->input = tensorId(field(spec, "input"), "input");
  p->output = tensorId(field(spec, "output"), "output");
  if (p->shapes[p->output].size() != 1) bad(env, "the output tensor must be [classes]");
  std::vector<bool> defined(nt, false);
  defined[p->input] = true;
  Napi::Value ss = field(spec, "steps");
  if (!ss.IsArray()) bad(env, "steps must be an array");
  Napi::Array sarr = ss.As<Napi::Array>();
  for (uint32_t i = 0; i < sarr.Length(); ++i) {
    const std::string at = "steps[" + std::to_string(i) + "]";
    if (!sarr.Get(i).IsObject()) bad(env, at + " must be an object");
    Napi::Object o = sarr.Get(i).As<Napi::Object>();
    Step s;
    s.op = intOf(env, field(o, "op"), at + ".op");
    dims ins = dimsOf(env, field(o, "inputs"), at + ".inputs");
    for (int64_t t : ins) {
      int id = tensorId(Napi::Number::New(env, static_cast<double>(t)), at + ".inputs[]");
      if (!defined[id]) bad(env, at + " reads tensor " + std::to_string(id) + " before it is computed");
      s.in.push_back(id);
    }
    s.out = tensorId(field(o, "output"), at + ".output");
    if (defined[s.out]) bad(env, at + " writes tensor " + std::to_string(s.out) + ", already computed");
    const dims &out = p->shapes[s.out];
    const size_t wantIns = s.op == kStepSum ? std::max<size_t>(s.in.size(), 2) : 1;
    if (s.in.size() != wantIns) bad(env, at + " has " + std::to_string(s.in.size()) + " inputs");
    const dims &x = p->shapes[s.in[0]];
    auto needImage = [&](const dims &d, const char *what) {
      if (d.size() != 3) bad(env, at + ": " + what + " must be an image [H, W, C]");
    };
    switch (s.op) {
      case kStepConv: {
        needImage(x, "input");
        needImage(out, "output");
        s.wShape = dimsOf(env, field(o, "weightsShape"), at + ".weightsShape");
        if (s.wShape.size() != 4 || s.wShape[2] != x[2] || s.wShape[3] != out[2])
          bad(env, at + ".weightsShape must be [KH, KW, inChannels, outChannels]");
        s.strides = pair(env, o, "strides", at, 1);
        s.dil = pair(env, o, "dilations", at, 1);
        s.padL = pair(env, o, "padL", at, 0);
        s.padR = pair(env, o, "padR", at, 0);
        for (int k = 0; k < 2; ++k) {
          int64_t eff = (s.wShape[k] - 1) * s.dil[k] + 1;
          int64_t o2 = (x[k] + s.padL[k] + s.padR[k] - eff) / s.strides[k] + 1;
          if (x[k] + s.padL[k] + s.padR[k] < eff || o2 != out[k])
            bad(env, at + ": the output shape does not follow from the convolution's geometry");
          s.dil[k] -= 1;  // oneDNN's convention: 0 = none
        }
        s.w = floatsOf(env, field(o, "weights"), product(s.wShape), at + ".weights");
        break;
      }
      case kStepDense: {
        if (out.size() != 1) bad(env, at + ": output must be [units]");
        s.wShape = dimsOf(env, field(o, "weightsShape"), at + ".weightsShape");
        if (s.wShape.size() != 2 || s.wShape[0] != product(x) || s.wShape[1] != out[0])
          bad(env, at + ".weightsShape must be [inputSize, units]");
        s.w = floatsOf(env, field(o, "weights"), product(s.wShape), at + ".weights");
        break;
      }
      case kStepMaxPool:
      case kStepAvgPool: {
        needImage(x, "input");
        needImage(out, "output");
        if (out[2] != x[2]) bad(env, at + ": pooling keeps the channels");
        s.kernel = pair(env, o, "kernel", at, 1);
        s.strides = pair(env, o, "strides", at, 1);
        s.padL = pair(env, o, "padL", at, 0);
        s.padR = pair(env, o, "padR", at, 0);
        for (int k = 0; k < 2; ++k) {
          if (s.padL[k] >= s.kernel[k] || s.padR[k] >= s.kernel[k] ||
              x[k] + s.padL[k] + s.padR[k] < s.kernel[k] ||
              (x[k] + s.padL[k] + s.padR[k] - s.kernel[k]) / s.strides[k] + 1 != out[k])
            bad(env, at + ": the output shape does not follow from the pooling's geometry");
        }
        break;
      }
      case kStepScaleShift:
      case kStepEltwise:
      case kStepSoftmax:
        if (out != x) bad(env, at + ": output shape must equal the input's");
        if (s.op == kStepScaleShift) {
          s.scale = floatsOf(env, field(o, "scale"), x.back(), at + ".scale");
          s.shift = floatsOf(env, field(o, "shift"), x.back(), at + ".shift");
        }
        if (s.op == kStepEltwise) {
          s.act = intOf(env, field(o, "activation"), at + ".activation");
          float a, b;
          try { eltwiseAlg(s.act, a, b); } catch (const std::invalid_argument &) { bad(env, at + ": unknown activation code"); }
        }
        break;
      case kStepSum:
        for (int t : s.in)
          if (p->shapes[t] != out) bad(env, at + ": every input of a sum has the output's shape");
        break;
      case kStepFlatten:
        needImage(x, "input");
        if (out.size() != 1 || out[0] != product(x)) bad(env, at + ": output must be [H·W·C]");
        break;
      default:
        bad(env, at + ".op " + std::to_string(s.op) + " is unknown");
    }
    if (s.op == kStepConv || s.op == kStepDense) {
      const int64_t channels = out.back();
      Napi::Value b = field(o, "bias");
      s.hasBias = !b.IsNull() && !b.IsUndefined();
      if (s.hasBias) s.bias = floatsOf(env, b, channels, at + ".bias");
      Napi::Value pv = field(o, "post");
      if (!pv.IsUndefined() && !pv.IsNull()) {
        if (!pv.IsArray()) bad(env, at + ".post must be an array");
        Napi::Array pa = pv.As<Napi::Array>();
        for (uint32_t k = 0; k < pa.Length(); ++k) {
          const std::string pat = at + ".post[" + std::to_string(k) + "]";
          if (!pa.Get(k).IsObject()) bad(env, pat + " must be an object");
          Napi::Object po = pa.Get(k).As<Napi::Object>();
          PostOp q;
          q.kind = intOf(env, field(po, "kind"), pat + ".kind");
          switch (q.kind) {
            case kPostEltwise: {
              q.act = intOf(env, field(po, "activation"), pat + ".activation");
              float a, bb;
              try { eltwiseAlg(q.act, a, bb); } catch (const std::invalid_argument &) { bad(env, pat + ": unknown activation code"); }
              break;
            }
            case kPostMul:
            case kPostAdd: q.data = floatsOf(env, field(po, "data"), channels, pat + ".data"); break;
            case kPostSum:
              q.tensor = tensorId(field(po, "tensor"), pat + ".tensor");
              if (!defined[q.tensor] || p->shapes[q.tensor] != out)
                bad(env, pat + ": the summed tensor must be computed earlier, of the output's shape");
              if (s.op != kStepConv) bad(env, pat + ": a sum post-op only on a convolution");
              break;
            default: bad(env, pat + ".kind is unknown");
          }
          s.post.push_back(std::move(q));
        }
      }
    }
    defined[s.out] = true;
    p->steps.push_back(std::move(s));
  }
  if (!defined[p->output]) bad(env, "no step computes the output tensor");
  p->inSize = product(p->shapes[p->input]);
  p->outSize = product(p->shapes[p->output]);
  p->weights.resize(p->steps.size());
  return p;
}

// ---------------------------------------------------------------- building

// The attributes of step s: user scratchpad, post-ops [from, to) of s.post (all by default).
primitive_attr attrOf(const Step &s, const std::vector<dims> &shapes, size_t from = 0, size_t to = SIZE_MAX) {
  primitive_attr attr;
  attr.set_scratchpad_mode(scratchpad_mode::user);
  to = std::min(to, s.post.size());
  if (from >= to) return attr;
  post_ops ops;
  const dims &out = shapes[s.out];
  for (size_t k = from; k < to; ++k) {
    const PostOp &q = s.post[k];
    switch (q.kind) {
      case kPostEltwise: {
        float a, b;
        algorithm alg = eltwiseAlg(q.act, a, b);
        ops.append_eltwise(1.f, alg, a, b);
        break;
      }
      case kPostMul: ops.append_binary(algorithm::binary_mul, channelDesc(out, out.back())); break;
      case kPostAdd: ops.append_binary(algorithm::binary_add, channelDesc(out, out.back())); break;
      case kPostSum: ops.append_sum(1.f); break;
    }
  }
  attr.set_post_ops(ops);
  return attr;
}

memory weightsFor(Plan &p, size_t si, const memory::desc &want, const memory::desc &user) {
  for (auto &e : p.weights[si])
    if (e.first == want) return e.second;
  auto &eng = cpuEngine();
  Step &s = p.steps[si];
  memory src(user, eng, s.w.data());
  memory dst(want, eng);
  reorder(src, dst).execute(cpuStream(), src, dst);
  cpuStream().wait();
  p.weights[si].emplace_back(want, dst);
  return dst;
}

class Builder {
 public:
  Builder(Plan &p, int64_t n) : p_(p), n_(n), desc_(p.shapes.size()), lastUse_(p.shapes.size(), -1),
                                 slotOf_(p.shapes.size(), -1) {}

  std::unique_ptr<Instance> build() {
    auto inst = std::make_unique<Instance>();
    auto &eng = cpuEngine();
    desc_[p_.input] = plainDesc(p_.shapes[p_.input], n_);
    for (size_t i = 0; i < p_.steps.size(); ++i) {
      for (int t : p_.steps[i].in) lastUse_[t] = static_cast<int>(i);
      for (const PostOp &q : p_.steps[i].post)
        if (q.kind == kPostSum) lastUse_[q.tensor] = static_cast<int>(i);
    }
    lastUse_[p_.output] = static_cast<int>(p_.steps.size());

    // 1. Primitive descriptors, in order: each step sees its inputs' layouts.
    std::vector<Pending> pend;
    for (size_t i = 0; i < p_.steps.size(); ++i) pend.push_back(describe(i));

    // 2. Buffers by lifetime.
    assignSlots(pend);
    std::vector<std::shared_ptr<float>> slots;
    for (size_t sz : slotSize_) {
      float *raw = static_cast<float *>(aligned_alloc(64, (sz + 63) / 64 * 64));
      if (!raw) throw std::bad_alloc();
      slots.emplace_back(raw, free);
    }
    inst->buffers = slots;
    std::vector<memory> mem(p_.shapes.size());
    inst->in = memory(desc_[p_.input], eng, DNNL_MEMORY_NONE);
    mem[p_.input] = inst->in;
    const memory::desc outPlain = plainDesc(p_.shapes[p_.output], n_);
    inst->out = memory(outPlain, eng, DNNL_MEMORY_NONE);
    const bool outDirect = desc_[p_.output] == outPlain && p_.output != p_.input && !producedByFlatten(p_.output);
    for (size_t t = 0; t < mem.size(); ++t) {
      if (static_cast<int>(t) == p_.input) continue;
      if (static_cast<int>(t) == p_.output && outDirect) {
        mem[t] = inst->out;
      } else if (slotOf_[t] >= 0) {
        mem[t] = memory(desc_[t], eng, slots[slotOf_[t]].get());
      }
    }
    size_t scratch = 0;
    for (auto &pe : pend) scratch = std::max(scratch, pe.scratch);
    memory scratchMem;
    if (scratch) {
      float *raw = static_cast<float *>(aligned_alloc(64, (scratch + 63) / 64 * 64));
      if (!raw) throw std::bad_alloc();
      inst->buffers.emplace_back(raw, free);
      scratchMem = memory(memory::desc({static_cast<int64_t>(scratch)}, dt::u8, tag::a), eng, raw);
    }

    size_t mid = 0;
    for (auto &pe : pend)
      if (pe.splitAt >= 0) mid = std::max(mid, pe.midDesc.get_size());
    void *midBuffer = nullptr;
    if (mid) {
      float *raw = static_cast<float *>(aligned_alloc(64, (mid + 63) / 64 * 64));
      if (!raw) throw std::bad_alloc();
      inst->buffers.emplace_back(raw, free);
      midBuffer = raw;
    }

    // 3. Executables.
    for (size_t i = 0; i < p_.steps.size(); ++i) {
      Pending &pe = pend[i];
      const Step &s = p_.steps[i];
      std::vector<memory> ins;
      for (size_t k = 0; k < s.in.size(); ++k) {
        memory m = mem[s.in[k]];
        if (pe.inDesc[k] != desc_[s.in[k]]) {
          memory tmp(pe.inDesc[k], eng);
          inst->execs.push_back({reorder(m, tmp), {{DNNL_ARG_FROM, m}, {DNNL_ARG_TO, tmp}}});
          inst->impls.push_back("reorder");
          m = tmp;
        }
        ins.push_back(m);
      }
      if (pe.flatView) {
        const dims &x = p_.shapes[s.in[0]];
        memory view(memory::desc({n_, x[0] * x[1] * x[2]}, dt::f32, tag::ab), eng, ins[0].get_data_handle());
        // Over the caller's input buffer itself (no reorder before it): its pointer is set on each run.
        if (s.in[0] == p_.input && pe.inDesc[0] == desc_[s.in[0]]) inst->inViews.push_back(view);
        ins[0] = view;
      }
      memory out = mem[s.out];
      if (s.op == kStepFlatten) {
        // The 2-D tensor's buffer seen as NHWC: a reorder from the producer's layout.
        const dims &x = p_.shapes[s.in[0]];
        memory view(memory::desc({n_, x[2], x[0], x[1]}, dt::f32, tag::nhwc), eng, out.get_data_handle());
        inst->execs.push_back({reorder(ins[0], view), {{DNNL_ARG_FROM, ins[0]}, {DNNL_ARG_TO, view}}});
        inst->impls.push_back("flatten");
        continue;
      }
      if (pe.sumTensor >= 0 && !pe.sumInPlace) {
        // The shortcut is needed again later (or in another layout): copy it into the output first.
        memory r = mem[pe.sumTensor];
        inst->execs.push_back({reorder(r, out), {{DNNL_ARG_FROM, r}, {DNNL_ARG_TO, out}}});
        inst->impls.push_back("reorder (sum)");
      }
      Exec e{pe.prim, {}};
      memory convOut = out;
      if (pe.splitAt >= 0) convOut = memory(pe.midDesc, eng, midBuffer);
      switch (s.op) {
        case kStepConv:
        case kStepDense: {
          e.args[DNNL_ARG_SRC] = ins[0];
          e.args[DNNL_ARG_WEIGHTS] = weightsFor(p_, i, pe.weightsDesc, pe.userWeights);
          if (s.hasBias)
            e.args[DNNL_ARG_BIAS] = memory({{p_.shapes[s.out].back()}, dt::f32, tag::a}, eng,
                                           const_cast<float *>(s.bias.data()));
          const dims &o = p_.shapes[s.out];
          auto channelMem = [&](const PostOp &q) {
            return memory(channelDesc(o, o.back()), eng, const_cast<float *>(q.data.data()));
          };
          const size_t cut = pe.splitAt >= 0 ? static_cast<size_t>(pe.splitAt) : s.post.size();
          for (size_t k = 0; k < cut; ++k)
            if (s.post[k].kind == kPostMul || s.post[k].kind == kPostAdd)
              e.args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(static_cast<int>(k)) | DNNL_ARG_SRC_1] = channelMem(s.post[k]);
          if (pe.splitAt >= 0) {
            e.args[DNNL_ARG_DST] = convOut;
            if (pe.scratch) e.args[DNNL_ARG_SCRATCHPAD] = scratchMem;
            inst->execs.push_back(std::move(e));
            inst->impls.push_back(pe.impl);
            if (pe.loopRun > 0) {
              std::vector<const PostOp *> ops;
              for (size_t k = cut; k < s.post.size(); ++k) ops.push_back(&s.post[k]);
              const int64_t total = static_cast<int64_t>(pe.midDesc.get_size() / sizeof(float));
              const int64_t run = pe.loopRun, div = pe.loopDiv, mod = pe.loopMod;
              float *from = static_cast<float *>(midBuffer);
              memory to = out;
              Exec b;
              b.loop = [from, to, total, run, div, mod, ops]() {
                channelOps(from, static_cast<float *>(to.get_data_handle()), total / run, run, div, mod, ops);
              };
              inst->execs.push_back(std::move(b));
              inst->impls.push_back("(post-ops loop)");
              continue;
            }
            Exec b{pe.prim2, {{DNNL_ARG_SRC_0, convOut}, {DNNL_ARG_SRC_1, channelMem(s.post[cut])}, {DNNL_ARG_DST, out}}};
            for (size_t k = cut + 1; k < s.post.size(); ++k)
              if (s.post[k].kind == kPostMul || s.post[k].kind == kPostAdd)
                b.args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(static_cast<int>(k - cut - 1)) | DNNL_ARG_SRC_1] = channelMem(s.post[k]);
            if (pe.scratch) b.args[DNNL_ARG_SCRATCHPAD] = scratchMem;
            inst->execs.push_back(std::move(b));
            inst->impls.push_back("(post-ops)");
            continue;
          }
          break;
        }
        case kStepScaleShift: {
          const dims &x = p_.shapes[s.in[0]];
          e.args[DNNL_ARG_SRC_0] = ins[0];
          e.args[DNNL_ARG_SRC_1] = memory(channelDesc(x, x.back()), eng, const_cast<float *>(s.scale.data()));
          e.args[DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1] =
              memory(channelDesc(x, x.back()), eng, const_cast<float *>(s.shift.data()));
          break;
        }
        case kStepSum:
          for (size_t k = 0; k < ins.size(); ++k) e.args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(k)] = ins[k];
          break;
        default:
          e.args[DNNL_ARG_SRC] = ins[0];
      }
      e.args[DNNL_ARG_DST] = out;
      if (pe.scratch) e.args[DNNL_ARG_SCRATCHPAD] = scratchMem;
      inst->execs.push_back(std::move(e));
      inst->impls.push_back(pe.impl);
    }
    if (!outDirect) {
      memory from = mem[p_.output];
      inst->execs.push_back({reorder(from, inst->out), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, inst->out}}});
      inst->impls.push_back("reorder (output)");
    }
    return inst;
  }

 private:
  struct Pending {
    primitive prim;
    std::vector<memory::desc> inDesc;  // what the primitive reads, per input
    memory::desc weightsDesc, userWeights;
    size_t scratch = 0;
    int sumTensor = -1;
    bool sumInPlace = false;
    std::string impl;
    // A Winograd convolution whose post-ops from index splitAt on run as a second (binary) primitive,
    // reading the convolution's output (layout midDesc) from the instance's shared temporary buffer.
    bool flatView = false;  // dense: the NHWC input read as [N, H·W·C]
    int splitAt = -1;
    int64_t loopRun = 0, loopDiv = 1, loopMod = 1;  // loopRun > 0: channelOps runs them (see there)
    primitive prim2;
    memory::desc midDesc;
  };

  template <typename Prim, typename PD>
  void finish(Pending &pe, const PD &pd, int out) {
    pe.prim = Prim(pd);
    pe.scratch = pd.scratchpad_desc().get_size();
    pe.impl = pd.impl_info_str();
    desc_[out] = pd.dst_desc();
  }

  static bool flatDense() {
    static const bool on = !(getenv("CONVKIT_PLAN_FLAT_DENSE") && std::string(getenv("CONVKIT_PLAN_FLAT_DENSE")) == "0");
    return on;
  }

  static bool winogradWanted(const Step &s) {
    static const bool enabled = [] {
      const char *e = getenv("CONVKIT_PLAN_WINOGRAD");
      return !(e && std::string(e) == "0");
    }();
    return enabled && s.wShape[0] == 3 && s.wShape[1] == 3 && s.strides[0] == 1 && s.strides[1] == 1 &&
           s.dil[0] == 0 && s.dil[1] == 0 && s.wShape[2] % 16 == 0 && s.wShape[3] % 16 == 0;
  }

  bool producedByFlatten(int t) const {
    for (const Step &s : p_.steps)
      if (s.out == t) return s.op == kStepFlatten;
    return false;
  }

  Pending describe(size_t i) {
    const Step &s = p_.steps[i];
    auto &eng = cpuEngine();
    const dims &xs = p_.shapes[s.in[0]], &os = p_.shapes[s.out];
    const memory::desc &x = desc_[s.in[0]];
    Pending pe;
    primitive_attr attr = attrOf(s, p_.shapes);
    switch (s.op) {
      case kStepConv: {
        dims w{s.wShape[3], s.wShape[2], s.wShape[0], s.wShape[1]};
        pe.userWeights = memory::desc(w, dt::f32, tag::hwio);
        memory::desc bias = s.hasBias ? memory::desc({os[2]}, dt::f32, tag::a) : memory::desc();
        for (const PostOp &q : s.post)
          if (q.kind == kPostSum) pe.sumTensor = q.tensor;
        auto make = [&](algorithm alg, prop_kind pk, const memory::desc &dst, const primitive_attr &a) {
          convolution_forward::desc d(pk, alg, anyDesc(xs, n_), memory::desc(w, dt::f32, tag::any), bias, dst,
                                      s.strides, s.dil, s.padL, s.padR);
          return convolution_forward::primitive_desc(d, a, eng);
        };
        convolution_forward::primitive_desc pd;
        bool made = false;
        if (winogradWanted(s) && n_ * os[0] * os[1] >= 2048) {
          // oneDNN's Winograd F(4x4, 3x3) (avx512_core; offered for forward_training only, which computes the same
          // thing): about 3x faster than the direct kernels on 3x3 layers of 16k channels. It takes eltwise and sum
          // post-ops but no binary ones: then the post-ops from the first binary one on run as a binary primitive.
          size_t cut = 0;
          while (cut < s.post.size() && s.post[cut].kind == kPostEltwise) ++cut;
          try {
            pd = make(algorithm::convolution_winograd, prop_kind::forward_training, anyDesc(os, n_),
                      cut == s.post.size() ? attr : attrOf(s, p_.shapes, 0, cut));
            made = true;
            if (cut < s.post.size()) pe.splitAt = static_cast<int>(cut);
          } catch (const dnnl::error &) {
          }
        }
        if (!made && pe.sumTensor >= 0) {
          // The sum post-op reads the output buffer: write in the shortcut's layout if oneDNN can.
          try {
            pd = make(algorithm::convolution_direct, prop_kind::forward_inference, desc_[pe.sumTensor], attr);
            made = true;
          } catch (const dnnl::error &) {
          }
        }
        if (!made) pd = make(algorithm::convolution_direct, prop_kind::forward_inference, anyDesc(os, n_), attr);
        if (pe.splitAt >= 0) {
          // The rest: binary(first op's data) with the others as its post-ops, reading the convolution's output.
          const PostOp &first = s.post[pe.splitAt];
          primitive_attr rest = attrOf(s, p_.shapes, pe.splitAt + 1, s.post.size());
          pe.midDesc = pd.dst_desc();
          memory::desc dst = pe.sumTensor >= 0 ? desc_[pe.sumTensor] : pe.midDesc;
          const dims ld = logical(os, n_);
          const memory::desc blocked(ld, dt::f32, tag::aBcd16b), nhwc(ld, dt::f32, tag::nhwc);
          bool loopOk = pe.midDesc == blocked || pe.midDesc == nhwc;
          for (size_t k = pe.splitAt; k < s.post.size(); ++k)
            if (s.post[k].kind == kPostEltwise && s.post[k].act != kPlanRelu) loopOk = false;
          if (loopOk) {
            // The output in the convolution's layout (the shortcut, if any, is reordered to it).
            const bool b16 = pe.midDesc == blocked;
            pe.loopRun = b16 ? 16 : os[2];
            pe.loopDiv = b16 ? os[0] * os[1] : 1;
            pe.loopMod = b16 ? os[2] / 16 : 1;
            desc_[s.out] = pe.midDesc;
            pe.impl = std::string(pd.impl_info_str()) + " + loop";
          } else {
            binary::desc bd(first.kind == kPostMul ? algorithm::binary_mul : algorithm::binary_add, pe.midDesc,
                            channelDesc(os, os[2]), dst);
            binary::primitive_desc bpd(bd, rest, eng);
            pe.prim2 = binary(bpd);
            pe.scratch = std::max(pe.scratch, bpd.scratchpad_desc().get_size());
            pe.impl = std::string(pd.impl_info_str()) + " + " + bpd.impl_info_str();
            desc_[s.out] = bpd.dst_desc();
          }
          pe.inDesc = {pd.src_desc()};
          pe.weightsDesc = pd.weights_desc();
          pe.prim = convolution_forward(pd);
          pe.scratch = std::max(pe.scratch, pd.scratchpad_desc().get_size());
          if (pe.sumTensor >= 0)
            pe.sumInPlace = desc_[pe.sumTensor] == desc_[s.out] && lastUse_[pe.sumTensor] == static_cast<int>(i) &&
                            pe.sumTensor != p_.input && std::find(s.in.begin(), s.in.end(), pe.sumTensor) == s.in.end();
          break;
        }
        pe.inDesc = {pd.src_desc()};
        pe.weightsDesc = pd.weights_desc();
        finish<convolution_forward>(pe, pd, s.out);
        if (pe.sumTensor >= 0)
          pe.sumInPlace = desc_[pe.sumTensor] == desc_[s.out] && lastUse_[pe.sumTensor] == static_cast<int>(i) &&
                          pe.sumTensor != p_.input && std::find(s.in.begin(), s.in.end(), pe.sumTensor) == s.in.end();
        break;
      }
      case kStepDense: {
        const int64_t units = s.wShape[1];
        dims w = xs.size() == 3 ? dims{units, xs[2], xs[0], xs[1]} : dims{units, xs[0]};
        pe.userWeights = memory::desc(w, dt::f32, xs.size() == 3 ? tag::hwio : tag::io);
        memory::desc bias = s.hasBias ? memory::desc({units}, dt::f32, tag::a) : memory::desc();
        auto make = [&](const memory::desc &src) {
          inner_product_forward::desc d(prop_kind::forward_inference, src, memory::desc(w, dt::f32, tag::any),
                                        bias, anyDesc(os, n_));
          return inner_product_forward::primitive_desc(d, attr, eng);
        };
        inner_product_forward::primitive_desc pd;
        if (xs.size() == 3 && flatDense()) {
          // The image read as [N, H·W·C] in NHWC order (after a reorder to NHWC if the producer wrote another
          // layout): a plain 2-D inner product, for which oneDNN uses its brgemm kernels (on the 4-D input, a gemm
          // call). On GTSRB v1's 3072 -> 1500 layer at batch 1 they were within the machine's noise of each other
          // (slightly less CPU time for brgemm); CONVKIT_PLAN_FLAT_DENSE=0 reads the 4-D tensor instead.
          const int64_t in = xs[0] * xs[1] * xs[2];
          pe.userWeights = memory::desc({units, in}, dt::f32, tag::io);
          inner_product_forward::desc d(prop_kind::forward_inference, memory::desc({n_, in}, dt::f32, tag::ab),
                                        memory::desc({units, in}, dt::f32, tag::any), bias, anyDesc(os, n_));
          pd = inner_product_forward::primitive_desc(d, attr, eng);
          pe.inDesc = {plainDesc(xs, n_)};
          pe.flatView = true;
          pe.weightsDesc = pd.weights_desc();
          finish<inner_product_forward>(pe, pd, s.out);
          break;
        }
        try {
          pd = make(x);  // the producer's layout as it is
        } catch (const dnnl::error &) {
          pd = make(anyDesc(xs, n_));
        }
        pe.inDesc = {pd.src_desc()};
        pe.weightsDesc = pd.weights_desc();
        finish<inner_product_forward>(pe, pd, s.out);
        break;
      }
      case kStepMaxPool:
      case kStepAvgPool: {
        pooling_forward::desc d(prop_kind::forward_inference,
                                s.op == kStepMaxPool ? algorithm::pooling_max : algorithm::pooling_avg_exclude_padding,
                                x, anyDesc(os, n_), s.strides, s.kernel, s.padL, s.padR);
        pooling_forward::primitive_desc pd(d, attr, eng);
        pe.inDesc = {pd.src_desc()};
        finish<pooling_forward>(pe, pd, s.out);
        break;
      }
      case kStepScaleShift: {
        post_ops ops;
        ops.append_binary(algorithm::binary_add, channelDesc(xs, xs.back()));
        attr.set_post_ops(ops);
        binary::desc d(algorithm::binary_mul, x, channelDesc(xs, xs.back()), anyDesc(xs, n_));
        binary::primitive_desc pd(d, attr, eng);
        pe.inDesc = {pd.src_desc(0)};
        finish<binary>(pe, pd, s.out);
        break;
      }
      case kStepSum: {
        std::vector<memory::desc> srcs(s.in.size(), x);
        std::vector<float> scales(s.in.size(), 1.f);
        sum::primitive_desc pd(scales, srcs, eng, attr);
        pe.inDesc = srcs;
        finish<sum>(pe, pd, s.out);
        break;
      }
      case kStepEltwise: {
        float a, b;
        algorithm alg = eltwiseAlg(s.act, a, b);
        eltwise_forward::desc d(prop_kind::forward_inference, alg, x, a, b);
        eltwise_forward::primitive_desc pd(d, attr, eng);
        pe.inDesc = {pd.src_desc()};
        finish<eltwise_forward>(pe, pd, s.out);
        break;
      }
      case kStepSoftmax: {
        softmax_forward::desc d(prop_kind::forward_inference, x, 1);
        softmax_forward::primitive_desc pd(d, attr, eng);
        pe.inDesc = {pd.src_desc()};
        finish<softmax_forward>(pe, pd, s.out);
        break;
      }
      case kStepFlatten:
        pe.inDesc = {x};
        desc_[s.out] = plainDesc(os, n_);
        pe.impl = "flatten";
        break;
    }
    return pe;
  }

  // Greedy buffer sharing: a tensor takes a free buffer (the smallest that fits, else the largest, grown) when it
  // is computed; its buffer is freed after its last reader. A sum post-op in place takes over the shortcut's buffer.
  void assignSlots(const std::vector<Pending> &pend) {
    std::vector<int> freeSlots;
    auto take = [&](int t) {
      const size_t need = desc_[t].get_size();
      int best = -1;
      for (size_t k = 0; k < freeSlots.size(); ++k) {
        int sl = freeSlots[k];
        bool fits = slotSize_[sl] >= need;
        if (best < 0) { best = static_cast<int>(k); continue; }
        int b = freeSlots[best];
        bool bfits = slotSize_[b] >= need;
        if ((fits && (!bfits || slotSize_[sl] < slotSize_[b])) || (!fits && !bfits && slotSize_[sl] > slotSize_[b]))
          best = static_cast<int>(k);
      }
      int sl;
      if (best >= 0) {
        sl = freeSlots[best];
        freeSlots.erase(freeSlots.begin() + best);
        slotSize_[sl] = std::max(slotSize_[sl], need);
      } else {
        sl = static_cast<int>(slotSize_.size());
        slotSize_.push_back(need);
      }
      slotOf_[t] = sl;
    };
    for (size_t i = 0; i < p_.steps.size(); ++i) {
      const Step &s = p_.steps[i];
      const Pending &pe = pend[i];
      if (pe.sumInPlace) {
        slotOf_[s.out] = slotOf_[pe.sumTensor];
        slotSize_[slotOf_[s.out]] = std::max(slotSize_[slotOf_[s.out]], desc_[s.out].get_size());
      } else {
        take(s.out);
      }
      auto release = [&](int t) {
        if (t == p_.input || lastUse_[t] != static_cast<int>(i) || slotOf_[t] < 0) return;
        if (pe.sumInPlace && t == pe.sumTensor) return;
        if (std::find(freeSlots.begin(), freeSlots.end(), slotOf_[t]) == freeSlots.end())
          freeSlots.push_back(slotOf_[t]);
      };
      for (int t : s.in) release(t);
      if (pe.sumTensor >= 0) release(pe.sumTensor);
      // A tensor nobody reads (and not the output) is free at once.
      if (lastUse_[s.out] < 0) freeSlots.push_back(slotOf_[s.out]);
    }
  }

  Plan &p_;
  int64_t n_;
  std::vector<memory::desc> desc_;
  std::vector<int> lastUse_;
  std::vector<int> slotOf_;
  std::vector<size_t> slotSize_;
};

Instance &instanceFor(Plan &p, int64_t n) {
  auto key = std::make_pair(n, omp_get_max_threads());
  auto it = p.instances.find(key);
  if (it != p.instances.end()) return *it->second;
  Builder b(p, n);
  auto inst = b.build();
  return *p.instances.emplace(key, std::move(inst)).first->second;
}

Plan &planOf(const Napi::CallbackInfo &info, const char *op) {
  int64_t id = intArg(info, 0, "plan");
  auto it = plans.find(id);
  if (it == plans.end()) throw Napi::Error::New(info.Env(), std::string("onednn ") + op + ": plan " + std::to_string(id) + " does not exist (disposed?)");
  return *it->second;
}

// planCreate(spec) -> plan id
Napi::Value PlanCreate(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(info.Env(), "onednn planCreate: the spec must be an object");
    auto p = parse(info.Env(), info[0].As<Napi::Object>());
    int64_t id = nextPlanId++;
    plans.emplace(id, std::move(p));
    return Napi::Number::New(info.Env(), static_cast<double>(id));
  });
}

// planRun(plan, x, n, y): x holds n input tensors (NHWC), y receives n outputs.
Napi::Value PlanRun(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    Plan &p = planOf(info, "planRun");
    float *x = f32(info, 1, "x");
    int64_t n = intArg(info, 2, "n");
    float *y = f32(info, 3, "y");
    if (n < 1 || n > (int64_t(1) << 24)) throwRange(info, "planRun", "n must be a positive batch size");
    expectLen(info, 1, n * p.inSize, "planRun", "x");
    expectLen(info, 3, n * p.outSize, "planRun", "y");
    Instance &inst = instanceFor(p, n);
    inst.in.set_data_handle(x);
    for (memory &v : inst.inViews) v.set_data_handle(x);
    inst.out.set_data_handle(y);
    auto &s = cpuStream();
    for (Exec &e : inst.execs) {
      if (e.loop) {
        s.wait();
        e.loop();
      } else {
        e.prim.execute(s, e.args);
      }
    }
    s.wait();
    return info.Env().Undefined();
  });
}

// planDispose(plan): frees its primitives, weights and buffers (idempotent).
Napi::Value PlanDispose(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    plans.erase(intArg(info, 0, "plan"));
    return info.Env().Undefined();
  });
}

// planImpls(plan, n): the oneDNN implementation of each primitive of the instance for batch n (built if needed).
Napi::Value PlanImpls(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    Plan &p = planOf(info, "planImpls");
    int64_t n = intArg(info, 1, "n");
    if (n < 1 || n > (int64_t(1) << 24)) throwRange(info, "planImpls", "n must be a positive batch size");
    Instance &inst = instanceFor(p, n);
    Napi::Array a = Napi::Array::New(info.Env(), inst.impls.size());
    for (size_t i = 0; i < inst.impls.size(); ++i) a.Set(static_cast<uint32_t>(i), inst.impls[i]);
    return a;
  });
}

}  // namespace

void initPlan(Napi::Env env, Napi::Object exports) {
  exportCodes(env, exports, "planStep",
              {{"conv", kStepConv}, {"dense", kStepDense}, {"maxPool", kStepMaxPool}, {"avgPool", kStepAvgPool},
               {"scaleShift", kStepScaleShift}, {"sum", kStepSum}, {"eltwise", kStepEltwise},
               {"softmax", kStepSoftmax}, {"flatten", kStepFlatten}});
  exportCodes(env, exports, "planPost", {{"eltwise", kPostEltwise}, {"mul", kPostMul}, {"add", kPostAdd}, {"sum", kPostSum}});
  exportCodes(env, exports, "planActivation",
              {{"relu", kPlanRelu}, {"relu6", kPlanRelu6}, {"elu", kPlanElu}, {"sigmoid", kPlanSigmoid}, {"tanh", kPlanTanh}});
  exports.Set("planCreate", Napi::Function::New(env, PlanCreate));
  exports.Set("planRun", Napi::Function::New(env, PlanRun));
  exports.Set("planDispose", Napi::Function::New(env, PlanDispose));
  exports.Set("planImpls", Napi::Function::New(env, PlanImpls));
}

}  // namespace convkit
