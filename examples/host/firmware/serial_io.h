/*
 * Byte I/O of the host firmware's serial line: stdin and stdout, which the platform server
 * attaches to a pseudo-terminal (the host's stand-in for a UART).
 */
#ifndef SERIAL_IO_H_
#define SERIAL_IO_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read up to `size` bytes (blocking until at least one arrives); 0 at end of line (hang-up), -1 on error. */
ssize_t serial_read(uint8_t* buffer, size_t size);

/* Write all `size` bytes; 0 on success, -1 when the line is gone. */
int serial_write(const uint8_t* buffer, size_t size);

#endif /* SERIAL_IO_H_ */
