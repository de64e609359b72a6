/*
 * The sample model: a two-layer int8 dense network (16 -> 8 -> 4) with its weights as C arrays.
 *
 * Hand-written and self-contained, not produced by TVM. The weights were drawn once from a
 * fixed-seed pseudo-random generator (integers in [-127, 127], biases in [-2048, 2048]); the
 * Python reference (microtvm_project_api.sample_model.reference) reads them from this file.
 */
#include "tvmgen_default.h"

/* Requantisation shifts: int32 accumulator -> int8 activation, see tvmgen_default.h. */
#define DENSE1_SHIFT 8
#define DENSE2_SHIFT 7

static const int8_t dense1_weight[8 * 16] = {
      83,  -83,   45,  116, -127, -116,   45,   76,   50,  125,  -92,   97,   28,   -8,   -2,  114,
     -86,   67,  -15,  -19,   71,   87,   18,  -64, -108,   77,   58, -127,   22,   16,   99, -113,
     114,  -91,   36,  -12,  -53,   98, -121,   66,   75,  124,   53,   11,  105,  122,  -37,   23,
     -63, -109, -108,    8,  -62,   85,   37,  -86,  -12,   13,   62,  -45,  -69,   75,  -61,   23,
      45,  -60,  -59,  -34,   79,   20,  -92,    2,  -42, -120,  -50, -116,  -89,  109, -121,  121,
     -55,    5,   72,   -8,   73,  -25,   -5,  -24,   61,   28,    4,   40,  -18,  -74,  -46,   94,
     -78,   76,   90,  -81,  -96,  -76,   85,   89,   -2,   37,  -26,  -78,   62,   97, -108,  -21,
     -85,  102,   25,  112,  -17,  -28,   -3, -100,   -9, -119,   -4,   66,  111,  -22,   19,   66
};

static const int32_t dense1_bias[8] = {
    -1256, -1771, 1976, -288, 932, 2003, -688, -879
};

static const int8_t dense2_weight[4 * 8] = {
      61,   -8,   79,   47,  -45, -119,  -60,   89,
     -24,  -29,  -37,  116,    1,   35,  -44,   22,
    -105, -125, -105,  -92,   88,   13,  -57,  -66,
      48,   67,  -16,   14,    4,  117, -108,  -75
};

static const int32_t dense2_bias[4] = {
    -1768, 1554, -1537, -1998
};

/* floor(value / 2^shift) without relying on how ">>" treats negative numbers (implementation-defined in C). */
static int32_t floor_shift(int32_t value, int shift) {
  if (value >= 0) {
    return value >> shift;
  }
  return -(((-(value + 1)) >> shift) + 1);
}

static int8_t requantise(int32_t accumulator, int shift, int32_t low, int32_t high) {
  int32_t scaled = floor_shift(accumulator + (1 << (shift - 1)), shift);
  if (scaled < low) {
    scaled = low;
  }
  if (scaled > high) {
    scaled = high;
  }
  return (int8_t)scaled;
}

/* One dense layer: out[r] = requantise(bias[r] + weight[r, :] . in), clamped to [low, high]. */
static void dense(const int8_t* in, size_t in_size, const int8_t* weight, const int32_t* bias, size_t out_size,
                  int shift, int32_t low, int8_t* out) {
  for (size_t r = 0; r < out_size; ++r) {
    int32_t accumulator = bias[r];
    for (size_t c = 0; c < in_size; ++c) {
      accumulator += (int32_t)weight[r * in_size + c] * (int32_t)in[c];
    }
    out[r] = requantise(accumulator, shift, low, 127);
  }
}

int32_t tvmgen_default_run(const int8_t* input, int8_t* output, uint8_t* workspace, size_t workspace_size) {
  if (workspace_size < TVMGEN_DEFAULT_WORKSPACE_SIZE) {
    return TVMGEN_DEFAULT_ERROR_WORKSPACE_TOO_SMALL;
  }
  int8_t* hidden = (int8_t*)workspace;
  /* A lower clamp of 0 is the ReLU of the first layer. */
  dense(input, TVMGEN_DEFAULT_INPUT_SIZE, dense1_weight, dense1_bias, TVMGEN_DEFAULT_HIDDEN_SIZE, DENSE1_SHIFT, 0,
        hidden);
  dense(hidden, TVMGEN_DEFAULT_HIDDEN_SIZE, dense2_weight, dense2_bias, TVMGEN_DEFAULT_OUTPUT_SIZE, DENSE2_SHIFT,
        -128, output);
  return TVMGEN_DEFAULT_OK;
}
