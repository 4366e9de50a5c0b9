// Module entry: engine/stream, argument helpers, threads, error mapping.
#include <malloc.h>
#include <omp.h>

#include <stdexcept>

#include "common.h"

namespace convkit {

std::recursive_mutex &addonLock() {
  static std::recursive_mutex m;
  return m;
}

void exportCodes(Napi::Env env, Napi::Object exports, const char *family,
                 std::initializer_list<std::pair<const char *, int>> codes) {
  if (!exports.Has("opCodes")) exports.Set("opCodes", Napi::Object::New(env));
  Napi::Object table = Napi::Object::New(env);
  for (const auto &c : codes) table.Set(c.first, c.second);
  exports.Get("opCodes").As<Napi::Object>().Set(family, table);
}

dnnl::engine &cpuEngine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream &cpuStream() {
  static dnnl::stream s(cpuEngine());
  return s;
}

SignalBlock::SignalBlock() {
  sigset_t all;
  sigfillset(&all);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP}) sigdelset(&all, sig);
  pthread_sigmask(SIG_BLOCK, &all, &old_);
}

SignalBlock::~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

static void argError(const Napi::CallbackInfo &info, size_t i,
                     const char *what, const char *expected) {
  throw Napi::TypeError::New(info.Env(), std::string("onednn: argument ") +
                                             std::to_string(i) + " (" + what +
                                             ") must be " + expected);
}

float *f32(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (i >= info.Length() || !info[i].IsTypedArray() ||
      info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    argError(info, i, what, "a Float32Array");
  return info[i].As<Napi::Float32Array>().Data();
}

float *f32OrNull(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (i >= info.Length() || info[i].IsNull() || info[i].IsUndefined())
    return nullptr;
  return f32(info, i, what);
}

size_t f32Len(const Napi::CallbackInfo &info, size_t i) {
  return info[i].As<Napi::Float32Array>().ElementLength();
}

dims dimsArg(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (i >= info.Length() || !info[i].IsArray())
    argError(info, i, what, "an array of integers");
  Napi::Array a = info[i].As<Napi::Array>();
  dims d(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) argError(info, i, what, "an array of integers");
    d[k] = v.As<Napi::Number>().Int64Value();
  }
  return d;
}

int64_t intArg(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (i >= info.Length() || !info[i].IsNumber())
    argError(info, i, what, "a number");
  return info[i].As<Napi::Number>().Int64Value();
}

double numArg(const Napi::CallbackInfo &info, size_t i, const char *what) {
  if (i >= info.Length() || !info[i].IsNumber())
    argError(info, i, what, "a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

void appendActivation(dnnl::post_ops &ops, int act, float alpha) {
  using A = dnnl::algorithm;
  switch (act) {
    case kActLinear: return;
    case kActRelu: case kActRelu6: case kActLeakyRelu: return;  // applyActivationLoop
    case kActElu: ops.append_eltwise(1.f, A::eltwise_elu, 1.f, 0.f); return;
    case kActSigmoid:
      ops.append_eltwise(1.f, A::eltwise_logistic, 0.f, 0.f);
      return;
    default: throw std::invalid_argument("unknown activation code");
  }
}

void applyActivationLoop(float *y, int64_t n, int act, float alpha) {
  // As tfjs-cpu: relu x < 0 ? 0 : x, relu6 min(max(0, x), 6), leakyrelu x < 0 ? alpha x : x;
  // NaN stays NaN in all three.
  switch (act) {
    case kActRelu:
#pragma omp parallel for simd if (n >= (1 << 15)) schedule(static)
      for (int64_t i = 0; i < n; ++i) y[i] = y[i] < 0.f ? 0.f : y[i];
      return;
    case kActRelu6:
#pragma omp parallel for simd if (n >= (1 << 15)) schedule(static)
      for (int64_t i = 0; i < n; ++i) y[i] = y[i] < 0.f ? 0.f : (y[i] > 6.f ? 6.f : y[i]);
      return;
    case kActLeakyRelu:
#pragma omp parallel for simd if (n >= (1 << 15)) schedule(static)
      for (int64_t i = 0; i < n; ++i) y[i] = y[i] < 0.f ? alpha * y[i] : y[i];
      return;
    default: return;
  }
}

const char *statusName(dnnl_status_t s) {
  switch (s) {
    case dnnl_success: return "dnnl_success";
    case dnnl_out_of_memory: return "dnnl_out_of_memory";
    case dnnl_invalid_arguments: return "dnnl_invalid_arguments";
    case dnnl_unimplemented: return "dnnl_unimplemented";
    case dnnl_iterator_ends: return "dnnl_iterator_ends";
    case dnnl_runtime_error: return "dnnl_runtime_error";
    case dnnl_not_required: return "dnnl_not_required";
    default: return "dnnl_unknown_status";
  }
}

void throwDnnl(const Napi::Env &env, const dnnl::error &e) {
  Napi::Error err = Napi::Error::New(
      env, std::string("oneDNN error (") + statusName(e.status) + "): " +
               e.what());
  err.Set("status", Napi::Number::New(env, static_cast<int>(e.status)));
  err.Set("statusName", Napi::String::New(env, statusName(e.status)));
  throw err;
}

static Napi::Value SetNumThreads(const Napi::CallbackInfo &info) {
  int n = static_cast<int>(intArg(info, 0, "threads"));
  if (n < 1) throw Napi::RangeError::New(info.Env(), "threads must be >= 1");
  omp_set_num_threads(n);
  return info.Env().Undefined();
}

static Napi::Value GetNumThreads(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

// Serve every allocation from the heap instead of fresh mmap()s and never
// trim it: activation-sized buffers (tens of MB, allocated and freed every
// training step) are then reused instead of being page-faulted in and zeroed
// by the kernel each time. RSS stays at the high-water mark.
static Napi::Value TuneMalloc(const Napi::CallbackInfo &info) {
#ifdef __GLIBC__
  bool ok = mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
  return Napi::Boolean::New(info.Env(), ok);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

static Napi::Value Version(const Napi::CallbackInfo &info) {
  const dnnl_version_t *v = dnnl::version();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("major", v->major);
  o.Set("minor", v->minor);
  o.Set("patch", v->patch);
  o.Set("hash", v->hash ? v->hash : "");
  o.Set("cpuRuntime", v->cpu_runtime == DNNL_RUNTIME_OMP ? "omp" : "other");
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("tuneMalloc", Napi::Function::New(env, TuneMalloc));
  exportCodes(env, exports, "activation",
              {{"linear", kActLinear}, {"relu", kActRelu}, {"relu6", kActRelu6},
               {"elu", kActElu}, {"leakyrelu", kActLeakyRelu}, {"sigmoid", kActSigmoid}});
  initConv2d(env, exports);
  initPool(env, exports);
  initMatmul(env, exports);
  initEltwise(env, exports);
  initReduce(env, exports);
  initSoftmax(env, exports);
  initAdam(env, exports);
  initDropout(env, exports);
  initBatchNorm(env, exports);
  initTile(env, exports);
  initTransform(env, exports);
  initPlan(env, exports);
  initLayerNorm(env, exports);
  initGelu(env, exports);
  initAttention(env, exports);
  initTranspose(env, exports);
  initCompare(env, exports);
  initGridSample(env, exports);
  return exports;
}

}  // namespace convkit

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return convkit::Init(env, exports);
}

NODE_API_MODULE(convkit_onednn, InitModule)
