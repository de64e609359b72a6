"""Transport payload codecs: base85 in revision 1, base64 in revision 2; both decode strictly."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Callable


class PayloadDecodeError(ValueError):
    """The `data` string is not valid in the revision's encoding."""


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PayloadDecodeError(f"not canonical base64: {exc}") from None


def _b85decode(text: str) -> bytes:
    if len(text) % 5 == 1:
        raise PayloadDecodeError("not base85: a last group of one character cannot encode a byte")
    try:
        return base64.b85decode(text)
    except ValueError as exc:
        raise PayloadDecodeError(f"not base85: {exc}") from None


@dataclass(frozen=True)
class PayloadCodec:
    """How `data` members are encoded in one protocol revision."""

    name: str
    encode_bytes: Callable[[bytes], bytes]
    decode_text: Callable[[str], bytes]

    def encode(self, data: bytes) -> str:
        """Bytes to the wire string."""
        return self.encode_bytes(data).decode("ascii")

    def decode(self, text: str) -> bytes:
        """Wire string to bytes; PayloadDecodeError on anything outside the alphabet or padding rules."""
        return self.decode_text(text)


BASE64 = PayloadCodec("base64", base64.b64encode, _b64decode)
BASE85 = PayloadCodec("base85", base64.b85encode, _b85decode)
CODECS = {"base64": BASE64, "base85": BASE85}
