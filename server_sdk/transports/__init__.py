"""Byte transports with the protocol's deadline semantics: file descriptors, a child process, a serial port."""
