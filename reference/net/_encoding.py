# Node's Buffer encodings, as far as a socket needs them: write(str, encoding)
# encodes (Buffer.from(string, encoding)) and set_encoding(encoding) decodes
# incrementally (string_decoder.StringDecoder), never splitting a character
# across two 'data' events.
#
# Names are Node's (Buffer.isEncoding, case-insensitive): utf8/utf-8,
# ucs2/ucs-2/utf16le/utf-16le, latin1/binary, ascii, base64, base64url, hex.

from __future__ import annotations

import base64
import binascii
import codecs
import re

from .._errors import NodeTypeError

__all__ = ["StringDecoder", "encode", "err_unknown_encoding", "normalize_encoding"]

_ALIASES = {
    "utf8": "utf8",
    "utf-8": "utf8",
    "ucs2": "utf16le",
    "ucs-2": "utf16le",
    "utf16le": "utf16le",
    "utf-16le": "utf16le",
    "latin1": "latin1",
    "binary": "latin1",
    "ascii": "ascii",
    "base64": "base64",
    "base64url": "base64url",
    "hex": "hex",
}


def normalize_encoding(encoding: object) -> str | None:
    """Node's normalizeEncoding: the canonical name, or None if unknown."""
    if isinstance(encoding, str):
        return _ALIASES.get(encoding.lower())
    return None


def err_unknown_encoding(encoding: object) -> NodeTypeError:
    return NodeTypeError("ERR_UNKNOWN_ENCODING", f"Unknown encoding: {encoding}")


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]")
_NOT_HEX_PAIR = re.compile(r"[^0-9a-fA-F]")


def encode(text: str, encoding: str) -> bytes:
    """``Buffer.from(text, encoding)`` for a canonical encoding name."""
    if encoding == "utf8":
        # JavaScript strings are UTF-16: a lone surrogate becomes U+FFFD.
        return text.encode("utf-8", "replace" if not text.isascii() else "strict")
    if encoding == "latin1" or encoding == "ascii":
        # Node keeps the low byte of each UTF-16 code unit, for both.
        return bytes(ord(ch) & 0xFF for ch in text) if not text.isascii() else text.encode("ascii")
    if encoding == "utf16le":
        return text.encode("utf-16-le", "surrogatepass")
    if encoding == "hex":
        # Decoding stops at the first byte that is not two hex digits.
        match = _NOT_HEX_PAIR.search(text)
        usable = text[: match.start()] if match else text
        return bytes.fromhex(usable[: len(usable) - len(usable) % 2])
    # base64 and base64url decode leniently and accept either alphabet.
    cleaned = _NOT_BASE64.sub("", text.replace("-", "+").replace("_", "/").split("=", 1)[0])
    cleaned = cleaned[: len(cleaned) - (1 if len(cleaned) % 4 == 1 else 0)]
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except binascii.Error:
        return b""


class StringDecoder:
    """``string_decoder.StringDecoder``: bytes in, whole characters out."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._pending = b""
        if encoding == "utf8":
            self._codec: codecs.IncrementalDecoder | None = codecs.getincrementaldecoder("utf-8")("replace")
        elif encoding == "utf16le":
            self._codec = codecs.getincrementaldecoder("utf-16-le")("replace")
        else:
            self._codec = None

    def write(self, data: bytes) -> str:
        if self._codec is not None:
            return self._codec.decode(data)
        encoding = self.encoding
        if encoding == "latin1":
            return data.decode("latin-1")
        if encoding == "ascii":
            return bytes(byte & 0x7F for byte in data).decode("ascii")
        if encoding == "hex":
            return data.hex()
        # base64: only whole 3-byte groups until end().
        data = self._pending + data
        usable = len(data) - len(data) % 3
        self._pending = data[usable:]
        return self._b64(data[:usable])

    def end(self) -> str:
        if self._codec is not None:
            return self._codec.decode(b"", final=True)
        if self.encoding in ("base64", "base64url"):
            rest, self._pending = self._pending, b""
            return self._b64(rest)
        return ""

    def _b64(self, data: bytes) -> str:
        if self.encoding == "base64url":
            return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")
        return base64.b64encode(data).decode("ascii")
