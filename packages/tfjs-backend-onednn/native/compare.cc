// The small kernels of a training step's loss and accuracy metric: comparisons
// (float32 or int32 operands, bool result), logical and/or, select, and argMax
// over one axis. Plain OpenMP loops over tensors of a batch's labels and
// predictions. Op codes are exported as opCodes.compare and opCodes.logical.
#include <cmath>

#include "common.h"

namespace convkit {
namespace {

enum Compare : int { kEqual = 0, kNotEqual = 1, kGreater = 2, kGreaterEqual = 3, kLess = 4, kLessEqual = 5 };
enum Logical : int { kAnd = 0, kOr = 1 };

constexpr int64_t kParallelMin = 1 << 15;

[[noreturn]] void typeError(const Napi::CallbackInfo &info, const char *op, size_t i, const char *what,
                            const char *expected) {
  throw Napi::TypeError::New(info.Env(), std::string("onednn ") + op + ": argument " + std::to_string(i) +
                                             " (" + what + ") must be " + expected);
}

template <typename T>
T *typed(const Napi::CallbackInfo &info, const char *op, size_t i, const char *what, napi_typedarray_type type,
         const char *expected) {
  if (i >= info.Length() || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type)
    typeError(info, op, i, what, expected);
  Napi::TypedArray a = info[i].As<Napi::TypedArray>();
  return reinterpret_cast<T *>(static_cast<uint8_t *>(a.ArrayBuffer().Data()) + a.ByteOffset());
}

int64_t lengthOf(const Napi::CallbackInfo &info, size_t i) {
  return static_cast<int64_t>(info[i].As<Napi::TypedArray>().ElementLength());
}

// y has n elements; each operand has n or 1 (a scalar).
void checkOperands(const Napi::CallbackInfo &info, const char *op, int64_t na, int64_t nb, int64_t n) {
  if ((na != n && na != 1) || (nb != n && nb != 1))
    throwRange(info, op, "operands must have y's " + std::to_string(n) + " elements or 1 (got " +
                             std::to_string(na) + " and " + std::to_string(nb) + ")");
}

template <typename T, typename F>
void loop(const T *a, int64_t na, const T *b, int64_t nb, uint8_t *y, int64_t n, F f) {
  const int64_t sa = na == 1 ? 0 : 1, sb = nb == 1 ? 0 : 1;
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
  for (int64_t i = 0; i < n; ++i) y[i] = f(a[i * sa], b[i * sb]) ? 1 : 0;
}

template <typename T>
void compareTyped(int code, const T *a, int64_t na, const T *b, int64_t nb, uint8_t *y, int64_t n) {
  // IEEE comparisons, as tfjs-cpu's (a NaN operand compares false, except !=).
  switch (code) {
    case kEqual: loop(a, na, b, nb, y, n, [](T p, T q) { return p == q; }); break;
    case kNotEqual: loop(a, na, b, nb, y, n, [](T p, T q) { return p != q; }); break;
    case kGreater: loop(a, na, b, nb, y, n, [](T p, T q) { return p > q; }); break;
    case kGreaterEqual: loop(a, na, b, nb, y, n, [](T p, T q) { return p >= q; }); break;
    case kLess: loop(a, na, b, nb, y, n, [](T p, T q) { return p < q; }); break;
    case kLessEqual: loop(a, na, b, nb, y, n, [](T p, T q) { return p <= q; }); break;
  }
}

// compare(code, a, b, y): a, b both Float32Array or both Int32Array; y Uint8Array (bool).
Napi::Value CompareOp(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const char *op = "compare";
    const int code = static_cast<int>(intArg(info, 0, "op"));
    if (code < kEqual || code > kLessEqual) throwRange(info, op, "unknown op");
    uint8_t *y = typed<uint8_t>(info, op, 3, "y", napi_uint8_array, "a Uint8Array");
    const int64_t na = lengthOf(info, 1), nb = info[2].IsTypedArray() ? lengthOf(info, 2) : 0, n = lengthOf(info, 3);
    const bool ints = info[1].IsTypedArray() && info[1].As<Napi::TypedArray>().TypedArrayType() == napi_int32_array;
    if (ints) {
      const int32_t *a = typed<int32_t>(info, op, 1, "a", napi_int32_array, "an Int32Array");
      const int32_t *b = typed<int32_t>(info, op, 2, "b", napi_int32_array, "an Int32Array like a");
      checkOperands(info, op, na, nb, n);
      compareTyped(code, a, na, b, nb, y, n);
    } else {
      const float *a = typed<float>(info, op, 1, "a", napi_float32_array, "a Float32Array or an Int32Array");
      const float *b = typed<float>(info, op, 2, "b", napi_float32_array, "a Float32Array like a");
      checkOperands(info, op, na, nb, n);
      compareTyped(code, a, na, b, nb, y, n);
    }
    return info.Env().Undefined();
  });
}

// logical(code, a, b, y): bool (Uint8Array) operands and result.
Napi::Value LogicalOp(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const char *op = "logical";
    const int code = static_cast<int>(intArg(info, 0, "op"));
    const uint8_t *a = typed<uint8_t>(info, op, 1, "a", napi_uint8_array, "a Uint8Array");
    const uint8_t *b = typed<uint8_t>(info, op, 2, "b", napi_uint8_array, "a Uint8Array");
    uint8_t *y = typed<uint8_t>(info, op, 3, "y", napi_uint8_array, "a Uint8Array");
    const int64_t na = lengthOf(info, 1), nb = lengthOf(info, 2), n = lengthOf(info, 3);
    checkOperands(info, op, na, nb, n);
    if (code == kAnd) loop(a, na, b, nb, y, n, [](uint8_t p, uint8_t q) { return p && q; });
    else if (code == kOr) loop(a, na, b, nb, y, n, [](uint8_t p, uint8_t q) { return p || q; });
    else throwRange(info, op, "unknown op");
    return info.Env().Undefined();
  });
}

// select(cond, a, b, y): y = cond ? a : b, all of y's length (cond a Uint8Array).
Napi::Value SelectOp(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const char *op = "select";
    const uint8_t *c = typed<uint8_t>(info, op, 0, "condition", napi_uint8_array, "a Uint8Array");
    const float *a = f32(info, 1, "a"), *b = f32(info, 2, "b");
    float *y = f32(info, 3, "y");
    const int64_t n = lengthOf(info, 3);
    expectLen(info, 0, n, op, "condition");
    expectLen(info, 1, n, op, "a");
    expectLen(info, 2, n, op, "b");
#pragma omp parallel for simd if (n >= kParallelMin) schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] = c[i] ? a[i] : b[i];
    return info.Env().Undefined();
  });
}

// argMax(x, y, outer, reduce, inner): x [outer, reduce, inner] float32, y [outer, inner] int32:
// the index of the first largest value, scanned as tfjs-cpu does (a later value wins only if
// v > max, so NaNs are skipped unless the first value is NaN).
Napi::Value ArgMax(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const char *op = "argMax";
    const float *x = f32(info, 0, "x");
    int32_t *y = typed<int32_t>(info, op, 1, "y", napi_int32_array, "an Int32Array");
    const int64_t outer = intArg(info, 2, "outer"), R = intArg(info, 3, "reduce"), inner = intArg(info, 4, "inner");
    if (outer < 1 || R < 1 || inner < 1) throwRange(info, op, "outer, reduce and inner must be >= 1");
    expectShape(info, 0, {outer, R, inner}, op, "x");
    expectShape(info, 1, {outer, inner}, op, "y");
#pragma omp parallel for if (outer * R * inner >= kParallelMin) schedule(static)
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t j = 0; j < inner; ++j) {
        const float *p = x + o * R * inner + j;
        float best = p[0];
        int32_t at = 0;
        for (int64_t r = 1; r < R; ++r) {
          const float v = p[r * inner];
          if (v > best) {
            best = v;
            at = static_cast<int32_t>(r);
          }
        }
        y[o * inner + j] = at;
      }
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void initCompare(Napi::Env env, Napi::Object exports) {
  exportCodes(env, exports, "compare",
              {{"Equal", kEqual}, {"NotEqual", kNotEqual}, {"Greater", kGreater},
               {"GreaterEqual", kGreaterEqual}, {"Less", kLess}, {"LessEqual", kLessEqual}});
  exportCodes(env, exports, "logical", {{"LogicalAnd", kAnd}, {"LogicalOr", kOr}});
  exports.Set("compare", Napi::Function::New(env, CompareOp));
  exports.Set("logical", Napi::Function::New(env, LogicalOp));
  exports.Set("select", Napi::Function::New(env, SelectOp));
  exports.Set("argMax", Napi::Function::New(env, ArgMax));
}

}  // namespace convkit
