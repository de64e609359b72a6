"""The sample model's integer computation in Python, bit-exact with codegen/default_lib0.c.

The weights, biases and shifts are read from the C source itself, so the C file is their only
copy; the arithmetic is written out again here (int32 accumulate, round-half-up floor shift,
clamp) so that a test can hold the compiled C against an independent implementation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CODEGEN_DIR = Path(__file__).parent / "codegen"
MODEL_SOURCE = CODEGEN_DIR / "default_lib0.c"
MODEL_HEADER = CODEGEN_DIR / "tvmgen_default.h"
INPUT_SIZE = 16
HIDDEN_SIZE = 8
OUTPUT_SIZE = 4
WORKSPACE_SIZE = HIDDEN_SIZE

_ARRAY = re.compile(r"static const (int8_t|int32_t) (\w+)\[([^\]]*)\] = \{([^}]*)\};")
_DEFINE = re.compile(r"#define (\w+_SHIFT) (\d+)")


@dataclass(frozen=True)
class Weights:
    """The network's parameters: row-major weight matrices, int32 biases, requantisation shifts."""

    dense1_weight: tuple[int, ...]
    dense1_bias: tuple[int, ...]
    dense2_weight: tuple[int, ...]
    dense2_bias: tuple[int, ...]
    dense1_shift: int
    dense2_shift: int


@lru_cache(maxsize=1)
def load_weights(source: Path = MODEL_SOURCE) -> Weights:
    """Parse the parameter arrays and shifts out of the model's C source, checking their sizes."""
    text = source.read_text(encoding="utf-8")
    arrays = {name: tuple(int(v) for v in body.replace("\n", " ").split(",")) for _, name, _, body in _ARRAY.findall(text)}
    shifts = {name: int(value) for name, value in _DEFINE.findall(text)}
    weights = Weights(
        dense1_weight=arrays["dense1_weight"],
        dense1_bias=arrays["dense1_bias"],
        dense2_weight=arrays["dense2_weight"],
        dense2_bias=arrays["dense2_bias"],
        dense1_shift=shifts["DENSE1_SHIFT"],
        dense2_shift=shifts["DENSE2_SHIFT"],
    )
    expected = {
        "dense1_weight": HIDDEN_SIZE * INPUT_SIZE,
        "dense1_bias": HIDDEN_SIZE,
        "dense2_weight": OUTPUT_SIZE * HIDDEN_SIZE,
        "dense2_bias": OUTPUT_SIZE,
    }
    for name, size in expected.items():
        if len(getattr(weights, name)) != size:
            raise ValueError(f"{source}: {name} has {len(getattr(weights, name))} values, expected {size}")
    return weights


def requantise(accumulator: int, shift: int, low: int, high: int = 127) -> int:
    """Round half up and divide by 2**shift (Python's >> floors, like the C code), then clamp."""
    return max(low, min(high, (accumulator + (1 << (shift - 1))) >> shift))


def _dense(values: list[int], weight: tuple[int, ...], bias: tuple[int, ...], shift: int, low: int) -> list[int]:
    width = len(values)
    return [
        requantise(bias[r] + sum(weight[r * width + c] * values[c] for c in range(width)), shift, low)
        for r in range(len(bias))
    ]


def run(input_tensor: bytes) -> bytes:
    """The model's output (4 int8 as bytes) for one input (16 int8 as bytes), as the C entry point computes it."""
    if len(input_tensor) != INPUT_SIZE:
        raise ValueError(f"the input tensor has {INPUT_SIZE} int8 elements, got {len(input_tensor)} bytes")
    weights = load_weights()
    values = [int.from_bytes(input_tensor[i : i + 1], "little", signed=True) for i in range(INPUT_SIZE)]
    hidden = _dense(values, weights.dense1_weight, weights.dense1_bias, weights.dense1_shift, low=0)
    output = _dense(hidden, weights.dense2_weight, weights.dense2_bias, weights.dense2_shift, low=-128)
    return bytes(v & 0xFF for v in output)
