"""Transport payload codecs: base85 in revision 1, base64 in revision 2; both decode strictly."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Callable

Bytes = bytes | bytearray | memoryview
"""What an encoder takes: any bytes-like buffer."""


class PayloadDecodeError(ValueError):
    """The `data` string is not valid in the revision's encoding."""


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PayloadDecodeError(f"not canonical base64: {exc}") from None


B85_CHUNK_BYTES = 1024 * 1024
"""CPython's base85 codec holds one Python object per 4-byte group: it runs on slices of this many bytes
(a multiple of 4; 5/4 as many characters) so a 16 MiB payload costs tens of MiB, not hundreds."""


def _b85encode(data: Bytes) -> bytes:
    if len(data) <= B85_CHUNK_BYTES:
        return base64.b85encode(data)
    view = memoryview(data)
    return b"".join(base64.b85encode(view[at:at + B85_CHUNK_BYTES]) for at in range(0, len(view), B85_CHUNK_BYTES))


def _b85decode(text: str) -> bytes:
    if len(text) % 5 == 1:
        raise PayloadDecodeError("not base85: a last group of one character cannot encode a byte")
    step = B85_CHUNK_BYTES // 4 * 5
    try:
        if len(text) <= step:
            return base64.b85decode(text)
        return b"".join(base64.b85decode(text[at:at + step]) for at in range(0, len(text), step))
    except ValueError as exc:
        raise PayloadDecodeError(f"not base85: {exc}") from None


@dataclass(frozen=True)
class PayloadCodec:
    """How `data` members are encoded in one protocol revision."""

    name: str
    encode_bytes: Callable[[Bytes], bytes]
    decode_text: Callable[[str], bytes]

    def encode(self, data: Bytes) -> str:
        """Bytes to the wire string."""
        return self.encode_bytes(data).decode("ascii")

    def decode(self, text: str) -> bytes:
        """Wire string to bytes; PayloadDecodeError on anything outside the alphabet or padding rules."""
        return self.decode_text(text)


BASE64 = PayloadCodec("base64", base64.b64encode, _b64decode)
BASE85 = PayloadCodec("base85", _b85encode, _b85decode)
CODECS = {"base64": BASE64, "base85": BASE85}
