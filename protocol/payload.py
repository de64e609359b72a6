"""Transport payload codecs: base85 in revision 1, base64 in revision 2; both decode strictly.

Base64 is binascii's C codec in strict mode. Base85 is written here: CPython's codec loops in Python
over every 5-character group (about 8 MB/s encode+decode here). This one works on whole slices at once,
treating a slice as one big integer with one 64- or 40-bit lane per group ("SIMD within a register"):
lane-wise multiplications, shifts and masks run in C over the whole slice, and extended-slice
assignments move bytes between the lane layout and the packed layout. It accepts and rejects exactly
what base64.b85decode does, and also a last group of one character (it cannot encode a byte).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Callable

Bytes = bytes | bytearray | memoryview
"""What an encoder takes: any bytes-like buffer."""


class PayloadDecodeError(ValueError):
    """The `data` string is not valid in the revision's encoding."""


def _b64encode(data: Bytes) -> bytes | bytearray:
    return binascii.b2a_base64(data, newline=False)


def _b64decode(text: str | Bytes) -> bytes:
    """Canonical base64 only: a length that is a multiple of 4, at most two padding characters, at the end, and
    nothing outside the alphabet. binascii's decoder skips such characters (its strict mode is Python 3.11+), so
    a text holding one decodes to fewer bytes than its length says: that is how it is caught. The text may also be
    given as its bytes (a view of the line it came in)."""
    if len(text) % 4:
        raise PayloadDecodeError(f"not canonical base64: {len(text)} characters, not a multiple of 4")
    tail = text[-3:]
    if not isinstance(tail, str):
        tail = bytes(tail).decode("latin-1")
    if tail[:1] == "=":
        raise PayloadDecodeError("not canonical base64: more than two padding characters")
    try:
        data = binascii.a2b_base64(text)
    except (binascii.Error, ValueError) as exc:
        raise PayloadDecodeError(f"not canonical base64: {exc}") from None
    if len(data) != len(text) // 4 * 3 - (2 if tail.endswith("==") else 1 if tail.endswith("=") else 0):
        raise PayloadDecodeError("not canonical base64: a character outside the alphabet, or padding before the end")
    return data


B85_ALPHABET = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"
_B85_DIGITS = bytes(B85_ALPHABET.index(c) if c in B85_ALPHABET else 0xFF for c in range(256))
"""Character -> digit value (0-84); 0xFF marks a character outside the alphabet."""
_B85_CHARS = B85_ALPHABET + bytes(256 - 85)
"""Digit value -> character (only 0-84 occur)."""
B85_SMALL_BYTES = 48
"""Below this many bytes (60 characters) the stdlib codec is quicker: the lanes cost a few microseconds to set up."""
B85_SLICE_BYTES = 64 * 1024
"""Bytes coded per big-integer pass (a multiple of 4; 5/4 as many characters): small enough to stay in cache."""
_DIV85_MAGIC, _DIV85_SHIFT = 0xC0C0C0C1, 38
"""v // 85 == (v * MAGIC) >> SHIFT for every v < 2**32 (the product fits a 64-bit lane)."""


def _lanes(count: int, lane_bytes: int, value: int) -> int:
    """`value` repeated in `count` lanes of `lane_bytes` bytes, as one integer (a lane-wise mask or constant)."""
    return int.from_bytes(value.to_bytes(lane_bytes, "big") * count, "big")


def _b85encode_slice(data: Bytes) -> bytes:
    """base64.b85encode of one slice: words spread into 64-bit lanes, five digits by four lane-wise divisions by 85."""
    padding = -len(data) % 4
    if padding:
        data = bytes(data) + bytes(padding)
    groups = len(data) // 4
    spread = bytearray(8 * groups)
    for at in range(4):
        spread[4 + at::8] = data[at::4]
    value = int.from_bytes(spread, "big")
    low26 = _lanes(groups, 8, (1 << 26) - 1)
    out = bytearray(5 * groups)
    for position in (4, 3, 2, 1):
        quotient = (value * _DIV85_MAGIC >> _DIV85_SHIFT) & low26
        out[position::5] = (value - quotient * 85).to_bytes(8 * groups, "big")[7::8]
        value = quotient
    out[0::5] = value.to_bytes(8 * groups, "big")[7::8]
    encoded = out.translate(_B85_CHARS)
    if padding:
        del encoded[len(encoded) - padding:]
    return bytes(encoded)


def _b85decode_slice(text: bytes, offset: int) -> bytes:
    """base64.b85decode of one slice of ASCII characters (starting at `offset` of the whole text): groups as 40-bit
    lanes of digits, combined lane-wise. Errors name the offset as b85decode does."""
    tail = len(text) % 5
    if tail:
        text += b"~" * (5 - tail)
    digits = text.translate(_B85_DIGITS)
    bad = digits.find(0xFF)
    if bad >= 0:
        raise PayloadDecodeError(f"not base85: bad base85 character at position {offset + bad}")
    groups = len(digits) // 5
    lanes = int.from_bytes(digits, "big")
    low8 = _lanes(groups, 5, 0xFF)
    value = lanes >> 32 & low8
    for shift in (24, 16, 8, 0):
        value = value * 85 + (lanes >> shift & low8)
    overflow = value >> 32 & low8
    if overflow:
        first = (40 * groups - overflow.bit_length()) // 40
        raise PayloadDecodeError(f"not base85: base85 overflow in hunk starting at byte {offset + 5 * first}")
    packed = value.to_bytes(5 * groups, "big")
    out = bytearray(4 * groups)
    for at in range(4):
        out[at::4] = packed[1 + at::5]
    if tail:
        del out[len(out) - (5 - tail):]
    return bytes(out)


def _b85encode(data: Bytes) -> bytes | bytearray:
    """The encoded text; above one slice, slices are encoded into one preallocated buffer (no list of parts held
    beside the joined copy), which goes to the wire as it is."""
    if len(data) < B85_SMALL_BYTES:
        return base64.b85encode(data)
    if len(data) <= B85_SLICE_BYTES:
        return _b85encode_slice(data)
    out = bytearray(len(data) // 4 * 5 + (len(data) % 4 + 1 if len(data) % 4 else 0))
    with memoryview(data) as view:
        for at in range(0, len(view), B85_SLICE_BYTES):
            encoded = _b85encode_slice(view[at:at + B85_SLICE_BYTES])
            out[at // 4 * 5:at // 4 * 5 + len(encoded)] = encoded
    return out


def _b85decode(text: str) -> bytes:
    if len(text) % 5 == 1:
        raise PayloadDecodeError("not base85: a last group of one character cannot encode a byte")
    step = B85_SLICE_BYTES // 4 * 5
    if len(text) < B85_SMALL_BYTES // 4 * 5:
        try:
            return base64.b85decode(_ascii(text, 0))
        except ValueError as exc:
            raise PayloadDecodeError(f"not base85: {exc}") from None
    if len(text) <= step:
        return _b85decode_slice(_ascii(text, 0), 0)
    return b"".join(_b85decode_slice(_ascii(text[at:at + step], at), at) for at in range(0, len(text), step))


def _ascii(text: str, offset: int) -> bytes:
    """One slice of the text as bytes (a slice at a time: the whole text is never copied at once)."""
    try:
        return text.encode("ascii")
    except UnicodeEncodeError as exc:
        raise PayloadDecodeError(f"not base85: bad base85 character at position {offset + exc.start}") from None


class DecodedPayload(str):
    """A payload string taken out of its line and decoded before the rest of the line was parsed
    (wire.parse_split_payload), standing for it: its text is the payload's first characters, its len() the payload's
    length, so the compiled validators apply the schema's length rules to the payload itself (the strict decoder has
    judged its alphabet), and PayloadCodec.decode gives its bytes."""

    data: bytes
    length: int

    def __new__(cls, text_start: str, data: bytes, length: int) -> "DecodedPayload":
        payload = super().__new__(cls, text_start)
        payload.data = data
        payload.length = length
        return payload

    def __len__(self) -> int:
        return self.length


@dataclass(frozen=True)
class PayloadCodec:
    """How `data` members are encoded in one protocol revision."""

    name: str
    encode_bytes: Callable[[Bytes], bytes | bytearray]
    """The encoded text as ASCII bytes (a bytearray for a long base85 payload: written to the wire as it is)."""
    decode_text: Callable[[str], bytes]
    decode_view: Callable[[memoryview], bytes] | None = None
    """The same decoder given the text's bytes, where it takes them without a copy (None: parse the line whole)."""

    def encode(self, data: Bytes) -> str:
        """Bytes to the wire string."""
        return self.encode_bytes(data).decode("ascii")

    def decode(self, text: str) -> bytes:
        """Wire string to bytes; PayloadDecodeError on anything outside the alphabet or padding rules."""
        return text.data if type(text) is DecodedPayload else self.decode_text(text)


BASE64 = PayloadCodec("base64", _b64encode, _b64decode, _b64decode)
BASE85 = PayloadCodec("base85", _b85encode, _b85decode)
CODECS = {"base64": BASE64, "base85": BASE85}
