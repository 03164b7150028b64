"""The characters the OCR network can emit. Index 0 is the CTC blank; the order is part of the shipped model."""

from __future__ import annotations

LATIN = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CN_PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
ALPHABET = LATIN + CN_PROVINCES
BLANK = 0


def encode(text: str) -> list[int]:
    """Text → class indices (1-based; 0 is the blank). Raises ValueError on a character outside the alphabet."""
    try:
        return [ALPHABET.index(c) + 1 for c in text]
    except ValueError as exc:
        bad = next(c for c in text if c not in ALPHABET)
        raise ValueError(f"character {bad!r} is not in the OCR alphabet") from exc


def decode_index(index: int) -> str:
    return ALPHABET[index - 1]
