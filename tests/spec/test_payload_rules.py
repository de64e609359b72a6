"""A payload string's pattern (the alphabet of its `contentEncoding`) is a bound on the wire though no validator matches
it: the payload codec's strict decoder judges payloads instead (a regular expression over a 64 MiB payload would cost
more than decoding it). So the decoder must refuse every string the schema's pattern refuses, and accept every
encoding of bytes. Changing a payload pattern in schema/ without the codec fails here."""

from __future__ import annotations

import json
import random
import re
from typing import Any, Iterator

import pytest
from schema_copies import ROOT

from microtvm_project_api.protocol.payload import CODECS, PayloadDecodeError

STRANGERS = "=. \n\t\"\\é\x00-_"
"""Characters outside one alphabet or the other, or padding: what a hostile or sloppy encoder sends."""


def _payload_types() -> Iterator[Any]:
    for path in sorted((ROOT / "schema").glob("*.json")):
        for name, definition in json.loads(path.read_text()).get("$defs", {}).items():
            if "contentEncoding" in definition:
                yield pytest.param(definition["contentEncoding"], definition["pattern"], id=name)


def _alphabet(matcher: re.Pattern[str]) -> str:
    """The printable ASCII characters the pattern admits as a whole group (4 of base64's, 5 of base85's)."""
    return "".join(c for c in map(chr, range(32, 127)) if matcher.fullmatch(c * 4) or matcher.fullmatch(c * 5))


def _samples(alphabet: str, seed: int) -> list[str]:
    chosen = random.Random(seed)
    samples = []
    for _ in range(4000):
        length = chosen.randrange(0, 24)
        samples.append("".join(chosen.choice(alphabet if chosen.random() < 0.97 else STRANGERS) for _ in range(length)))
    return samples


@pytest.mark.parametrize("encoding, pattern", list(_payload_types()))
def test_the_strict_decoder_refuses_whatever_the_schema_pattern_refuses(encoding: str, pattern: str) -> None:
    codec = CODECS[encoding]
    matcher = re.compile(pattern[1:-1])
    refused = 0
    for text in _samples(_alphabet(matcher) + "=", seed=len(pattern)):
        if matcher.fullmatch(text):
            continue
        refused += 1
        with pytest.raises(PayloadDecodeError):
            codec.decode(text)
    assert refused > 1000
    for size in range(64):
        data = random.Random(size).randbytes(size)
        text = codec.encode(data)
        assert matcher.fullmatch(text) and codec.decode(text) == data
