"""Names compared as Swift compares them, so that both engines match the same requests: Swift's
``String ==`` holds for canonically equivalent strings (``é`` composed or not), so names are
compared in NFC; and Swift lowercases each scalar on its own (no final-sigma rule)."""

from __future__ import annotations

import unicodedata


def canonical(name: str) -> str:
    return name if name.isascii() else unicodedata.normalize("NFC", name)


def lowercase(word: str) -> str:
    if word.isascii():
        return word.lower()
    return unicodedata.normalize("NFC", "".join(character.lower() for character in word))
