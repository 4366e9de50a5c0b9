// BatchMatMul / _FusedMatMul (bias + activation post-op) over oneDNN matmul.
// Operands are passed as 3-D [batch, rows, cols] in their stored layout; a
// transposed operand is described to oneDNN with swapped strides (no copy).
// A batch of 1 broadcasts against the other operand's batch.
#include "common.h"

namespace convkit {
namespace {

using namespace dnnl;

PrimitiveCache<matmul> cache;

memory::desc operand(int64_t batch, int64_t rows, int64_t cols, bool trans) {
  // Logical dims are [batch, rows, cols] after the (optional) transpose.
  if (!trans) return memory::desc({batch, rows, cols}, dt::f32,
                                  dims{rows * cols, cols, 1});
  return memory::desc({batch, rows, cols}, dt::f32, dims{rows * cols, 1, rows});
}

// matmulForward(a, aShape[3], b, bShape[3], bias|null, y,
//               transposeA, transposeB, activation, alpha)
// aShape/bShape are the stored shapes. y is [max(Ba,Bb), M, N].
Napi::Value MatmulForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    float *a = f32(info, 0, "a");
    dims as = dimsArg(info, 1, "aShape");
    float *b = f32(info, 2, "b");
    dims bs = dimsArg(info, 3, "bShape");
    float *bias = f32OrNull(info, 4, "bias");
    float *y = f32(info, 5, "y");
    bool ta = info[6].ToBoolean(), tb = info[7].ToBoolean();
    int act = static_cast<int>(intArg(info, 8, "activation"));
    float alpha = static_cast<float>(numArg(info, 9, "alpha"));
    const char *op = "matmulForward";
    if (as.size() != 3 || bs.size() != 3)
      throw Napi::TypeError::New(info.Env(), "onednn matmulForward: shapes must be 3-D");
    int64_t M = ta ? as[2] : as[1], K = ta ? as[1] : as[2];
    int64_t K2 = tb ? bs[2] : bs[1], N = tb ? bs[1] : bs[2];
    if (K != K2) throwRange(info, op, "inner dims differ");
    int64_t batch = std::max(as[0], bs[0]);
    if ((as[0] != batch && as[0] != 1) || (bs[0] != batch && bs[0] != 1))
      throwRange(info, op, "batch mismatch");
    expectShape(info, 0, as, op, "a");
    expectShape(info, 2, bs, op, "b");
    if (bias) expectLen(info, 4, N, op, "bias");
    expectShape(info, 5, {batch, M, N}, op, "y");
    memory::desc ad = operand(as[0], M, K, ta), bd = operand(bs[0], K, N, tb);
    memory::desc yd({batch, M, N}, dt::f32, tag::abc);
    memory::desc biasd({1, 1, N}, dt::f32, tag::abc);
    int32_t alphaBits;
    std::memcpy(&alphaBits, &alpha, sizeof alphaBits);
    std::vector<int64_t> key{as[0], as[1], as[2], bs[0], bs[1], bs[2], ta, tb,
                             bias != nullptr, act, alphaBits};
    auto &prim = cache.get(key, [&] {
      post_ops ops;
      appendActivation(ops, act, alpha);
      primitive_attr attr;
      attr.set_post_ops(ops);
      matmul::desc d = bias ? matmul::desc(ad, bd, biasd, yd)
                            : matmul::desc(ad, bd, yd);
      return matmul(matmul::primitive_desc(d, attr, cpuEngine()));
    });
    auto &eng = cpuEngine();
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory(ad, eng, a)},
                                         {DNNL_ARG_WEIGHTS, memory(bd, eng, b)},
                                         {DNNL_ARG_DST, memory(yd, eng, y)}};
    if (bias) args.emplace(DNNL_ARG_BIAS, memory(biasd, eng, bias));
    prim.execute(cpuStream(), args);
    cpuStream().wait();
    applyActivationLoop(y, batch * M * N, act, alpha);
    return info.Env().Undefined();
  });
}

}  // namespace

void initMatmul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmulForward", Napi::Function::New(env, MatmulForward));
}

}  // namespace convkit
