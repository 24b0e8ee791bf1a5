"""Bytes of a bank export as text: the encoding from a byte-order mark, else UTF-16 when every
other byte is zero, else UTF-8 when the bytes are valid UTF-8, else the Windows code page the
text reads best in (cp1252, cp1250 or cp1257: most European banks still export in them)."""

from __future__ import annotations

import codecs

from ai_service.core.errors import BadUserInput

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The single-byte code pages banks still export in: Western, Central European, Baltic.
_LEGACY = ("cp1252", "cp1250", "cp1257")

def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text and the name of the encoding it was read with."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise BadUserInput(f"{encoding!r} is not an encoding this app knows (try utf-8, "
                               "cp1252, latin-1 or utf-16)", field="mapping.encoding") from None
        except UnicodeDecodeError:
            raise BadUserInput(f"The file is not in {encoding}", field="mapping.encoding"
                               ) from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(name), name
            except UnicodeDecodeError:
                break
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return _legacy(data)


def _utf16_without_bom(data: bytes) -> str | None:
    """Text that is mostly ASCII written as UTF-16 has a zero byte in every other place."""
    sample = data[:2000]
    if len(sample) < 4 or sample.count(0) < len(sample) // 3:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    name = "utf-16-le" if odd > even else "utf-16-be"
    try:
        data.decode(name)
    except UnicodeDecodeError:
        return None
    return name


def _legacy(data: bytes) -> tuple[str, str]:
    """The code page whose text reads most like a language (charset-normalizer's judgement;
    for German, French or Dutch files the three agree on every letter), else latin-1, which
    reads any byte."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(_LEGACY)).best()
    if best is None:
        return data.decode("latin-1"), "latin-1"
    text = str(best)
    if best.encoding != "cp1252" and data.decode("cp1252", errors="replace") == text:
        return text, "cp1252"  # the same letters either way: name the common one
    return text, best.encoding
