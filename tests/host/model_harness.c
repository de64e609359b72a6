/* Test harness: run the sample model on every 16-byte input read from stdin, write each 4-byte output to stdout. */
#include <stdio.h>

#include "tvmgen_default.h"

int main(void) {
  int8_t input[TVMGEN_DEFAULT_INPUT_SIZE];
  int8_t output[TVMGEN_DEFAULT_OUTPUT_SIZE];
  uint8_t workspace[TVMGEN_DEFAULT_WORKSPACE_SIZE];
  while (fread(input, 1, sizeof(input), stdin) == sizeof(input)) {
    if (tvmgen_default_run(input, output, workspace, sizeof(workspace)) != TVMGEN_DEFAULT_OK) {
      return 2;
    }
    fwrite(output, 1, sizeof(output), stdout);
  }
  return 0;
}
