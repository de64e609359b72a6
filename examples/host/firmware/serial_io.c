/* Byte I/O of the host firmware's serial line (see serial_io.h): read(2)/write(2), retrying on EINTR. */
#define _POSIX_C_SOURCE 200809L

#include "serial_io.h"

#include <errno.h>
#include <unistd.h>

ssize_t serial_read(uint8_t* buffer, size_t size) {
  for (;;) {
    ssize_t got = read(STDIN_FILENO, buffer, size);
    if (got >= 0) {
      return got;
    }
    if (errno == EIO) {
      return 0; /* a pseudo-terminal whose other side closed: the cable was pulled */
    }
    if (errno != EINTR) {
      return -1;
    }
  }
}

int serial_write(const uint8_t* buffer, size_t size) {
  while (size > 0) {
    ssize_t written = write(STDOUT_FILENO, buffer, size);
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return -1;
    }
    buffer += written;
    size -= (size_t)written;
  }
  return 0;
}
