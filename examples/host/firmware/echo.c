/*
 * Firmware app "echo": every byte read from the serial line is written back, unchanged and in
 * order. The conformance kit's echo-device checks rely on exactly this. Exits at hang-up.
 */
#include "serial_io.h"

int main(void) {
  uint8_t buffer[4096];
  for (;;) {
    ssize_t got = serial_read(buffer, sizeof(buffer));
    if (got == 0) {
      return 0;
    }
    if (got < 0 || serial_write(buffer, (size_t)got) != 0) {
      return 1;
    }
  }
}
