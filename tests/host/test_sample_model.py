"""The sample model: compiled C against the Python reference, and the archive's members against the network."""

from __future__ import annotations

import json
import random
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from microtvm_project_api.sample_model import INPUT_SIZE, OUTPUT_SIZE, run, standalone_crt_dir, write_mlf_archive
from microtvm_project_api.sample_model.frames import FrameError, input_frame, parse_output_frame
from microtvm_project_api.sample_model.reference import MODEL_HEADER, MODEL_SOURCE, load_weights, requantise

HARNESS = Path(__file__).parent / "model_harness.c"


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The model's C source compiled with the system cc into a stdin-to-stdout batch runner."""
    binary = tmp_path_factory.mktemp("harness") / "model_harness"
    subprocess.run(
        ["cc", "-std=c11", "-O2", "-Wall", "-Wextra", "-pedantic", "-Werror", f"-I{MODEL_HEADER.parent}", str(HARNESS), str(MODEL_SOURCE), "-o", str(binary)],
        check=True,
        capture_output=True,
    )
    return binary


def test_compiled_c_matches_python_reference_bit_for_bit(harness: Path) -> None:
    rng = random.Random(6)
    inputs = [bytes([0x80] * INPUT_SIZE), bytes([0x7F] * INPUT_SIZE), bytes(INPUT_SIZE)]
    inputs += [bytes(rng.randrange(256) for _ in range(INPUT_SIZE)) for _ in range(3000)]
    completed = subprocess.run([str(harness)], input=b"".join(inputs), capture_output=True, check=True, timeout=60)
    outputs = [completed.stdout[i : i + OUTPUT_SIZE] for i in range(0, len(completed.stdout), OUTPUT_SIZE)]
    assert len(outputs) == len(inputs)
    mismatches = [(x.hex(), y.hex(), run(x).hex()) for x, y in zip(inputs, outputs) if run(x) != y]
    assert mismatches == []
    assert len({bytes(o) for o in outputs}) > 100, "the outputs should vary with the input"


def test_requantise_rounds_half_up_and_clamps() -> None:
    assert requantise(127, 8, -128) == 0
    assert requantise(128, 8, -128) == 1
    assert requantise(-129, 8, -128) == -1
    assert requantise(-128, 8, -128) == 0
    assert requantise(10**6, 8, -128) == 127
    assert requantise(-(10**6), 8, 0) == 0


def test_reference_rejects_a_wrong_input_size() -> None:
    with pytest.raises(ValueError, match="16 int8 elements, got 3 bytes"):
        run(b"abc")


def test_archive_is_deterministic_and_complete(tmp_path: Path) -> None:
    first = write_mlf_archive(tmp_path / "a.tar").read_bytes()
    second = write_mlf_archive(tmp_path / "b.tar").read_bytes()
    assert first == second
    with tarfile.open(tmp_path / "a.tar") as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert all(m.isfile() and m.size > 0 and m.mtime == members["metadata.json"].mtime for m in members.values())
        assert tar.extractfile("codegen/host/src/default_lib0.c").read() == MODEL_SOURCE.read_bytes()
        assert b"not produced by TVM" in tar.extractfile("README.md").read()
        metadata = json.loads(tar.extractfile("metadata.json").read())
        graph = json.loads(tar.extractfile("executor-config/graph/default.graph").read())
        relay = tar.extractfile("src/default.relay").read().decode()
        params = tar.extractfile("parameters/default.params").read()
    assert set(members) >= {
        "metadata.json",
        "codegen/host/include/tvmgen_default.h",
        "parameters/default.params",
        "src/default.relay",
        "executor-config/graph/default.graph",
        "templates/model_config.h.template",
    }
    assert metadata["version"] == 7
    module = metadata["modules"]["default"]
    assert (module["style"], module["model_name"], module["executors"]) == ("full-model", "default", ["graph"])
    assert graph["attrs"]["shape"][1][0] == [1, INPUT_SIZE] and graph["attrs"]["shape"][1][-1] == [1, OUTPUT_SIZE]
    assert "right_shift(%2, 8)" in relay and "right_shift(%8, 7)" in relay
    assert _read_params(params) == _expected_params()


def _expected_params() -> dict[str, tuple[int, ...]]:
    w = load_weights()
    return {"dense1_weight": w.dense1_weight, "dense1_bias": w.dense1_bias, "dense2_weight": w.dense2_weight, "dense2_bias": w.dense2_bias}


def _read_params(blob: bytes) -> dict[str, tuple[int, ...]]:
    """Parse the parameter file independently of the writer: names, then arrays, each checked for its header."""
    magic, _, count = struct.unpack_from("<QQQ", blob, 0)
    assert magic == 0xF7E58D4F05049CB7
    offset, names = 24, []
    for _ in range(count):
        (length,) = struct.unpack_from("<Q", blob, offset)
        names.append(blob[offset + 8 : offset + 8 + length].decode())
        offset += 8 + length
    (arrays,) = struct.unpack_from("<Q", blob, offset)
    offset += 8
    assert arrays == count
    values = []
    for _ in range(count):
        array_magic, _, _, _, ndim, code, bits, lanes = struct.unpack_from("<QQiiiBBH", blob, offset)
        assert (array_magic, code, lanes) == (0xDD5E40F096B4A13F, 0, 1)
        offset += 32 + 8 * ndim
        (size,) = struct.unpack_from("<q", blob, offset)
        data = blob[offset + 8 : offset + 8 + size]
        offset += 8 + size
        width = bits // 8
        values.append(tuple(int.from_bytes(data[i : i + width], "little", signed=True) for i in range(0, size, width)))
    assert offset == len(blob)
    return dict(zip(names, values))


def test_the_module_writes_the_archive_from_the_command_line(tmp_path: Path) -> None:
    completed = subprocess.run([sys.executable, "-m", "microtvm_project_api.sample_model", str(tmp_path / "m.tar")],
                               capture_output=True, text=True, check=True, timeout=60)
    assert completed.stdout.startswith(f"{tmp_path / 'm.tar'}: the sample model")
    assert (tmp_path / "m.tar").read_bytes() == write_mlf_archive(tmp_path / "again.tar").read_bytes()


def test_standalone_crt_dir_is_a_real_directory() -> None:
    readme = standalone_crt_dir() / "README.md"
    assert standalone_crt_dir().is_dir() and "does not use TVM's runtime" in readme.read_text()


def test_frames_carry_tensors_and_refuse_errors_and_garbage() -> None:
    assert input_frame(bytes(range(16))) == b"MI" + bytes(range(16))
    assert parse_output_frame(b"MO\x01\x02\xfe\x7f") == b"\x01\x02\xfe\x7f"
    with pytest.raises(FrameError, match="the firmware's model returned error code -1"):
        parse_output_frame(b"ME\xff")
    with pytest.raises(FrameError, match=r"expected an output frame \(b'MO' \+ 4 bytes\), got b'XO\\x01\\x02\\x03\\x04'"):
        parse_output_frame(b"XO\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="16 int8 elements, got 2 bytes"):
        input_frame(b"ab")
