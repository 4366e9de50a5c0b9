// Memory-bound elementwise kernels (unary and binary with trailing-axis
// broadcast), written as OpenMP loops: for these a oneDNN primitive's setup
// costs more than the loop itself. The op codes are exported as opCodes.unary
// and opCodes.binary.
#include <cmath>

#include "common.h"

namespace convkit {
namespace {

enum Unary : int {
  kRelu = 0, kSquare = 1, kSqrt = 2, kStep = 3, kExp = 4, kLog = 5,
  kAbs = 6, kNeg = 7, kRsqrt = 8, kRelu6 = 9, kSigmoid = 10, kClip = 11,  // kClip: [alpha, beta]
};
enum Binary : int {
  kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kMax = 4, kMin = 5,
  kSquaredDiff = 6, kReluGrad = 7,  // kReluGrad: a * (b > 0)
};

constexpr int64_t kParallelMin = 1 << 15;

template <typename F>
void unaryLoop(const float *x, float *y, int64_t n, F f) {
#pragma omp parallel for simd if (n >= kParallelMin) schedule(static)
  for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]);
}

// unary(code, x, y, alpha[, beta])
Napi::Value UnaryOp(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    int code = static_cast<int>(intArg(info, 0, "op"));
    const float *x = f32(info, 1, "x");
    float *y = f32(info, 2, "y");
    float alpha = static_cast<float>(numArg(info, 3, "alpha"));
    int64_t n = static_cast<int64_t>(f32Len(info, 1));
    expectLen(info, 2, n, "unary", "y");
    switch (code) {
      // tfjs-cpu's relu (x < 0 ? 0 : x): NaN stays NaN.
      case kRelu: unaryLoop(x, y, n, [](float v) { return v < 0.f ? 0.f : v; }); break;
      case kSquare: unaryLoop(x, y, n, [](float v) { return v * v; }); break;
      case kSqrt: unaryLoop(x, y, n, [](float v) { return std::sqrt(v); }); break;
      // tfjs Step: x > 0 ? 1 : alpha, NaN stays NaN.
      case kStep:
        unaryLoop(x, y, n, [alpha](float v) {
          return std::isnan(v) ? v : (v > 0.f ? 1.f : alpha);
        });
        break;
      case kExp: unaryLoop(x, y, n, [](float v) { return std::exp(v); }); break;
      case kLog: unaryLoop(x, y, n, [](float v) { return std::log(v); }); break;
      case kAbs: unaryLoop(x, y, n, [](float v) { return std::fabs(v); }); break;
      case kNeg: unaryLoop(x, y, n, [](float v) { return -v; }); break;
      case kRsqrt: unaryLoop(x, y, n, [](float v) { return 1.f / std::sqrt(v); }); break;
      case kRelu6:
        unaryLoop(x, y, n, [](float v) { return v < 0.f ? 0.f : (v > 6.f ? 6.f : v); });
        break;
      case kSigmoid:
        unaryLoop(x, y, n, [](float v) { return 1.f / (1.f + std::exp(-v)); });
        break;
      // tfjs ClipByValue: x > max ? max : (x < min ? min : x), NaN stays NaN.
      case kClip: {
        const float hi = static_cast<float>(numArg(info, 4, "beta"));
        unaryLoop(x, y, n, [alpha, hi](float v) { return v > hi ? hi : (v < alpha ? alpha : v); });
        break;
      }
      default: throw Napi::RangeError::New(info.Env(), "onednn unary: unknown op");
    }
    return info.Env().Undefined();
  });
}

// y[i] = f(a[i % na], b[i % nb]); n = max(na, nb) and the shorter length
// divides the longer one (trailing-axis broadcast, checked on the JS side).
template <typename F>
void binaryLoop(const float *a, int64_t na, const float *b, int64_t nb,
                float *y, int64_t n, F f) {
  if (na == n && nb == n) {
#pragma omp parallel for simd if (n >= kParallelMin) schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], b[i]);
  } else if (nb == 1) {
    const float s = b[0];
#pragma omp parallel for simd if (n >= kParallelMin) schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], s);
  } else if (na == 1) {
    const float s = a[0];
#pragma omp parallel for simd if (n >= kParallelMin) schedule(static)
    for (int64_t i = 0; i < n; ++i) y[i] = f(s, b[i]);
  } else if (na == n) {
    const int64_t rows = n / nb;
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const float *ar = a + r * nb;
      float *yr = y + r * nb;
#pragma omp simd
      for (int64_t j = 0; j < nb; ++j) yr[j] = f(ar[j], b[j]);
    }
  } else {
    const int64_t rows = n / na;
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const float *br = b + r * na;
      float *yr = y + r * na;
#pragma omp simd
      for (int64_t j = 0; j < na; ++j) yr[j] = f(a[j], br[j]);
    }
  }
}

// y[r*inner + j] = f(a', b') where the shorter operand is indexed by r
// (leading-axis broadcast: [rows, 1] against [rows, inner]).
template <typename F>
void binaryRowLoop(const float *a, int64_t na, const float *b, int64_t nb,
                   float *y, int64_t n, F f) {
  if (na == n) {
    const int64_t inner = n / nb;
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (int64_t r = 0; r < nb; ++r) {
      const float s = b[r];
#pragma omp simd
      for (int64_t j = 0; j < inner; ++j) y[r * inner + j] = f(a[r * inner + j], s);
    }
  } else {
    const int64_t inner = n / na;
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
    for (int64_t r = 0; r < na; ++r) {
      const float s = a[r];
#pragma omp simd
      for (int64_t j = 0; j < inner; ++j) y[r * inner + j] = f(s, b[r * inner + j]);
    }
  }
}

// Middle-axis broadcast: the shorter operand is [outer, inner], the output
// [outer, mid, inner] ([B, 1, C] against [B, T, C]); y[o, m, i] = f(., short[o, i]).
template <typename F>
void binaryMidLoop(const float *a, int64_t na, const float *b, int64_t nb,
                   float *y, int64_t n, int64_t inner, F f) {
  const bool aLong = na == n;
  const int64_t outer = (aLong ? nb : na) / inner, mid = n / (outer * inner);
#pragma omp parallel for if (n >= kParallelMin) schedule(static)
  for (int64_t om = 0; om < outer * mid; ++om) {
    const int64_t o = om / mid;
    const float *s = (aLong ? b : a) + o * inner, *l = (aLong ? a : b) + om * inner;
    float *yr = y + om * inner;
    if (aLong) {
#pragma omp simd
      for (int64_t j = 0; j < inner; ++j) yr[j] = f(l[j], s[j]);
    } else {
#pragma omp simd
      for (int64_t j = 0; j < inner; ++j) yr[j] = f(s[j], l[j]);
    }
  }
}

// mode: 0 trailing (binaryLoop), 1 leading (binaryRowLoop), 2 middle (binaryMidLoop, with inner).
template <typename F>
void dispatch(int mode, int64_t inner, const float *a, int64_t na, const float *b, int64_t nb,
              float *y, int64_t n, F f) {
  if (mode == 2) binaryMidLoop(a, na, b, nb, y, n, inner, f);
  else if (mode == 1) binaryRowLoop(a, na, b, nb, y, n, f);
  else binaryLoop(a, na, b, nb, y, n, f);
}

// binary(code, a, b, y[, rowBroadcast[, inner]])
// rowBroadcast=false: the shorter operand repeats along the output
// (trailing axes); true: each of its elements covers a run of
// len(y)/len(short) consecutive outputs (leading axes). With inner >= 1
// (rowBroadcast ignored) the shorter operand is [outer, inner] and the output
// [outer, mid, inner] (a broadcast over middle axes).
Napi::Value BinaryOp(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    int code = static_cast<int>(intArg(info, 0, "op"));
    const float *a = f32(info, 1, "a");
    const float *b = f32(info, 2, "b");
    float *y = f32(info, 3, "y");
    int64_t na = f32Len(info, 1), nb = f32Len(info, 2), n = f32Len(info, 3);
    int64_t big = std::max(na, nb), small = std::min(na, nb);
    if (n != big || small == 0 || big % small != 0)
      throw Napi::RangeError::New(info.Env(), "onednn binary: bad broadcast");
    int mode = info.Length() > 4 && info[4].ToBoolean() ? 1 : 0;
    int64_t inner = 0;
    if (info.Length() > 5 && !info[5].IsUndefined()) {
      inner = intArg(info, 5, "inner");
      if (inner < 1 || small % inner != 0 || (big / small) * small != big)
        throw Napi::RangeError::New(info.Env(), "onednn binary: bad broadcast");
      mode = 2;
    }
    switch (code) {
      case kAdd: dispatch(mode, inner, a, na, b, nb, y, n, [](float p, float q) { return p + q; }); break;
      case kSub: dispatch(mode, inner, a, na, b, nb, y, n, [](float p, float q) { return p - q; }); break;
      case kMul: dispatch(mode, inner, a, na, b, nb, y, n, [](float p, float q) { return p * q; }); break;
      case kDiv: dispatch(mode, inner, a, na, b, nb, y, n, [](float p, float q) { return p / q; }); break;
      case kMax:
        dispatch(mode, inner, a, na, b, nb, y, n, [](float p, float q) {
          return (std::isnan(p) || std::isnan(q)) ? NAN : (p > q ? p : q);
        });
        break;
      case kMin:
        dispatch(mode, inner, a, na, b, nb, y, n, [](float p, float q) {
          return (std::isnan(p) || std::isnan(q)) ? NAN : (p < q ? p : q);
        });
        break;
      case kSquaredDiff:
        dispatch(mode, inner, a, na, b, nb, y, n, [](float p, float q) { return (p - q) * (p - q); });
        break;
      case kReluGrad:
        // As tfjs's mul(dy, step(y)): NaN in y or dy gives NaN.
        dispatch(mode, inner, a, na, b, nb, y, n, [](float p, float q) {
          return std::isnan(q) ? q : p * (q > 0.f ? 1.f : 0.f);
        });
        break;
      default: throw Napi::RangeError::New(info.Env(), "onednn binary: unknown op");
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void initEltwise(Napi::Env env, Napi::Object exports) {
  exportCodes(env, exports, "unary",
              {{"Relu", kRelu}, {"Square", kSquare}, {"Sqrt", kSqrt}, {"Step", kStep},
               {"Exp", kExp}, {"Log", kLog}, {"Abs", kAbs}, {"Neg", kNeg},
               {"Rsqrt", kRsqrt}, {"Relu6", kRelu6}, {"Sigmoid", kSigmoid}, {"ClipByValue", kClip}});
  exportCodes(env, exports, "binary",
              {{"Add", kAdd}, {"Sub", kSub}, {"Mul", kMul}, {"Div", kDiv}, {"Max", kMax},
               {"Min", kMin}, {"SquaredDiff", kSquaredDiff}, {"ReluGrad", kReluGrad}});
  exports.Set("unary", Napi::Function::New(env, UnaryOp));
  exports.Set("binary", Napi::Function::New(env, BinaryOp));
}

}  // namespace convkit
