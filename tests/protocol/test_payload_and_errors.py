"""Payload codecs decode strictly; error objects and exceptions map both ways."""

from __future__ import annotations

import base64
import itertools
import os
import re

import pytest

from microtvm_project_api.protocol import errors
from microtvm_project_api.protocol.payload import BASE64, BASE85, PayloadDecodeError


@pytest.mark.parametrize("codec", [BASE64, BASE85], ids=lambda c: c.name)
@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 1000, 65537])
def test_round_trip(codec, size: int) -> None:
    data = os.urandom(size)
    assert codec.decode(codec.encode(data)) == data


@pytest.mark.parametrize("codec,text", [
    (BASE64, "AAA"), (BASE64, "AA=A"), (BASE64, "AA AA"), (BASE64, "AA\nA="), (BASE64, "!!!!"),
    (BASE64, "AAAA="), (BASE64, "AAAA===="), (BASE64, "A==="), (BASE64, "=AAA"), (BASE64, "AA==AA=="), (BASE64, "AAA\u00e9"),
    (BASE85, "A"), (BASE85, "VPRomV"), (BASE85, "ab\"c"), (BASE85, "ab c"),
    (BASE85, "|NsC1"), (BASE85, "~~~~~"), (BASE85, "|Nt"), (BASE85, "abc\u00e9"), (BASE85, "ab\x00cd"),
], ids=repr)
def test_strict_decoding_rejects(codec, text: str) -> None:
    with pytest.raises(PayloadDecodeError):
        codec.decode(text)


@pytest.mark.parametrize("size", [0, 1, 3, 4, 5, 47, 48, 49, 65535, 65536, 65537, 200003])
def test_base85_encodes_exactly_as_the_stdlib(size: int) -> None:
    data = os.urandom(size)
    assert BASE85.encode(data) == base64.b85encode(data).decode("ascii")


def test_base85_accepts_and_rejects_what_the_stdlib_does() -> None:
    """Every string over the alphabet's edge characters up to 7 long, alone (the short path) and after 13 groups
    (the big-integer path): the same bytes as b85decode, or both refuse (a last group of one character is refused
    here too: it cannot encode a byte)."""
    shorts = [("".join(chars)) for length in range(8) for chars in itertools.product("0~|Ns", repeat=length)]
    for text in shorts + ["00000" * 13 + short for short in shorts]:
        try:
            expected = None if len(text) % 5 == 1 else base64.b85decode(text)
        except ValueError:
            expected = None
        try:
            found = BASE85.decode(text)
        except PayloadDecodeError:
            found = None
        assert found == expected, text


def test_base64_accepts_exactly_the_schema_pattern() -> None:
    """Every string over a few characters (non-ASCII and outside the alphabet included) up to 7 long: decoded
    exactly when the Base64Bytes pattern matches it."""
    pattern = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
    for length in range(8):
        for text in map("".join, itertools.product("A/=\n!\u00e9", repeat=length)):
            try:
                found = BASE64.decode(text)
            except PayloadDecodeError:
                found = None
            assert (found is not None) == bool(pattern.fullmatch(text)), text


def test_named_error_carries_its_name_as_message_and_detail_in_data() -> None:
    exc = errors.IoTimeoutError("no byte within 0.5 s")
    assert exc.to_error_object() == {"code": -32000, "message": "IoTimeoutError", "data": {"detail": "no byte within 0.5 s"}}
    back = errors.error_from_object(exc.to_error_object())
    assert type(back) is errors.IoTimeoutError and back.detail == "no byte within 0.5 s"
    assert str(back) == "IoTimeoutError: no byte within 0.5 s"


@pytest.mark.parametrize("code,cls", [
    (-32700, errors.ParseError), (-32600, errors.InvalidRequestError), (-32601, errors.MethodNotFoundError),
    (-32602, errors.InvalidParamsError), (-32603, errors.InternalError), (-32000, errors.ServerError),
    (-31999, errors.ServerError), (42, errors.ServerError),
])
def test_error_objects_map_to_classes_keeping_the_code(code: int, cls: type) -> None:
    exc = errors.error_from_object({"code": code, "message": "boom", "data": {"traceback": "tb"}})
    assert type(exc) is cls and exc.code == code and exc.server_traceback == "tb"


@pytest.mark.parametrize("text", ["~~~~~", "00000~~~~~", "0" * 5 * 20000 + "~~~~~" + "00000", "ab\"c0", "0" * 100003 + " 0"], ids=lambda t: t[:12])
def test_base85_errors_name_the_place_as_the_stdlib_does(text: str) -> None:
    with pytest.raises(ValueError) as stdlib:
        base64.b85decode(text)
    with pytest.raises(PayloadDecodeError) as ours:
        BASE85.decode(text)
    assert str(ours.value) == f"not base85: {stdlib.value}"
