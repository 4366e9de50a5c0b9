// Bilinear sampling of an NHWC image at normalised grid points, PyTorch's grid_sample with
// mode 'bilinear', padding_mode 'zeros', align_corners False: grid [B, Ho, Wo, 2] holds (x, y)
// in [-1, 1] (-1 the left/top edge of the first pixel, +1 the right/bottom edge of the last);
// the point (x, y) reads pixel coordinates ix = ((x + 1) W - 1) / 2, iy = ((y + 1) H - 1) / 2
// and blends its four neighbours, a neighbour outside the image reading 0. The backward gives
// the gradient with respect to the image (each output's dy scattered back onto its four
// neighbours) and to the grid (the slope of the bilinear blend, times W/2 and H/2). The spatial
// transformer's sampler (oneDNN has no such primitive). A non-finite grid point gives NaN
// (its output and its grid gradient), so a diverging localisation network shows in the loss.
#include <cmath>
#include <limits>

#include "common.h"

namespace convkit {
namespace {

struct Geometry {
  int64_t B, H, W, C, Ho, Wo;
};

// The four neighbours of one grid point: their flat pixel offsets in the image (-1 outside)
// and bilinear weights; the weights' partial derivatives along ix and iy.
struct Corners {
  int64_t at[4];    // nw, ne, sw, se
  float w[4];
  float dwx[4], dwy[4];
  bool nan;
};

inline Corners corners(float gx, float gy, int64_t H, int64_t W) {
  Corners c;
  const float ix = ((gx + 1.f) * static_cast<float>(W) - 1.f) * 0.5f;
  const float iy = ((gy + 1.f) * static_cast<float>(H) - 1.f) * 0.5f;
  c.nan = !std::isfinite(ix) || !std::isfinite(iy);
  const float x0f = std::floor(ix), y0f = std::floor(iy);
  // Far outside (or NaN): every neighbour reads 0; clamping keeps the int conversion defined.
  const bool outside = c.nan || x0f < -1.f || x0f > static_cast<float>(W - 1) || y0f < -1.f ||
                       y0f > static_cast<float>(H - 1);
  const float tx = outside ? 0.f : ix - x0f, ty = outside ? 0.f : iy - y0f;  // in [0, 1)
  const int64_t x0 = outside ? -2 : static_cast<int64_t>(x0f);
  const int64_t y0 = outside ? -2 : static_cast<int64_t>(y0f);
  const int64_t xs[4] = {x0, x0 + 1, x0, x0 + 1}, ys[4] = {y0, y0, y0 + 1, y0 + 1};
  const float wx[4] = {1.f - tx, tx, 1.f - tx, tx}, wy[4] = {1.f - ty, 1.f - ty, ty, ty};
  const float sx[4] = {-1.f, 1.f, -1.f, 1.f}, sy[4] = {-1.f, -1.f, 1.f, 1.f};
  for (int k = 0; k < 4; ++k) {
    const bool in = xs[k] >= 0 && xs[k] < W && ys[k] >= 0 && ys[k] < H;
    c.at[k] = in ? ys[k] * W + xs[k] : -1;
    c.w[k] = wx[k] * wy[k];
    c.dwx[k] = sx[k] * wy[k];
    c.dwy[k] = wx[k] * sy[k];
  }
  return c;
}

// Reads B, H, W, C, Ho, Wo (arguments first..first+5) and checks the buffers' lengths.
Geometry geometry(const Napi::CallbackInfo &info, size_t first, const char *op) {
  Geometry g{intArg(info, first, "batch"),      intArg(info, first + 1, "height"),
             intArg(info, first + 2, "width"),  intArg(info, first + 3, "channels"),
             intArg(info, first + 4, "outHeight"), intArg(info, first + 5, "outWidth")};
  if (g.B < 1 || g.H < 1 || g.W < 1 || g.C < 1 || g.Ho < 1 || g.Wo < 1)
    throwRange(info, op, "every dimension must be >= 1");
  return g;
}

// gridSampleForward(x, grid, y, B, H, W, C, Ho, Wo)
Napi::Value GridSampleForward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const char *op = "gridSampleForward";
    const float *x = f32(info, 0, "x"), *grid = f32(info, 1, "grid");
    float *y = f32(info, 2, "y");
    const Geometry g = geometry(info, 3, op);
    expectShape(info, 0, {g.B, g.H, g.W, g.C}, op, "x");
    expectShape(info, 1, {g.B, g.Ho, g.Wo, 2}, op, "grid");
    expectShape(info, 2, {g.B, g.Ho, g.Wo, g.C}, op, "y");
    const int64_t points = g.B * g.Ho * g.Wo, C = g.C;
#pragma omp parallel for if (points * C >= (1 << 15)) schedule(static)
    for (int64_t p = 0; p < points; ++p) {
      const int64_t b = p / (g.Ho * g.Wo);
      const Corners c = corners(grid[2 * p], grid[2 * p + 1], g.H, g.W);
      float *yp = y + p * C;
      if (c.nan) {
        for (int64_t ch = 0; ch < C; ++ch) yp[ch] = std::numeric_limits<float>::quiet_NaN();
        continue;
      }
      for (int64_t ch = 0; ch < C; ++ch) yp[ch] = 0.f;
      const float *xb = x + b * g.H * g.W * C;
      for (int k = 0; k < 4; ++k) {
        if (c.at[k] < 0) continue;
        const float *xk = xb + c.at[k] * C;
        for (int64_t ch = 0; ch < C; ++ch) yp[ch] += c.w[k] * xk[ch];
      }
    }
    return info.Env().Undefined();
  });
}

// gridSampleBackward(x, grid, dy, dx, dgrid, B, H, W, C, Ho, Wo)
Napi::Value GridSampleBackward(const Napi::CallbackInfo &info) {
  return guarded(info, [&]() -> Napi::Value {
    const char *op = "gridSampleBackward";
    const float *x = f32(info, 0, "x"), *grid = f32(info, 1, "grid"), *dy = f32(info, 2, "dy");
    float *dx = f32(info, 3, "dx"), *dgrid = f32(info, 4, "dgrid");
    const Geometry g = geometry(info, 5, op);
    expectShape(info, 0, {g.B, g.H, g.W, g.C}, op, "x");
    expectShape(info, 1, {g.B, g.Ho, g.Wo, 2}, op, "grid");
    expectShape(info, 2, {g.B, g.Ho, g.Wo, g.C}, op, "dy");
    expectShape(info, 3, {g.B, g.H, g.W, g.C}, op, "dx");
    expectShape(info, 4, {g.B, g.Ho, g.Wo, 2}, op, "dgrid");
    const int64_t C = g.C, image = g.H * g.W * C, outPoints = g.Ho * g.Wo;
    const float halfW = 0.5f * static_cast<float>(g.W), halfH = 0.5f * static_cast<float>(g.H);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    // One image per iteration: dx of image b gets only its own points' scatter, in a fixed
    // order, so the result does not depend on the number of threads.
#pragma omp parallel for if (g.B * outPoints * C >= (1 << 14)) schedule(static)
    for (int64_t b = 0; b < g.B; ++b) {
      float *dxb = dx + b * image;
      const float *xb = x + b * image;
      for (int64_t i = 0; i < image; ++i) dxb[i] = 0.f;
      for (int64_t q = 0; q < outPoints; ++q) {
        const int64_t p = b * outPoints + q;
        const Corners c = corners(grid[2 * p], grid[2 * p + 1], g.H, g.W);
        const float *dyp = dy + p * C;
        if (c.nan) {
          dgrid[2 * p] = dgrid[2 * p + 1] = nan;  // dx: the point reads no pixel
          continue;
        }
        float gx = 0.f, gy = 0.f;
        for (int k = 0; k < 4; ++k) {
          if (c.at[k] < 0) continue;
          const float *xk = xb + c.at[k] * C;
          float *dxk = dxb + c.at[k] * C;
          float dot = 0.f;
          for (int64_t ch = 0; ch < C; ++ch) {
            dxk[ch] += c.w[k] * dyp[ch];
            dot += xk[ch] * dyp[ch];
          }
          gx += c.dwx[k] * dot;
          gy += c.dwy[k] * dot;
        }
        dgrid[2 * p] = gx * halfW;
        dgrid[2 * p + 1] = gy * halfH;
      }
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void initGridSample(Napi::Env env, Napi::Object exports) {
  exports.Set("gridSampleForward", Napi::Function::New(env, GridSampleForward));
  exports.Set("gridSampleBackward", Napi::Function::New(env, GridSampleBackward));
}

}  // namespace convkit
