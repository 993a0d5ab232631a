"""Parsed documents are remembered per process by query text and token limit: the same text
parses once, a text that fails to parse fails every time, and a text parsed under a larger
token limit is not handed to a request with a smaller one."""

from __future__ import annotations

import pytest
from graphql import GraphQLError

from core.graphql import view
from core.graphql.view import parsed_document

QUERY = "query Probe { viewer { email } }"


def test_the_same_text_is_parsed_once():
    first = parsed_document(QUERY, 1000)
    assert parsed_document(QUERY, 1000) is first
    assert parsed_document(QUERY, 2000) is not first  # another limit: parsed under it


def test_a_text_that_does_not_parse_fails_every_time():
    for _ in range(2):
        with pytest.raises(GraphQLError):
            parsed_document("query { viewer {", 1000)
    assert ("query { viewer {", 1000) not in view._parsed


def test_a_smaller_token_limit_still_refuses_a_long_text():
    parsed_document(QUERY, 1000)
    with pytest.raises(GraphQLError, match="token"):
        parsed_document(QUERY, 3)


def test_the_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(view, "PARSED_CACHE_SIZE", 2)
    monkeypatch.setattr(view, "_parsed", type(view._parsed)())
    for index in range(5):
        parsed_document(f"query Q{index} {{ viewer {{ email }} }}", 1000)
    assert len(view._parsed) == 2
    assert list(view._parsed) == [(f"query Q{index} {{ viewer {{ email }} }}", 1000) for index in (3, 4)]
