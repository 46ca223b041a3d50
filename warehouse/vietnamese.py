"""Vietnamese text as files bring it: encodings, tone placement, folding and numbers.

Letters and spreadsheets arrive in UTF-8, UTF-16 or Windows-1258, in NFC or NFD, with the
old or the new tone placement ("Hóa"/"Hoá", "Thủy"/"Thuỷ"), decimal commas ("94,22"),
thousands dots ("113.695"), percent signs ("100%") and Markdown bold (``**694**``).
These helpers turn all of that into one canonical form; they never guess a value.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from warehouse.records import InvalidReply

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền sắc ngã hỏi nặng
_VOWELS = frozenset("aeiouy")
# Open two-vowel syllables whose tone the new style puts on the second vowel (hoá, khoẻ,
# thuỷ); the old style puts it on the first (hóa, khỏe, thủy).
_SECOND_VOWEL_PAIRS = frozenset({("o", "a"), ("o", "e"), ("u", "y")})


def place_tones(text: str) -> str:
    """``text`` in NFC with every syllable's tone mark where the new style puts it.

    "Hóa" and "Hoá" both become "Hoá", "Thủy" and "Thuỷ" both "Thuỷ"; words without a
    tone mark, or with letters that are not Vietnamese, are only NFC-normalised.
    """
    return re.sub(r"\w+", lambda m: _place_tone(m.group(0)), unicodedata.normalize("NFC", text))


def _place_tone(word: str) -> str:
    letters: list[list[str]] = []  # each letter: base character + vowel-quality marks
    tone = None
    for char in unicodedata.normalize("NFD", word):
        if char in _TONE_MARKS:
            tone = tone or char
        elif unicodedata.combining(char) and letters:
            letters[-1].append(char)
        else:
            letters.append([char])
    if tone is None:
        return unicodedata.normalize("NFC", word)
    bases = [letter[0].lower() for letter in letters]
    count = len(bases)
    index = 0
    while index < count and bases[index] not in _VOWELS:
        index += 1
    # "qu" and "gi" (before another vowel) are onsets: their vowel carries no tone.
    if (
        index < count
        and index > 0
        and (
            (bases[index] == "u" and bases[index - 1] == "q")
            or (
                bases[index] == "i"
                and bases[index - 1] == "g"
                and index + 1 < count
                and bases[index + 1] in _VOWELS
            )
        )
    ):
        index += 1
    start = index
    while index < count and bases[index] in _VOWELS:
        index += 1
    end = index
    if start == end:  # no vowel: not a Vietnamese syllable, leave the mark where it was
        return unicodedata.normalize("NFC", word)
    marked = [k for k in range(start, end) if len(letters[k]) > 1]
    if marked:  # â ă ê ô ơ ư carry the tone (ươ: on ơ)
        position = marked[-1]
    elif end - start == 1:
        position = start
    elif end < count:  # closed syllable: the last vowel (hoàng, huỳnh)
        position = end - 1
    elif end - start == 3 or (bases[start], bases[start + 1]) in _SECOND_VOWEL_PAIRS:
        position = start + 1  # oai, uyu: the middle vowel; oa, oe, uy: the second
    else:  # ai, ao, ia, ua, ui…: the first vowel
        position = start
    letters[position].append(tone)
    return unicodedata.normalize("NFC", "".join("".join(letter) for letter in letters))


def fold(text: str) -> str:
    """Lower case without any diacritic (đ → d): the key for header keywords and fuzzy
    comparison, never for storage."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


def clean_cell(text: str) -> str:
    """A cell or line without Markdown emphasis, in NFC, white space collapsed."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("**", "")
    text = re.sub(r"(?<!\w)[*_]+|[*_]+(?!\w)", "", text)
    return " ".join(text.split())


# --- numbers -----------------------------------------------------------------------------

_INT = re.compile(r"^\d+$")
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")
_DECIMAL_DOT = re.compile(r"^\d+\.\d+$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_THOUSANDS_DOT_DECIMAL_COMMA = re.compile(r"^\d{1,3}(?:\.\d{3})+,\d+$")
_THOUSANDS_COMMA_DECIMAL_DOT = re.compile(r"^\d{1,3}(?:,\d{3})+\.\d+$")
_EMPTY_MARKS = frozenset({"", "-", "–", "—", "x", "n/a", "na", "k/d", "không có"})


class NotANumber(ValueError):
    """A cell that should hold a number but does not."""


def parse_number(text: str, *, thousands_dot: bool = False) -> tuple[float | None, bool]:
    """(value, had a percent sign) of a cell: "94,22" → 94.22, "100%" → 100, "" → None.

    A lone dot group is a decimal point ("94.22") unless ``thousands_dot`` (counts such as
    "113.695"); two or more dot groups ("1.234.567") and a dot before a decimal comma
    ("1.234,5") are always thousands. Raises ``NotANumber`` for anything else.
    """
    raw = clean_cell(text).replace(" ", "")
    percent = raw.endswith("%")
    raw = raw.removesuffix("%")
    if raw.casefold() in _EMPTY_MARKS:
        return None, percent
    sign = -1.0 if raw.startswith("-") else 1.0
    body = raw.removeprefix("-").removeprefix("+")
    if _INT.match(body):
        value = float(body)
    elif _DECIMAL_COMMA.match(body):
        value = float(body.replace(",", "."))
    elif _THOUSANDS_DOT_DECIMAL_COMMA.match(body):
        value = float(body.replace(".", "").replace(",", "."))
    elif _THOUSANDS_COMMA_DECIMAL_DOT.match(body):
        value = float(body.replace(",", ""))
    elif _THOUSANDS_DOT.match(body) and (thousands_dot or body.count(".") > 1):
        value = float(body.replace(".", ""))
    elif _DECIMAL_DOT.match(body):
        value = float(body)
    else:
        raise NotANumber(text)
    return sign * value, percent


def looks_numeric(text: str) -> bool:
    """Whether a cell holds a number (or a percentage)."""
    try:
        value, _ = parse_number(text)
    except NotANumber:
        return False
    return value is not None


# --- decoding ----------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")


def decode_text(content: bytes) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 (BOM, or NUL-interleaved)
    or Windows-1258; return NFC text. Raises ``InvalidReply`` for anything else."""
    if not content.strip():
        raise InvalidReply("tệp rỗng", "không có nội dung")
    candidates: list[str] = []
    if content.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8"]
        sample = content[:4096]
        if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
            candidates.append("utf-16-le")
        if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
            candidates.append("utf-16-be")
        candidates.append("cp1258")
    for encoding in candidates:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            continue
        return unicodedata.normalize("NFC", text)
    bad = next((i for i, b in enumerate(content) if b >= 0x80 or b == 0), 0)
    raise InvalidReply(
        "sai mã hóa ký tự",
        f"không đọc được dưới dạng UTF-8, UTF-16 hay Windows-1258 "
        f"(byte 0x{content[bad]:02x} tại vị trí {bad})",
    )
