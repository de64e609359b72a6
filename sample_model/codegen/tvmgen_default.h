/*
 * The sample model's interface: a two-layer int8 dense network, 16 -> 8 -> 4.
 *
 * Hand-written, self-contained C (no TVM runtime needed); it follows the naming of TVM's
 * generated interface header so that firmware written against it reads like real microTVM code.
 */
#ifndef TVMGEN_DEFAULT_H_
#define TVMGEN_DEFAULT_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Elements of the input tensor: shape (1, 16), int8. */
#define TVMGEN_DEFAULT_INPUT_SIZE 16
/* Elements of the hidden activation: shape (1, 8), int8 (lives in the workspace). */
#define TVMGEN_DEFAULT_HIDDEN_SIZE 8
/* Elements of the output tensor: shape (1, 4), int8. */
#define TVMGEN_DEFAULT_OUTPUT_SIZE 4
/* Bytes of scratch memory tvmgen_default_run needs: the hidden activation. */
#define TVMGEN_DEFAULT_WORKSPACE_SIZE TVMGEN_DEFAULT_HIDDEN_SIZE

/* Return codes of tvmgen_default_run. */
#define TVMGEN_DEFAULT_OK 0
#define TVMGEN_DEFAULT_ERROR_WORKSPACE_TOO_SMALL (-1)

/*
 * Run the network on one input.
 *
 *   hidden[j] = clamp((b1[j] + sum_i W1[j][i] * input[i] + 2^(S1-1)) >> S1, 0, 127)   (ReLU)
 *   output[k] = clamp((b2[k] + sum_j W2[k][j] * hidden[j] + 2^(S2-1)) >> S2, -128, 127)
 *
 * Accumulation is in int32; ">>" is a floor division by a power of two (round half up after
 * adding 2^(S-1)); S1 = 8, S2 = 7. `workspace` must hold TVMGEN_DEFAULT_WORKSPACE_SIZE bytes.
 * Returns TVMGEN_DEFAULT_OK, or TVMGEN_DEFAULT_ERROR_WORKSPACE_TOO_SMALL (output untouched).
 */
int32_t tvmgen_default_run(const int8_t* input, int8_t* output, uint8_t* workspace, size_t workspace_size);

#ifdef __cplusplus
}
#endif

#endif /* TVMGEN_DEFAULT_H_ */
