"""Bytes to text: UTF-8 first, a detected legacy encoding otherwise."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from ..errors import BinaryInput, EmptyInput, EncodingError

_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def looks_binary(head: bytes) -> bool:
    return b"\x00" in head[:8192] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Return (text, encoding), or raise an InputError that says why not."""
    if not data.strip():
        raise EmptyInput(path, "empty input (no bytes or only white space)")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _check_text(data.decode("utf-16"), path), "utf-16"
        except UnicodeDecodeError as exc:
            raise EncodingError(path, f"invalid UTF-16 at byte {exc.start}") from exc
    if looks_binary(data):
        raise BinaryInput(path, "binary data (NUL bytes), not text")
    try:
        return _check_text(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError as exc:
        # Valid multi-byte sequences beside invalid ones mean a damaged UTF-8
        # file, not a legacy encoding: guessing would turn it into mojibake.
        if len(_UTF8_MULTIBYTE.findall(data)) >= 2:
            raise EncodingError(
                path, f"invalid UTF-8 at byte {exc.start} in a file that is otherwise UTF-8"
            ) from exc
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise BinaryInput(path, "not text: no character encoding fits these bytes")
    return _check_text(str(best), path), best.encoding


def _check_text(text: str, path: str) -> str:
    if len(_CONTROL.findall(text[:20000])) > max(5, len(text[:20000]) // 100):
        raise BinaryInput(path, "binary data (control characters), not text")
    if not text.strip():
        raise EmptyInput(path, "empty input (only white space)")
    return text
