// Shared helpers for the oneDNN Node-API addon.
#pragma once
#include <napi.h>

#include <signal.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <mutex>
#include <string>
#include <utility>
#include <unordered_map>
#include <vector>

#include "dnnl.hpp"
#include "dnnl_version.h"

// The addon is written against the oneDNN 2.x C++ API (operation descriptors such as
// convolution_forward::desc, removed in 3.0). Debian's libdnnl-dev 2.x is the supported one.
#if !defined(DNNL_VERSION_MAJOR) || DNNL_VERSION_MAJOR != 2
#error "convkit tfjs-backend-onednn needs oneDNN 2.x (Debian libdnnl-dev 2.x): the installed dnnl_version.h reports another major version, whose C++ API (oneDNN 3.0 removed the operation descriptors) this addon does not use."
#endif

namespace convkit {

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// Process-wide CPU engine and stream (oneDNN's CPU runtime here is OpenMP,
// so execution is synchronous on the calling thread + OpenMP workers).
dnnl::engine &cpuEngine();
dnnl::stream &cpuStream();

// Float32Array argument -> raw pointer (zero copy; honours byteOffset).
float *f32(const Napi::CallbackInfo &info, size_t i, const char *what);
// Optional Float32Array (null/undefined -> nullptr).
float *f32OrNull(const Napi::CallbackInfo &info, size_t i, const char *what);
size_t f32Len(const Napi::CallbackInfo &info, size_t i);
// JS array (or typed array) of integers -> dims.
dims dimsArg(const Napi::CallbackInfo &info, size_t i, const char *what);
int64_t intArg(const Napi::CallbackInfo &info, size_t i, const char *what);
double numArg(const Napi::CallbackInfo &info, size_t i, const char *what);

// Buffer-length validation shared by every binding: a JS-side shape bug must
// become a RangeError "onednn <op>: ..." naming the binding, never a read or
// write past the end of a buffer.
[[noreturn]] inline void throwRange(const Napi::CallbackInfo &info, const char *op,
                                    const std::string &cause) {
  throw Napi::RangeError::New(info.Env(), std::string("onednn ") + op + ": " + cause);
}

// Elements of a tensor of shape d (dims must be >= 0; the product must fit).
inline int64_t elementCount(const Napi::CallbackInfo &info, const char *op, const dims &d,
                            const char *what) {
  int64_t n = 1;
  for (int64_t v : d) {
    if (v < 0) throwRange(info, op, std::string(what) + " has a negative dimension");
    if (v != 0 && n > INT64_MAX / v) throwRange(info, op, std::string(what) + " is too large");
    n *= v;
  }
  return n;
}

// Throws unless the TypedArray argument i (a Float32Array checked by f32())
// holds exactly n elements.
inline void expectLen(const Napi::CallbackInfo &info, size_t i, int64_t n, const char *op,
                      const char *what) {
  const int64_t have = static_cast<int64_t>(info[i].As<Napi::TypedArray>().ElementLength());
  if (have != n)
    throwRange(info, op, std::string(what) + " has " + std::to_string(have) +
                             " elements, expected " + std::to_string(n));
}

// expectLen against the element count of shape d.
inline void expectShape(const Napi::CallbackInfo &info, size_t i, const dims &d, const char *op,
                        const char *what) {
  expectLen(info, i, elementCount(info, op, d, what), op, what);
}

// Activation codes of the fused post-ops, exported as opCodes.activation.
enum Activation : int {
  kActLinear = 0,
  kActRelu = 1,
  kActRelu6 = 2,
  kActElu = 3,
  kActLeakyRelu = 4,
  kActSigmoid = 5,
};
// Appends the activation as an eltwise post-op (no-op for linear, and for the
// activations applyActivationLoop applies instead).
void appendActivation(dnnl::post_ops &ops, int act, float alpha);
// relu, relu6 and leakyrelu run as a loop over the output after the primitive,
// not as oneDNN post-ops: oneDNN's eltwise relu/clip turn NaN into 0 (leaky relu
// into -inf), where tfjs propagates NaN, and a diverging network must get a NaN
// loss on this backend as on tfjs-cpu. Same values as the post-ops otherwise.
void applyActivationLoop(float *y, int64_t n, int act, float alpha);

// Op codes are exported to JS: addon.opCodes[family] = {name: code, ...}
// (src/native.ts reads them from there, it does not repeat the numbers).
void exportCodes(Napi::Env env, Napi::Object exports, const char *family,
                 std::initializer_list<std::pair<const char *, int>> codes);

// Converts a dnnl::error into a JS exception carrying the oneDNN status.
[[noreturn]] void throwDnnl(const Napi::Env &env, const dnnl::error &e);
const char *statusName(dnnl_status_t s);

// Blocks asynchronous signals on the calling thread for its lifetime and
// restores the previous mask after. Native kernels run with signals blocked:
// a signal handler (V8's SIGPROF sampler under --cpu-prof, libuv's SIGCHLD
// handler, ...) interrupting oneDNN's JIT code was observed to corrupt the
// heap. Pending signals are delivered when the mask is restored. OpenMP
// workers, created inside a blocked region, inherit the blocked mask.
// Synchronous fault signals are left unblocked.
class SignalBlock {
 public:
  SignalBlock();
  ~SignalBlock();
  SignalBlock(const SignalBlock &) = delete;
  SignalBlock &operator=(const SignalBlock &) = delete;

 private:
  sigset_t old_;
};

// Wraps the body of a binding so that oneDNN and argument errors become JS
// exceptions instead of aborting the process (and signals are blocked while
// it runs, see SignalBlock).
//
// Every native call also holds the addon's lock: the primitive caches, the
// convolution plan settings and oneDNN's engine/stream are process-wide, and
// worker threads (node:worker_threads) can load the addon and call it at the
// same time as the main thread; calls are serialised instead (each one runs
// on oneDNN's OpenMP threads anyway).
std::recursive_mutex &addonLock();

template <typename F>
Napi::Value guarded(const Napi::CallbackInfo &info, F &&body) {
  try {
    std::lock_guard<std::recursive_mutex> lock(addonLock());
    SignalBlock block;
    return body();
  } catch (const dnnl::error &e) {
    throwDnnl(info.Env(), e);
  } catch (const Napi::Error &e) {
    throw;
  } catch (const std::exception &e) {
    throw Napi::Error::New(info.Env(), std::string("onednn: ") + e.what());
  }
}

// Reduction of x viewed as [outer, R, inner] over R (op: 0 sum, 1 mean,
// 2 max, 3 min, 4 prod) into y[outer, inner]; threaded. See reduce.cc.
void reduceBlocks(int op, const float *x, float *y, int64_t outer, int64_t R,
                  int64_t inner);

// Registration hooks, one per kernel translation unit.
void initConv2d(Napi::Env env, Napi::Object exports);
void initPool(Napi::Env env, Napi::Object exports);
void initMatmul(Napi::Env env, Napi::Object exports);
void initEltwise(Napi::Env env, Napi::Object exports);
void initReduce(Napi::Env env, Napi::Object exports);
void initSoftmax(Napi::Env env, Napi::Object exports);
void initAdam(Napi::Env env, Napi::Object exports);
void initDropout(Napi::Env env, Napi::Object exports);
void initBatchNorm(Napi::Env env, Napi::Object exports);
void initTile(Napi::Env env, Napi::Object exports);
void initTransform(Napi::Env env, Napi::Object exports);
void initPlan(Napi::Env env, Napi::Object exports);
void initLayerNorm(Napi::Env env, Napi::Object exports);
void initGelu(Napi::Env env, Napi::Object exports);
void initAttention(Napi::Env env, Napi::Object exports);
void initTranspose(Napi::Env env, Napi::Object exports);
void initCompare(Napi::Env env, Napi::Object exports);
void initGridSample(Napi::Env env, Napi::Object exports);

}  // namespace convkit

namespace convkit {
// Small cache of ready primitives keyed by their full parameter list, so
// that a training loop does not re-run oneDNN's implementation dispatch on
// every call. Bounded: cleared when it grows past kMaxEntries.
template <typename P>
class PrimitiveCache {
 public:
  static constexpr size_t kMaxEntries = 512;
  template <typename Make>
  P &get(const std::vector<int64_t> &key, Make &&make) {
    std::string k(reinterpret_cast<const char *>(key.data()),
                  key.size() * sizeof(int64_t));
    auto it = map_.find(k);
    if (it != map_.end()) return it->second;
    if (map_.size() >= kMaxEntries) map_.clear();
    return map_.emplace(std::move(k), make()).first->second;
  }

 private:
  std::unordered_map<std::string, P> map_;
};
}  // namespace convkit
