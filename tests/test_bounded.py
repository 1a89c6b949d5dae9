"""The shared results cache keeps to its number and size limits and computes each key once."""

from __future__ import annotations

import threading
import time

import pytest
import streamlit
from hypothesis import given, settings
from hypothesis import strategies as st

import dashboard.data
from dashboard.bounded import BoundedCache
from geo.filters import Filters
from geo.settings import data_paths


def sized(max_entries: int = 10, max_size: int = 100) -> BoundedCache[tuple[str, int]]:
    """Values are ``(name, size)`` pairs."""
    return BoundedCache(max_entries, max_size, lambda value: value[1])


def test_the_least_recently_used_go_first_when_the_rows_pass_the_budget():
    cache = sized(max_size=100)
    for name in "abc":
        cache.get(name, lambda n=name: (n, 40))
    assert "a" not in cache and {"b", "c"} <= {k for k in "abc" if k in cache}
    cache.get("b", lambda: pytest.fail("b is kept"))  # b is now the most recently used
    cache.get("d", lambda: ("d", 40))
    assert "c" not in cache and "b" in cache and "d" in cache
    assert cache.total_size == 80


def test_the_number_of_values_is_bounded_too():
    cache = sized(max_entries=3, max_size=10**9)
    for number in range(10):
        cache.get(number, lambda n=number: (str(n), 1))
    assert len(cache) == 3 and all(number in cache for number in (7, 8, 9))


def test_a_value_over_the_budget_alone_is_still_kept_until_the_next():
    cache = sized(max_size=100)
    cache.get("small", lambda: ("small", 10))
    huge = cache.get("huge", lambda: ("huge", 1000))
    assert huge == ("huge", 1000) and len(cache) == 1 and "huge" in cache
    cache.get("next", lambda: ("next", 10))
    assert "huge" not in cache and "next" in cache


def test_sessions_asking_at_once_compute_a_key_once():
    cache = sized()
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return ("slow", 1)

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get("k", slow)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and answers == [("slow", 1)] * 4


def test_a_failed_computation_keeps_nothing_and_the_next_ask_computes_again():
    cache = sized()

    def broken():
        raise ValueError("bad data")

    with pytest.raises(ValueError, match="bad data"):
        cache.get("k", broken)
    assert "k" not in cache
    assert cache.get("k", lambda: ("k", 1)) == ("k", 1)


@settings(max_examples=200, deadline=None)
@given(limits=st.tuples(st.integers(1, 6), st.integers(1, 50)),
       asks=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 30)), max_size=40))
def test_every_answer_is_its_keys_value_and_the_limits_hold(limits, asks):
    max_entries, max_size = limits
    cache = sized(max_entries, max_size)
    sizes: dict[int, int] = {}
    for key, size in asks:
        sizes.setdefault(key, size)  # a key's value never changes: the cache is keyed by data
        answer = cache.get(key, lambda k=key: (str(k), sizes[k]))
        assert answer == (str(key), sizes[key])
        assert key in cache
        assert len(cache) <= max_entries
        assert len(cache) == 1 or cache.total_size <= max_size


@pytest.fixture
def fresh_resources():
    streamlit.cache_resource.clear()
    yield
    streamlit.cache_resource.clear()


def test_the_dashboard_keeps_its_checks_by_their_rows(monkeypatch, fresh_resources):
    monkeypatch.setattr(dashboard.data, "CHECKED_ROWS_KEPT", 1)
    data = dashboard.data.dataset(data_paths({}))
    first = dashboard.data.filtered_check(data, Filters())
    assert dashboard.data.filtered_check(data, Filters()) is first
    dashboard.data.filtered_check(data, Filters(types=frozenset({"incubator"})))
    again = dashboard.data.filtered_check(data, Filters())
    assert again is not first and again.towns.equals(first.towns)
