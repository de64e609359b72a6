"""The Model Library Format members that describe the sample network: metadata, Relay, graph, parameters.

Each is computed from the weights in the C source (reference.load_weights) so that every member
describes the same network; the bytes are deterministic (sorted keys, no clock).
"""

from __future__ import annotations

import json
import struct
from typing import Any

from microtvm_project_api.sample_model.reference import HIDDEN_SIZE, INPUT_SIZE, OUTPUT_SIZE, WORKSPACE_SIZE, Weights

MODULE_NAME = "default"
MLF_VERSION = 7
EXPORT_DATETIME = "2026-01-01 00:00:00Z"
TARGET = "c -keys=cpu -model=host"
ENTRY_POINT = "tvmgen_default_run"

# Magic numbers of TVM's parameter file layout (a list of named NDArrays).
PARAMS_LIST_MAGIC = 0xF7E58D4F05049CB7
NDARRAY_MAGIC = 0xDD5E40F096B4A13F
DL_CPU = 1
DL_INT = 0


def _parameters(weights: Weights) -> list[tuple[str, str, tuple[int, ...], tuple[int, ...]]]:
    """(name, dtype, shape, values) of each parameter, in the entry point's argument order."""
    return [
        ("dense1_weight", "int8", (HIDDEN_SIZE, INPUT_SIZE), weights.dense1_weight),
        ("dense1_bias", "int32", (HIDDEN_SIZE,), weights.dense1_bias),
        ("dense2_weight", "int8", (OUTPUT_SIZE, HIDDEN_SIZE), weights.dense2_weight),
        ("dense2_bias", "int32", (OUTPUT_SIZE,), weights.dense2_bias),
    ]


def _dtype_bytes(dtype: str) -> int:
    return {"int8": 1, "int32": 4}[dtype]


def metadata_json(weights: Weights) -> bytes:
    """metadata.json: version 7, one full-model module with its memory, target and executor."""
    constants = sum(len(values) * _dtype_bytes(dtype) for _, dtype, _, values in _parameters(weights))
    main = {
        "constants_size_bytes": constants,
        "device": DL_CPU,
        "inputs": {"input": {"dtype": "int8", "size": INPUT_SIZE}},
        "outputs": {"output": {"dtype": "int8", "size": OUTPUT_SIZE}},
        "workspace_size_bytes": WORKSPACE_SIZE,
    }
    operator = {"function_name": ENTRY_POINT, "workspace": [{"device": DL_CPU, "workspace_size_bytes": WORKSPACE_SIZE}]}
    module = {
        "executors": ["graph"],
        "export_datetime": EXPORT_DATETIME,
        "memory": {"functions": {"main": [main], "operator_functions": [operator]}},
        "model_name": MODULE_NAME,
        "style": "full-model",
        "target": [TARGET],
    }
    return _json_bytes({"modules": {MODULE_NAME: module}, "version": MLF_VERSION})


def relay_text(weights: Weights) -> bytes:
    """src/default.relay: the network in Relay text, the requantisation spelled out as add, right_shift, clip, cast."""
    s1, s2 = weights.dense1_shift, weights.dense2_shift
    lines = [
        '#[version = "0.0.5"]',
        f"def @main(%input: Tensor[(1, {INPUT_SIZE}), int8], "
        f"%dense1_weight: Tensor[({HIDDEN_SIZE}, {INPUT_SIZE}), int8], %dense1_bias: Tensor[({HIDDEN_SIZE}), int32], "
        f"%dense2_weight: Tensor[({OUTPUT_SIZE}, {HIDDEN_SIZE}), int8], %dense2_bias: Tensor[({OUTPUT_SIZE}), int32]) "
        f"-> Tensor[(1, {OUTPUT_SIZE}), int8] {{",
        f'  %0 = nn.dense(%input, %dense1_weight, units={HIDDEN_SIZE}, out_dtype="int32");',
        "  %1 = nn.bias_add(%0, %dense1_bias, axis=1);",
        f"  %2 = add(%1, {1 << (s1 - 1)});",
        f"  %3 = right_shift(%2, {s1});",
        "  %4 = clip(%3, a_min=0f, a_max=127f) /* requantise and ReLU */;",
        '  %5 = cast(%4, dtype="int8");',
        f'  %6 = nn.dense(%5, %dense2_weight, units={OUTPUT_SIZE}, out_dtype="int32");',
        "  %7 = nn.bias_add(%6, %dense2_bias, axis=1);",
        f"  %8 = add(%7, {1 << (s2 - 1)});",
        f"  %9 = right_shift(%8, {s2});",
        "  %10 = clip(%9, a_min=-128f, a_max=127f);",
        '  cast(%10, dtype="int8")',
        "}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def graph_json(weights: Weights) -> bytes:
    """executor-config/graph/default.graph: graph-executor JSON, the input and parameters feeding one fused operator."""
    parameters = _parameters(weights)
    args = [("input", "int8", [1, INPUT_SIZE])] + [(name, dtype, list(shape)) for name, dtype, shape, _ in parameters]
    nodes: list[dict[str, Any]] = [{"inputs": [], "name": name, "op": "null"} for name, _, _ in args]
    nodes.append(
        {
            "attrs": {
                "flatten_data": "0",
                "func_name": ENTRY_POINT,
                "num_inputs": str(len(args)),
                "num_outputs": "1",
            },
            "inputs": [[i, 0, 0] for i in range(len(args))],
            "name": ENTRY_POINT,
            "op": "tvm_op",
        }
    )
    graph = {
        "arg_nodes": list(range(len(args))),
        "attrs": {
            "dltype": ["list_str", [dtype for _, dtype, _ in args] + ["int8"]],
            "shape": ["list_shape", [shape for _, _, shape in args] + [[1, OUTPUT_SIZE]]],
            "storage_id": ["list_int", list(range(len(nodes)))],
        },
        "heads": [[len(args), 0, 0]],
        "node_row_ptr": list(range(len(nodes) + 1)),
        "nodes": nodes,
    }
    return _json_bytes(graph)


def params_bytes(weights: Weights) -> bytes:
    """parameters/default.params in the layout of TVM's parameter files, all integers little-endian.

    u64 list magic, u64 reserved, u64 name count, per name (u64 length, UTF-8 bytes), u64 array count,
    per array: u64 array magic, u64 reserved, i32 device type, i32 device id, i32 ndim,
    u8 type code, u8 bits, u16 lanes, i64 shape[ndim], i64 byte size, the data.
    """
    parameters = _parameters(weights)
    out = [struct.pack("<QQQ", PARAMS_LIST_MAGIC, 0, len(parameters))]
    for name, _, _, _ in parameters:
        encoded = name.encode("utf-8")
        out.append(struct.pack("<Q", len(encoded)) + encoded)
    out.append(struct.pack("<Q", len(parameters)))
    for _, dtype, shape, values in parameters:
        width = _dtype_bytes(dtype)
        data = b"".join(v.to_bytes(width, "little", signed=True) for v in values)
        out.append(struct.pack("<QQiii", NDARRAY_MAGIC, 0, DL_CPU, 0, len(shape)))
        out.append(struct.pack("<BBH", DL_INT, width * 8, 1))
        out.append(struct.pack(f"<{len(shape)}q", *shape))
        out.append(struct.pack("<q", len(data)) + data)
    return b"".join(out)


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode("utf-8")
