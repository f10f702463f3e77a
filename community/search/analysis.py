"""The one analyzer both backends share: fold, segment, stem, with offsets into the original text.

Folding keeps one character per character wherever it can (full-width forms, traditional
characters, case), so every term carries its start and end in the text the user wrote; highlights
need that. Positions count words, not characters: a sub-word that jieba's search mode adds inside a
longer word shares the position of that word, so a phrase matches only words that follow each other.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache
from importlib import resources
from typing import NamedTuple

import numpy as np
import rjieba
import Stemmer

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
WORD = re.compile(r"\w", re.UNICODE)
LATIN_WORD = re.compile(r"[0-9a-z][0-9a-z_+#.\-]*[0-9a-z+#]|[0-9a-z]")

# Question words and particles: kept in the index (phrases need their positions) but not required
# by a query, or "什么是比特币" would demand every document that says 什么.
STOPWORD_TEXT = (
    "的 了 是 在 和 与 或 及 吗 呢 吧 啊 呀 么 嘛 着 过 也 都 就 还 又 被 把 给 对 从 为 有 没 不 "
    "能 会 要 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 哪 哪个 一个 什么 怎么 怎样 如何 "
    "为什么 哪些 多少 可以 请问 一下 应该 是否 有没有 但是 所以 因为 还是 比较 非常 已经 现在 "
    "如果 的话 其实 一般 之前 之后 大家 觉得 "
    "a an the of to in on for is are was be and or how what why which do does can i my it"
)
STOPWORDS = frozenset(STOPWORD_TEXT.split())


class Term(NamedTuple):
    """One term of analysed text: its folded form, word position and span in the original."""

    text: str
    position: int
    start: int
    end: int


@cache
def traditional_to_simplified() -> dict[int, str]:
    """OpenCC's character table (traditional → simplified), one character to one character.

    Phrase-level conversions are left out on purpose: they change lengths, and the search only
    needs both sides to fold alike.
    """
    table: dict[int, str] = {}
    text = resources.files("opencc").joinpath("dictionary/TSCharacters.txt").read_text("utf-8")
    for line in text.splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[ord(source)] = target
    return table


BMP = 0x10000
# Hangul vowel and trailing consonant jamo compose with the syllable before them.
HANGUL_COMPOSING = (range(0x1161, 0x1176), range(0x11A8, 0x11C3))
# Shorter texts fold faster through string methods than through the table.
TABLE_FROM = 64


@cache
def fold_table() -> tuple[np.ndarray, np.ndarray]:
    """Per BMP code point: what it folds to on its own, and whether its folding depends on its
    neighbours or changes the length (combining marks, characters that compose with the one
    before, ligatures, final sigma), so that only `fold`'s character-by-character path is exact.
    """
    second = set()
    for point in range(BMP):
        parts = unicodedata.decomposition(chr(point)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            second.add(int(parts[1], 16))
    for block in HANGUL_COMPOSING:
        second.update(block)
    # Every character folded on its own in one call: NUL between them blocks composition
    # (NUL itself and the surrogates stand in as "a").
    chars = [chr(point) if point and not 0xD800 <= point < 0xE000 else "a" for point in range(BMP)]
    alone = unicodedata.normalize("NFKC", "\x00".join(chars)).lower().split("\x00")
    simplified = traditional_to_simplified()
    folded = np.arange(BMP, dtype=np.uint32)
    contextual = np.zeros(BMP, dtype=bool)
    for point, mapped in enumerate(alone):
        if point == 0:
            continue
        if (
            0xD800 <= point < 0xE000
            or len(mapped) != 1
            or point in second
            or ord(mapped) in second
            or unicodedata.combining(chars[point])
            or unicodedata.combining(mapped)
        ):
            contextual[point] = True
        else:
            folded[point] = ord(simplified.get(ord(mapped), mapped))
    contextual[0x03A3] = True
    return folded, contextual


def fold_by_table(text: str) -> str | None:
    """`text` folded one character at a time by the table, or None if one of its characters
    needs its neighbours (or lies outside the BMP)."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if points.max() >= BMP:
        return None
    folded, contextual = fold_table()
    if contextual[points].any():
        return None
    return folded[points].astype("<u4").tobytes().decode("utf-32-le")


# Indexing folds a question's title and body once for its words and again for its bigrams.
@lru_cache(maxsize=16)
def fold(text: str) -> tuple[str, list[int] | None]:
    """Fold `text` (NFKC, simplified, lower case); the offset map is None when lengths match."""
    if len(text) >= TABLE_FROM:
        folded = fold_by_table(text)
        if folded is not None:
            return folded, None
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) == len(text):
        return folded.translate(traditional_to_simplified()), None
    pieces, offsets = [], []
    for index, char in enumerate(text):
        piece = unicodedata.normalize("NFKC", char).lower()
        pieces.append(piece)
        offsets.extend([index] * len(piece))
    offsets.append(len(text))
    return "".join(pieces).translate(traditional_to_simplified()), offsets


def fold_text(text: str) -> str:
    """The folded form alone, for comparisons (tags, user names, dictionary terms)."""
    return fold(text)[0]


class Segmenter:
    """jieba (rjieba's process-wide dictionary) plus the community dictionary, and the stemmer.

    rjieba's module keeps one dictionary per process; a second instance would cost another
    ~25 MB, so community words are added to it, and removed ones get a frequency of zero.
    What a segmented word turns into is cached per word (see `parts_of`); changing the dictionary
    empties that cache.
    """

    def __init__(self) -> None:
        self.words: frozenset[str] = frozenset()
        self.stemmer = Stemmer.Stemmer("english")
        self.lock = threading.Lock()
        self.parts: dict[str, WordParts | None] = {}

    def use_words(self, words: frozenset[str]) -> None:
        with self.lock:
            for word in self.words - words:
                rjieba.add_word(word, 0, None)
            for word in words - self.words:
                rjieba.add_word(word, None, None)
            self.words = words
            self.parts = {}

    def words_of(self, text: str) -> list[tuple[str, int, int]]:
        """Precise-mode words of folded text with their spans."""
        return rjieba.tokenize(text, "default", True)

    def has_word(self, word: str) -> bool:
        return rjieba.has_word(word)

    def stem(self, word: str) -> str:
        return self.stemmer.stemWord(word) if word.isascii() and word.isalpha() else word

    def parts_of(self, word: str) -> WordParts | None:
        """What one segmented word yields (None: no term), computed once per distinct word."""
        parts = self.parts.get(word)
        if parts is None and word not in self.parts:
            if len(self.parts) >= PARTS_CACHE_SIZE:
                self.parts = {}
            parts = self.parts[word] = self._parts(word)
        return parts

    def _parts(self, word: str) -> WordParts | None:
        word = word.strip()
        if not word or not WORD.search(word):
            return None
        if CJK.search(word):
            return WordParts(word, tuple(_sub_words(self, word)), ())
        latin = tuple(
            (match.start(), match.end(), self.stem(match.group()))
            for match in LATIN_WORD.finditer(word)
        )
        return WordParts(None, (), latin)


class WordParts(NamedTuple):
    """A CJK word with its dictionary sub-words, or the stemmed Latin words inside a token."""

    cjk: str | None
    sub_words: tuple[str, ...]
    latin: tuple[tuple[int, int, str], ...]


# Distinct words seen by one process; a full cache is emptied and refilled.
PARTS_CACHE_SIZE = 200_000

_segmenter = Segmenter()


def segmenter() -> Segmenter:
    """The process's segmenter (rjieba loads its dictionary once, on import)."""
    return _segmenter


def use_dictionary(words: Iterable[str]) -> None:
    """Install the community dictionary in this process (a no-op when it has not changed)."""
    wanted = frozenset(fold_text(word).strip() for word in words if word.strip())
    if wanted != _segmenter.words:
        _segmenter.use_words(wanted)


def analyze(text: str, *, search_mode: bool = True, start_position: int = 0) -> list[Term]:
    """Terms of `text`: search mode adds dictionary sub-words at their word's position."""
    return list(map(Term._make, word_tuples(text, search_mode, start_position)))


def word_tuples(
    text: str, search_mode: bool = True, start_position: int = 0
) -> list[tuple[str, int, int, int]]:
    """`analyze` as plain (text, position, start, end) tuples, for indexing in bulk."""
    folded, offsets = fold(text)
    seg = segmenter()
    parts_of = seg.parts_of
    terms: list[tuple[str, int, int, int]] = []
    append = terms.append
    position = start_position
    for word, start, end in seg.words_of(folded):
        parts = parts_of(word)
        if parts is None:
            continue
        if parts.cjk is not None:
            span_start, span_end = (offsets[start], offsets[end]) if offsets else (start, end)
            if search_mode:
                for sub in parts.sub_words:
                    append((sub, position, span_start, span_end))
            append((parts.cjk, position, span_start, span_end))
            position += 1
            continue
        for sub_start, sub_end, stem in parts.latin:
            if offsets:
                append((stem, position, offsets[start + sub_start], offsets[start + sub_end]))
            else:
                append((stem, position, start + sub_start, start + sub_end))
            position += 1
    return terms


def _sub_words(seg: Segmenter, word: str) -> Iterator[str]:
    """Dictionary words of two and three characters inside a longer word (jieba's search mode)."""
    for size in (2, 3):
        if len(word) <= size:
            continue
        for index in range(len(word) - size + 1):
            gram = word[index : index + size]
            if seg.has_word(gram):
                yield gram


def query_words(text: str) -> list[str]:
    """Precise-mode terms of a query word, in order (the stemmed/folded form)."""
    return [term.text for term in analyze(text, search_mode=False)]


def compound_parts(term: str) -> list[str]:
    """The dictionary sub-words of a CJK compound term when together they cover all of it.

    The index holds a compound's sub-words wherever the compound occurs, but text that names the
    parts apart (规划孩子的教育) holds no compound (教育规划); a query for the compound then needs
    the parts. Sub-words that leave a character out (信用 of 信用卡) would widen it to another
    meaning, so they do not count.
    """
    parts = segmenter().parts_of(term)
    if parts is None or parts.cjk is None or not parts.sub_words:
        return []
    covered = [False] * len(term)
    found = []
    for sub in parts.sub_words:
        start = term.find(sub)
        while start >= 0:
            covered[start : start + len(sub)] = [True] * len(sub)
            start = term.find(sub, start + 1)
        if sub not in found:
            found.append(sub)
    return found if all(covered) else []


def bigrams(text: str, *, start_position: int = 0) -> list[Term]:
    """The fallback field: CJK runs as overlapping bigrams, other words whole, in order."""
    return list(map(Term._make, bigram_tuples(text, start_position)))


def bigram_tuples(text: str, start_position: int = 0) -> list[tuple[str, int, int, int]]:
    """`bigrams` as plain (text, position, start, end) tuples, for indexing in bulk."""
    folded, offsets = fold(text)
    seg = segmenter()
    terms: list[tuple[str, int, int, int]] = []
    position = start_position
    cursor = 0
    for run in CJK_RUN.finditer(folded):
        base = run.start()
        position = _latin_terms(seg, folded, offsets, cursor, base, position, terms)
        chars = run.group()
        if len(chars) == 1:
            terms.append((chars, position, *_span(offsets, base, base + 1)))
            position += 1
        elif offsets:
            terms.extend(
                (
                    chars[index : index + 2],
                    position + index,
                    offsets[base + index],
                    offsets[base + index + 2],
                )
                for index in range(len(chars) - 1)
            )
            position += len(chars) - 1
        else:
            terms.extend(
                (chars[index : index + 2], position + index, base + index, base + index + 2)
                for index in range(len(chars) - 1)
            )
            position += len(chars) - 1
        cursor = run.end()
    _latin_terms(seg, folded, offsets, cursor, len(folded), position, terms)
    return terms


def _span(offsets: list[int] | None, start: int, end: int) -> tuple[int, int]:
    if offsets is None:
        return start, end
    return offsets[start], offsets[end]


def _latin_terms(seg, folded, offsets, start, end, position, terms) -> int:
    for match in LATIN_WORD.finditer(folded, start, end):
        span_start, span_end = _span(offsets, match.start(), match.end())
        terms.append((seg.stem(match.group()), position, span_start, span_end))
        position += 1
    return position


def query_bigrams(text: str) -> list[str]:
    return [term.text for term in bigrams(text)]


def latin_words(text: str) -> list[str]:
    """Unstemmed Latin words of a text, for "did you mean"."""
    return LATIN_WORD.findall(fold_text(text))
