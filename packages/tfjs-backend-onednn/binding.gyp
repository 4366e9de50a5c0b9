{
  "targets": [
    {
      "target_name": "convkit_onednn",
      "sources": [
        "native/addon.cc",
        "native/conv2d.cc",
        "native/pool.cc",
        "native/matmul.cc",
        "native/eltwise.cc",
        "native/reduce.cc",
        "native/softmax.cc",
        "native/adam.cc",
        "native/dropout.cc",
        "native/batchnorm.cc",
        "native/tile.cc",
        "native/transform.cc",
        "native/plan.cc",
        "native/layernorm.cc",
        "native/gelu.cc",
        "native/attention.cc",
        "native/transpose.cc",
        "native/compare.cc",
        "native/gridsample.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-O3"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-O3"],
      # -fno-math-errno: sqrt becomes an instruction, so loops using it vectorise.
      # -ffp-contract=off: no FMA contraction in the AVX2/AVX-512 target_clones,
      # so the hand-written loops give the same bits on every ISA.
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O2", "-fopenmp", "-fno-math-errno",
                    "-ffp-contract=off"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
