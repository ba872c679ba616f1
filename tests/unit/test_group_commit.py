"""Group commit: submissions that arrive while a transaction is being written share the next one,
each answered with its own result or its own refusal; alone, a submission commits at once."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

import pytest

from shared.persistence.group_commit import GroupCommit


class Store:
    """Commits batches; each commit takes ``seconds`` (a transaction being written)."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.batches: list[list[int]] = []

    def commit(self, items: Sequence[int]) -> list[int | BaseException]:
        time.sleep(self.seconds)
        self.batches.append(list(items))
        return [ValueError(f"{i} refused") if i < 0 else i * 10 for i in items]


def test_alone_a_submission_commits_at_once_in_its_own_transaction() -> None:
    store = Store()
    commits = GroupCommit(store.commit)
    assert [commits.submit(n) for n in (1, 2, 3)] == [10, 20, 30]
    assert store.batches == [[1], [2], [3]]


def test_submissions_arriving_during_a_commit_share_the_next_one() -> None:
    store = Store(seconds=0.05)
    commits = GroupCommit(store.commit)
    answers: dict[int, int] = {}
    first = threading.Thread(target=lambda: answers.update({0: commits.submit(0)}))
    first.start()
    time.sleep(0.01)  # the first commit is being written
    others = [threading.Thread(target=lambda n=n: answers.update({n: commits.submit(n)})) for n in range(1, 9)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join()
    assert answers == {n: n * 10 for n in range(9)}
    assert store.batches[0] == [0]
    assert sorted(i for batch in store.batches[1:] for i in batch) == list(range(1, 9))
    assert len(store.batches) < 9  # fewer transactions than submissions
    assert commits.items == 9 and commits.batches == len(store.batches)


def test_a_refused_submission_is_answered_alone_and_the_others_are_saved() -> None:
    store = Store(seconds=0.02)
    commits = GroupCommit(store.commit)
    outcomes: dict[int, object] = {}

    def submit(n: int) -> None:
        try:
            outcomes[n] = commits.submit(n)
        except ValueError as exc:
            outcomes[n] = str(exc)

    threads = [threading.Thread(target=submit, args=(n,)) for n in (1, -2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {1: 10, -2: "-2 refused", 3: 30}


def test_a_failed_transaction_fails_every_submission_in_it() -> None:
    def broken(items: Sequence[int]) -> list[int | BaseException]:
        raise OSError("disk full")

    commits: GroupCommit[int, int] = GroupCommit(broken)
    with pytest.raises(OSError, match="disk full"):
        commits.submit(1)


def test_async_submissions_wait_on_the_loop_and_share_commits() -> None:
    store = Store(seconds=0.02)
    commits = GroupCommit(store.commit)

    async def many() -> list[int]:
        return list(await asyncio.gather(*(commits.submit_async(n) for n in range(20))))

    assert asyncio.run(many()) == [n * 10 for n in range(20)]
    assert sorted(i for batch in store.batches for i in batch) == list(range(20))
    assert len(store.batches) < 20


def test_an_async_refusal_is_raised_to_its_own_caller_only() -> None:
    commits = GroupCommit(Store().commit)

    async def both() -> list[object]:
        return list(await asyncio.gather(commits.submit_async(-1), commits.submit_async(4), return_exceptions=True))

    refused, saved = asyncio.run(both())
    assert isinstance(refused, ValueError) and saved == 40
