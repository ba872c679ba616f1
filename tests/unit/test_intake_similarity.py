"""Intake's duplicate measure reads Chinese: paraphrases of one problem at one place score above the
threshold, another place or another problem below it (services/intake/domain/similarity.py)."""

from __future__ import annotations

import statistics
import time

import pytest

from services.intake.domain import rules as r
from services.intake.domain.similarity import DEFAULT_THRESHOLD, SimilarityIndex, analyse, normalise, places_differ

# A small county corpus, written apart from the labelled pairs of `shishi similarity measure`.
CORPUS = [
    ("c1", "幸福路路灯不亮，晚上黑漆漆的"),
    ("c2", "解放路路灯不亮好几天了"),
    ("c3", "和平里小区5栋楼道灯坏了"),
    ("c4", "人民公园的健身器材坏了"),
    ("c5", "建设路口有个大坑，电动车骑过去容易摔"),
    ("c6", "5路公交车太少，等车要半小时"),
    ("c7", "滨河路人行道地砖松动"),
    ("c8", "东风路菜市场门口垃圾堆积发臭"),
]

PARAPHRASES = [
    ("幸福路的路灯坏了好几盏，晚上走路看不见", "市民来电反映：幸福路多盏路灯不亮，夜间照明不足，请尽快维修。"),
    ("建设路口那个大坑，骑车的人摔了好几次了", "12345转办：建设路路口路面有深坑，多次有骑车人摔倒，请修复。"),
    ("东风路菜市场门口的垃圾好几天没人拉，臭死了", "东风路农贸市场门前垃圾未及时清运，堆积发臭。"),
    ("和平里小区五栋楼道灯坏了，老人上楼看不见", "和平里小区5号楼楼道照明灯损坏，请更换。"),
    ("５路车太少了，等半天都不来", "5路公交车班次不足，候车时间过长，希望增加班次。"),
    (  # issue 15: the old measure scored it 0.36 against its 0.55
        "台城街道环市路路面坑洼，雨天积水",
        "市民来电反映：环市路台城段马路烂了好多坑，一下雨就积水，要求尽快修补",
    ),
]

DIFFERENT_PLACE = [
    ("幸福路路灯不亮，晚上黑漆漆的", "解放路路灯不亮，晚上黑漆漆的"),
    ("和平里小区5栋楼道灯坏了", "和平里小区8栋楼道灯坏了"),
    ("5路公交车太少，等车要半小时", "3路公交车太少，等车要半小时"),
    ("朝阳街东段路面坑洼", "朝阳街西段路面坑洼"),
]

DIFFERENT_PROBLEM = [
    ("幸福路路灯不亮", "幸福路路灯杆被车撞歪了"),
    ("滨河路人行道地砖松动", "滨河路的垃圾桶满了好几天没人清"),
    ("东风路菜市场门口垃圾堆积发臭", "东风路菜市场门口的消防栓漏水"),
    ("人民公园的健身器材坏了", "人民公园晚上广场舞太吵"),
]


@pytest.fixture(scope="module")
def index() -> SimilarityIndex:
    return SimilarityIndex(CORPUS)


def test_normalise_folds_width_numerals_boilerplate_and_paraphrases() -> None:
    assert normalise("ＣＴ机坏了１２天") == "ct机坏了12天"
    assert "5栋" in normalise("和平里小区五栋") and "32号" in normalise("滨河路三十二号")
    assert "反映" not in normalise("市民来电反映：幸福路路灯不亮")
    assert "积水" in normalise("一下雨就内涝")


def test_places_are_compared_by_name_and_number() -> None:
    assert places_differ(analyse("幸福路路灯不亮"), analyse("解放路路灯不亮"))
    assert places_differ(analyse("和平里小区5栋"), analyse("和平里小区8栋"))
    assert not places_differ(analyse("纺织厂宿舍想装电梯"), analyse("纺织厂家属院加装电梯"))
    assert not places_differ(analyse("幸福路的灯不亮"), analyse("路灯不亮"))  # one side names no place


@pytest.mark.parametrize(("a", "b"), PARAPHRASES)
def test_paraphrases_score_above_the_threshold(index: SimilarityIndex, a: str, b: str) -> None:
    assert index.score(a, b) >= DEFAULT_THRESHOLD
    assert SimilarityIndex([]).score(a, b) >= DEFAULT_THRESHOLD  # with no corpus at all


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PLACE + DIFFERENT_PROBLEM)
def test_another_place_or_another_problem_scores_below_the_threshold(index: SimilarityIndex, a: str, b: str) -> None:
    assert index.score(a, b) < DEFAULT_THRESHOLD


@pytest.mark.xfail(strict=True, reason="known limit: one facility at one place (人行道) outweighs a short problem")
def test_same_facility_same_place_other_problem_is_a_known_limit(index: SimilarityIndex) -> None:
    assert index.score("滨河路人行道地砖松动", "滨河路人行道被电动车停满了") < DEFAULT_THRESHOLD


def test_scores_are_symmetric_and_bounded(index: SimilarityIndex) -> None:
    for (_, a), (_, b) in zip(CORPUS, CORPUS[1:], strict=False):
        assert 0.0 <= index.score(a, b) <= 1.0
        assert index.score(a, b) == pytest.approx(index.score(b, a))
    assert index.score(CORPUS[0][1], CORPUS[0][1]) == pytest.approx(1.0)
    assert index.score("", CORPUS[0][1]) == 0.0
    assert index.score("！！！", "。。。") == 0.0


def test_likely_ranks_the_duplicate_first_and_obeys_k_threshold_and_exclude(index: SimilarityIndex) -> None:
    found = index.likely("市民来电反映幸福路多盏路灯不亮，夜间照明不足", k=5)
    assert [doc_id for _, doc_id in found] == ["c1"]
    assert index.likely(CORPUS[0][1], k=5, threshold=0.99, exclude={"c1"}) == []
    everything = index.likely("路灯坏了", k=3, threshold=0.0)
    assert len(everything) == 3 and [s for s, _ in everything] == sorted((s for s, _ in everything), reverse=True)
    assert index.likely("路灯坏了", k=0) == []
    for score, doc_id in index.likely("建设路路口有深坑", k=10, threshold=0.0):
        assert score == pytest.approx(index.score("建设路路口有深坑", dict(CORPUS)[doc_id]))


def test_one_demand_against_two_thousand_takes_milliseconds() -> None:
    texts = [t for pair in PARAPHRASES + DIFFERENT_PLACE + DIFFERENT_PROBLEM for t in pair]
    big = SimilarityIndex((f"d{i}", f"{texts[i % len(texts)]}（{i}）") for i in range(2000))
    runs = []
    for query in texts[:9]:
        started = time.perf_counter()
        big.likely(query, k=10)
        runs.append(time.perf_counter() - started)
    assert statistics.median(runs) < 0.05


def doc(n: int, text: str, town: str = "台城街道", category: str = "roads", status: str = "received") -> dict:
    return {"id": f"d{n}", "town": town, "category": category, "text": text, "status": status}


def test_intake_suggests_the_paraphrase_of_the_same_town_and_category_only() -> None:
    me = doc(1, PARAPHRASES[-1][0])
    others = [
        doc(2, PARAPHRASES[-1][1]),  # the paraphrase: suggested
        doc(3, PARAPHRASES[-1][1], town="大江镇"),  # another town
        doc(4, PARAPHRASES[-1][1], category="water"),  # another category
        doc(5, PARAPHRASES[-1][1], status="closed"),  # closed
        doc(6, "台城街道环市路路灯不亮"),  # the same road, another problem
    ]
    found = r.likely_duplicates(me, [me, *others], r.DEFAULTS)
    assert [o["id"] for _, o in found] == ["d2"] and found[0][0] >= r.DEFAULTS["duplicate_threshold"]
    assert r.DEFAULTS["duplicate_threshold"] == DEFAULT_THRESHOLD
    assert r.likely_duplicates(me, [me, *others], {**r.DEFAULTS, "duplicate_threshold": 0.99}) == []
