/*
 * Firmware app "model": runs the sample model on every input frame read from the serial line and
 * writes the output frame back. Exits at hang-up.
 *
 * Frames (all tensors int8, row-major):
 *   input frame:  'M' 'I' then TVMGEN_DEFAULT_INPUT_SIZE (16) bytes: the input tensor (1, 16)
 *   output frame: 'M' 'O' then TVMGEN_DEFAULT_OUTPUT_SIZE (4) bytes: the output tensor (1, 4)
 *   error frame:  'M' 'E' then 1 byte: the entry point's return code (two's complement)
 * Bytes outside a frame are skipped until the next 'M' 'I', so a host can resynchronise.
 */
#include "model_config.h"
#include "serial_io.h"
#include "tvmgen_default.h"

_Static_assert(MODEL_WORKSPACE_SIZE_BYTES >= TVMGEN_DEFAULT_WORKSPACE_SIZE,
               "workspace_size_bytes is smaller than TVMGEN_DEFAULT_WORKSPACE_SIZE, the workspace the model needs");

static uint8_t workspace[MODEL_WORKSPACE_SIZE_BYTES];

/* The next byte of the line: 0..255, or -1 at hang-up or error. */
static int next_byte(void) {
  static uint8_t buffer[256];
  static ssize_t filled = 0;
  static ssize_t position = 0;
  if (position == filled) {
    filled = serial_read(buffer, sizeof(buffer));
    position = 0;
    if (filled <= 0) {
      filled = 0;
      return -1;
    }
  }
  return buffer[position++];
}

/* Skip to the next input frame header; 0 when found, -1 at hang-up. */
static int find_header(void) {
  int previous = -1;
  for (;;) {
    int byte = next_byte();
    if (byte < 0) {
      return -1;
    }
    if (previous == 'M' && byte == 'I') {
      return 0;
    }
    previous = byte;
  }
}

int main(void) {
  for (;;) {
    int8_t input[TVMGEN_DEFAULT_INPUT_SIZE];
    uint8_t reply[2 + TVMGEN_DEFAULT_OUTPUT_SIZE] = {'M', 'O'};
    size_t reply_size = sizeof(reply);
    if (find_header() != 0) {
      return 0;
    }
    for (size_t i = 0; i < sizeof(input); ++i) {
      int byte = next_byte();
      if (byte < 0) {
        return 0;
      }
      input[i] = (int8_t)(uint8_t)byte;
    }
    int32_t status = tvmgen_default_run(input, (int8_t*)&reply[2], workspace, sizeof(workspace));
    if (status != TVMGEN_DEFAULT_OK) {
      reply[1] = 'E';
      reply[2] = (uint8_t)status;
      reply_size = 3;
    }
    if (serial_write(reply, reply_size) != 0) {
      return 1;
    }
  }
}
