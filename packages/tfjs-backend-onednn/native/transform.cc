// Projective image warp of a float32 NHWC batch (tfjs's Transform kernel,
// tf.image.transform; TensorFlow's ImageProjectiveTransformV3): one row
// [a0 a1 a2 b0 b1 b2 c0 c1] per image (or one for all) maps an output pixel
// (x, y) to the input point ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k),
// k = c0 x + c1 y + 1; nearest or bilinear sampling; points outside the image
// follow the fill mode (constant, reflect, wrap, nearest) as TensorFlow's
// map_coord does, and neighbours outside read the fill value. tfjs-cpu's
// kernel returns after the first image of a batch (tfjs 4.22), so this is
// also the only correct batched one. Used by convkit's data augmentation.
#include <algorithm>
#include <cmath>

#include "common.h"

namespace convkit {
namespace {

enum Fill : int { kConstant = 0, kReflect = 1, kWrap = 2, kNearest = 3 };

// TensorFlow's map_coord (image_ops.h), in float as it is there.
inline float mapCoord(float v, int64_t len, int fill) {
  switch (fill) {
    case kReflect:
      if (v < 0) {
        if (len <= 1) {
          v = 0;
        } else {
          const float sz2 = 2.f * len;
          if (v < sz2) v = sz2 * static_cast<int64_t>(-v / sz2) + v;
          v = v < -len ? v + sz2 : -v - 1;
        }
      } else if (v > len - 1) {
        if (len <= 1) {
          v = 0;
        } else {
          const float sz2 = 2.f * len;
          v -= sz2 * static_cast<int64_t>(v / sz2);
          if (v >= len) v = sz2 - v - 1;
        }
      }
      return std::min(std::max(v, 0.f), static_cast<float>(len - 1));
    case kWrap:
      if (v < 0) {
        if (len <= 1) {
          v = 0;
        } else {
          const float sz = len - 1;
          v += len * (static_cast<int64_t>(-v / sz) + 1);
        }
      } else if (v > len - 1) {
        if (len <= 1) {
          v = 0;
        } else {
          const float sz = len - 1;
          v -= len * static_cast<int64_t>(v / sz);
        }
      }
      return std::min(std::max(v, 0.f), static_cast<float>(len - 1));
    case kNearest:
      return std::min(std::max(v, 0.f), static_cast<float>(len - 1));
    default:
      return v;
  }
}

// transform(x, xShape[N,H,W,C], transforms (8 or 8N), y, outShape[OH,OW], bilinear, fill, fillValue)
Napi::Value Transform(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const float *x = f32(info, 0, "x");
    const dims xs = dimsArg(info, 1, "xShape");
    const float *t = f32(info, 2, "transforms");
    float *y = f32(info, 3, "y");
    const dims os = dimsArg(info, 4, "outShape");
    const bool bilinear = info[5].ToBoolean().Value();
    const int fill = static_cast<int>(intArg(info, 6, "fillMode"));
    const float cval = static_cast<float>(numArg(info, 7, "fillValue"));
    const char *op = "transform";
    if (xs.size() != 4 || os.size() != 2) throwRange(info, op, "x must be NHWC and outShape [height, width]");
    const int64_t n = xs[0], h = xs[1], w = xs[2], c = xs[3], oh = os[0], ow = os[1];
    if (n <= 0 || h <= 0 || w <= 0 || c <= 0 || oh <= 0 || ow <= 0) throwRange(info, op, "empty or negative dimension");
    if (fill < 0 || fill > kNearest) throwRange(info, op, "unknown fill mode " + std::to_string(fill));
    expectShape(info, 0, xs, op, "x");
    expectShape(info, 3, {n, oh, ow, c}, op, "y");
    const int64_t nt = static_cast<int64_t>(f32Len(info, 2));
    if (nt != 8 && nt != 8 * n)
      throwRange(info, op, "transforms has " + std::to_string(nt) + " elements, expected 8 or " + std::to_string(8 * n));
    const bool shared = nt == 8;
#pragma omp parallel for if (n * oh * ow * c >= (1 << 15)) schedule(static)
    for (int64_t row = 0; row < n * oh; ++row) {
      const int64_t b = row / oh, oy = row % oh;
      const float *m = t + (shared ? 0 : 8 * b);
      const float *img = x + b * h * w * c;
      float *out = y + row * ow * c;
      auto read = [&](int64_t r, int64_t col, int64_t ch) -> float {
        return r >= 0 && r < h && col >= 0 && col < w ? img[(r * w + col) * c + ch] : cval;
      };
      for (int64_t ox = 0; ox < ow; ++ox) {
        float *o = out + ox * c;
        const float k = m[6] * ox + m[7] * oy + 1;
        if (k == 0) {
          for (int64_t ch = 0; ch < c; ++ch) o[ch] = cval;
          continue;
        }
        const float ix = mapCoord((m[0] * ox + m[1] * oy + m[2]) / k, w, fill);
        const float iy = mapCoord((m[3] * ox + m[4] * oy + m[5]) / k, h, fill);
        if (!(ix > -2 && ix < w + 1 && iy > -2 && iy < h + 1)) {
          // No neighbour inside (or not a number): the fill value, and no integer overflow below.
          for (int64_t ch = 0; ch < c; ++ch) o[ch] = cval;
          continue;
        }
        if (!bilinear) {
          const int64_t rx = static_cast<int64_t>(std::floor(ix + 0.5f)), ry = static_cast<int64_t>(std::floor(iy + 0.5f));  // JS Math.round
          for (int64_t ch = 0; ch < c; ++ch) o[ch] = read(ry, rx, ch);
          continue;
        }
        const float fx0 = std::floor(ix), fy0 = std::floor(iy);
        const int64_t x0 = static_cast<int64_t>(fx0), y0 = static_cast<int64_t>(fy0);
        const float dx = ix - fx0, dy = iy - fy0;
        if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
          // All four neighbours inside: the common case, no bounds checks.
          const float *p = img + (y0 * w + x0) * c;
          for (int64_t ch = 0; ch < c; ++ch) {
            const float top = (1 - dx) * p[ch] + dx * p[c + ch];
            const float bottom = (1 - dx) * p[w * c + ch] + dx * p[w * c + c + ch];
            o[ch] = (1 - dy) * top + dy * bottom;
          }
        } else {
          for (int64_t ch = 0; ch < c; ++ch) {
            const float top = (1 - dx) * read(y0, x0, ch) + dx * read(y0, x0 + 1, ch);
            const float bottom = (1 - dx) * read(y0 + 1, x0, ch) + dx * read(y0 + 1, x0 + 1, ch);
            o[ch] = (1 - dy) * top + dy * bottom;
          }
        }
      }
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void initTransform(Napi::Env env, Napi::Object exports) {
  exportCodes(env, exports, "fillMode",
              {{"constant", kConstant}, {"reflect", kReflect}, {"wrap", kWrap}, {"nearest", kNearest}});
  exports.Set("transform", Napi::Function::New(env, Transform));
}

}  // namespace convkit
