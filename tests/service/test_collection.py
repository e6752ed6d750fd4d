"""The run's garbage-collection policy: no full collection while a posting run works, restored after."""

from __future__ import annotations

import gc

import pytest

from mobius_tui.service.collection import (
    NEVER,
    no_full_collection,
    without_full_collection,
)


@pytest.fixture
def threshold():
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_full_collections_pause_while_held_and_nested_holders_restore_once(threshold) -> None:
    with no_full_collection():
        assert gc.get_threshold() == (threshold[0], threshold[1], NEVER)
        with no_full_collection():
            assert gc.get_threshold()[2] == NEVER
        assert gc.get_threshold()[2] == NEVER  # the outer holder still works
    assert gc.get_threshold() == threshold


def test_a_policy_set_by_another_holder_is_left_to_it(threshold) -> None:
    gc.set_threshold(threshold[0], threshold[1], NEVER)  # as the screens' service thread sets it
    with no_full_collection():
        pass
    assert gc.get_threshold()[2] == NEVER  # not restored to NEVER's predecessor by us: the other holder does


async def test_a_use_case_runs_under_the_policy_and_restores_it_when_it_fails(threshold) -> None:
    seen = []

    @without_full_collection
    async def use_case(fail: bool) -> int:
        seen.append(gc.get_threshold()[2])
        if fail:
            raise RuntimeError("stopped")
        return 1

    assert await use_case(False) == 1
    with pytest.raises(RuntimeError):
        await use_case(True)
    assert seen == [NEVER, NEVER] and gc.get_threshold() == threshold
