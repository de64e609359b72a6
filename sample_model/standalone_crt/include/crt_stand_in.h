/* Stand-in for TVM's standalone C runtime headers: see ../README.md. It declares nothing. */
#ifndef MICROTVM_CRT_STAND_IN_H_
#define MICROTVM_CRT_STAND_IN_H_
#endif
