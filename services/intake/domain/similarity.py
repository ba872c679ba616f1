"""How alike two demands (诉求) are, for suggesting duplicates: a measure that reads Chinese (pure, stdlib).

A duplicate is the **same problem at the same place**, and the measure has one part for each:

* **Content**: the cosine of TF-IDF vectors of single characters, plus character bigrams at a lower weight.
  Paraphrases of one demand share characters far more often than words (断了/断裂, 漏水/渗漏, 太少/不足).
  The IDF is learnt from the texts searched (the county's demands of one town and category), smoothed
  with ``idf_prior`` empty pseudo-documents so that a handful of texts gives near-uniform weights. Terms
  with a character that names a defect weigh ``problem_boost`` times more: two demands about one place
  differ above all in what is wrong there. A text is normalised first (full-width folded, Chinese
  numerals before 号/栋/路 as digits, hotline boilerplate blanked, a few paraphrases unified) and its place
  names are taken out of the content, so a long shared address does not make two problems alike.
* **Place**: names in front of an address suffix (幸福路, 红星村, 纺织厂宿舍 …) and numbered or sectioned
  sub-places (28号, 3栋, the 5路 bus, 东段). When both texts name places and no name of either occurs in
  the other, or both give numbers or sections and share none, the score is multiplied by
  ``place_mismatch_factor``.

Scores are in [0, 1]; ``DEFAULT_THRESHOLD`` was chosen on the labelled pairs (``shishi similarity
measure``). Why hand-written rather than a library: see README, "Duplicate suggestions".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from services.intake.domain.similarity_words import (
    BOILERPLATE,
    FILLER_CHARS,
    GENERIC_NAMES,
    LOCATION_WORDS,
    NOT_A_NAME,
    PARAPHRASES,
    PLACE_SUFFIXES,
    PROBLEM_CHARS,
    ROAD_WORD_STARTS,
)

# The best-F1 threshold on the "tune" half of the labelled pairs; a score at or above it suggests a duplicate.
DEFAULT_THRESHOLD = 0.157

_SUFFIX_ENDS = frozenset(suffix[-1] for suffix in PLACE_SUFFIXES)
# A number before one of these is a sub-place: house or building (号, 栋 …), bus line (路), school (二小, 三中).
_NUMBERED = r"(?:号楼|号|栋|幢|单元|路(?![上边面过灯口])|小(?![时孩块区朋事])|中(?![午间心段旬]))"
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = re.compile(rf"[零一二两三四五六七八九十百]+(?={_NUMBERED}|楼|岁)")
_SUB_PLACE = re.compile(rf"(\d+)({_NUMBERED})|([东西南北中])段")
_HOUSE_UNITS = frozenset({"号楼", "号", "栋", "幢"})
_HAN_FIRST, _HAN_LAST = "\u3400", "\u9fff"
_UNIT = re.compile(rf"[a-z0-9]+|[{_HAN_FIRST}-{_HAN_LAST}]")
_SEPARATOR = re.compile(rf"[^a-z0-9{_HAN_FIRST}-{_HAN_LAST}]+")
_BIGRAM_JOIN = "\x1f"


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)))


_BOILERPLATE_RE = _alternation(BOILERPLATE)
_CANONICAL = {form: canon for canon, forms in PARAPHRASES.items() for form in forms}
_PARAPHRASE_RE = _alternation(_CANONICAL)
_SUFFIX_RE = _alternation(PLACE_SUFFIXES)
_LOCATION_RE = _alternation(LOCATION_WORDS)


@dataclass(frozen=True)
class Settings:
    """The measure's knobs; the defaults are the ones chosen on the "tune" half of the labelled pairs."""

    bigram_weight: float = 0.25
    problem_boost: float = 3.0
    place_mismatch_factor: float = 0.05
    idf_prior: float = 10.0


DEFAULT_SETTINGS = Settings()


@dataclass(frozen=True)
class Analysed:
    """A text after normalisation: its content terms and the places it names."""

    text: str
    terms: Counter[str]
    names: frozenset[str]
    sub_places: frozenset[str]


def _chinese_number(word: str) -> int:
    total, current = 0, 0
    for ch in word:
        if ch in "十百":
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            current = current * 10 + _CN_DIGITS[ch]
    return total + current


def normalise(text: str) -> str:
    """Half-width lower case (NFKC), digits for numbered places, boilerplate blanked, paraphrases unified."""
    out = unicodedata.normalize("NFKC", text).lower()
    out = _CN_NUMBER.sub(lambda m: str(_chinese_number(m.group(0))), out)
    out = _BOILERPLATE_RE.sub(" ", out)
    return _PARAPHRASE_RE.sub(lambda m: _CANONICAL[m.group(0)], out)


def _is_han(ch: str) -> bool:
    return _HAN_FIRST <= ch <= _HAN_LAST


def place_names(text: str) -> tuple[frozenset[str], list[tuple[int, int]]]:
    """The place names in a normalised text and the spans (name and suffix) where they stand."""
    names: set[str] = set()
    spans: list[tuple[int, int]] = []
    for match in _SUFFIX_RE.finditer(text):
        start, end = match.span()
        if match.group(0) == "路" and text[end : end + 1] in ROAD_WORD_STARTS:
            continue
        begin = start
        while begin > 0 and start - begin < 2 and _is_han(text[begin - 1]):
            begin -= 1
        name = text[begin:start]
        if not name or name[-1] in NOT_A_NAME or name[-1] in _SUFFIX_ENDS or name in GENERIC_NAMES:
            continue
        if len(name) == 2 and name[0] in NOT_A_NAME:
            name, begin = name[1], begin + 1
        names.add(name)
        spans.append((begin, end))
    return frozenset(names), spans


def sub_places(text: str) -> tuple[frozenset[str], list[tuple[int, int]]]:
    """Numbered and sectioned sub-places of a normalised text ('28#' for 28号 or 28栋, '5路', '2小', '东段')."""
    keys: set[str] = set()
    spans: list[tuple[int, int]] = []
    for match in _SUB_PLACE.finditer(text):
        number, unit, section = match.groups()
        keys.add(f"{section}段" if number is None else number + ("#" if unit in _HOUSE_UNITS else unit))
        spans.append(match.span())
    return frozenset(keys), spans


def _terms(text: str) -> Counter[str]:
    terms: Counter[str] = Counter()
    for segment in _SEPARATOR.split(_LOCATION_RE.sub(" ", text)):
        units = _UNIT.findall(segment)
        terms.update(u for u in units if u not in FILLER_CHARS)
        terms.update(units[i] + _BIGRAM_JOIN + units[i + 1] for i in range(len(units) - 1))
    return terms


def analyse(text: str) -> Analysed:
    """Normalise ``text`` and split it into content terms and places."""
    normal = normalise(text)
    names, name_spans = place_names(normal)
    subs, sub_spans = sub_places(normal)
    chars = list(normal)
    for begin, end in name_spans + sub_spans:
        chars[begin:end] = " " * (end - begin)
    return Analysed(normal, _terms("".join(chars)), names, subs)


def places_differ(a: Analysed, b: Analysed) -> bool:
    """Both name places and no name of either occurs in the other, or both give numbers or sections
    (28号, 3栋, 5路, 东段) and share none."""
    if a.names and b.names and not (any(n in b.text for n in a.names) or any(n in a.text for n in b.names)):
        return True
    return bool(a.sub_places and b.sub_places and not a.sub_places & b.sub_places)


class SimilarityIndex:
    """Demands ``(id, text)`` indexed for likeness; the IDF is learnt from these texts (no labels needed).

    Build one per candidate set (the same town and category) and ask ``likely`` for a demand."""

    def __init__(self, docs: Iterable[tuple[str, str]], settings: Settings = DEFAULT_SETTINGS) -> None:
        self.settings = settings
        self._ids: list[str] = []
        self._analysed: list[Analysed] = []
        for doc_id, text in docs:
            self._ids.append(doc_id)
            self._analysed.append(analyse(text))
        self._df: Counter[str] = Counter()
        for item in self._analysed:
            self._df.update(item.terms.keys())
        self._log_total = math.log(len(self._ids) + settings.idf_prior + 1.0)
        self._term_weight: dict[str, float] = {}
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for position, item in enumerate(self._analysed):
            for term, weight in self._vector(item).items():
                self._postings.setdefault(term, []).append((position, weight))

    def __len__(self) -> int:
        return len(self._ids)

    def _weight(self, term: str) -> float:
        """IDF times the term's kind: a bigram weighs less, a problem character more."""
        weight = self._term_weight.get(term)
        if weight is None:
            weight = self._log_total - math.log(self._df.get(term, 0) + 1.0) + 1.0
            if _BIGRAM_JOIN in term:
                weight *= self.settings.bigram_weight
            if any(ch in PROBLEM_CHARS for ch in term):
                weight *= self.settings.problem_boost
            self._term_weight[term] = weight
        return weight

    def _vector(self, item: Analysed) -> dict[str, float]:
        vector = {term: (1.0 + math.log(count)) * self._weight(term) for term, count in item.terms.items()}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        return {term: w / norm for term, w in vector.items()} if norm else {}

    def _combine(self, cosine: float, a: Analysed, b: Analysed) -> float:
        if places_differ(a, b):
            cosine *= self.settings.place_mismatch_factor
        return min(1.0, max(0.0, cosine))

    def score(self, a_text: str, b_text: str) -> float:
        """Likeness of two texts in [0, 1], with this index's IDF."""
        a, b = analyse(a_text), analyse(b_text)
        va, vb = self._vector(a), self._vector(b)
        if len(va) > len(vb):
            va, vb = vb, va
        return self._combine(sum(w * vb.get(term, 0.0) for term, w in va.items()), a, b)

    def likely(
        self, text: str, k: int = 10, threshold: float = DEFAULT_THRESHOLD, exclude: Collection[str] = ()
    ) -> list[tuple[float, str]]:
        """The indexed demands scoring at least ``threshold`` against ``text``, best first, at most ``k``;
        ids in ``exclude`` (the demand itself) are left out."""
        if k <= 0:
            return []
        query = analyse(text)
        dots: dict[int, float] = {}
        for term, weight in self._vector(query).items():
            for position, doc_weight in self._postings.get(term, ()):
                dots[position] = dots.get(position, 0.0) + weight * doc_weight
        found = []
        for position, cosine in dots.items():
            if cosine < threshold or self._ids[position] in exclude:
                continue  # the place factor only lowers a score
            score = self._combine(cosine, query, self._analysed[position])
            if score >= threshold:
                found.append((score, self._ids[position]))
        found.sort(key=lambda pair: (-pair[0], pair[1]))
        return found[:k]
