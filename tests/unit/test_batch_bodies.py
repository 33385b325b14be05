"""The labelled batch body's two decoders agree: a body msgspec takes (the SDK's exact shape) is
one pydantic takes too, with the same inputs; pydantic takes the rest or refuses it."""

from __future__ import annotations

import json
from typing import Any

from fastapi.exceptions import RequestValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.api.association_bodies import _MULTI_POST, Pair, _pair, fast_pairs
from liaison.api.routing import validated

_GOOD_IDS = st.one_of(
    st.integers(min_value=1, max_value=2**63 - 1), st.integers(min_value=1).map(str)
)
_ODD_IDS = st.one_of(
    st.integers(min_value=-5, max_value=2**64),
    st.integers(min_value=10**17, max_value=10**20).map(str),
    st.sampled_from(["0", "007", " 5", "5 ", "5.0", "+5", "1e3", "", "x", "9" * 19]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
_IDS = st.one_of(_GOOD_IDS, _GOOD_IDS, _GOOD_IDS, _ODD_IDS)
"""Mostly good, so that many bodies are the fast decoder's to take."""
_TYPE_IDS = st.one_of(
    st.integers(min_value=1, max_value=2**31 - 1),
    st.integers(min_value=1, max_value=2**31 - 1),
    st.integers(min_value=-1, max_value=2**32),
    st.sampled_from(["279", 279.0, None]),
)
_SPECS = st.fixed_dictionaries(
    {
        "associationCategory": st.sampled_from(["HUBSPOT_DEFINED", "USER_DEFINED", "WORK", "x"]),
        "associationTypeId": _TYPE_IDS,
    },
    optional={"extra": st.just(1)},
)
_INPUTS = st.fixed_dictionaries(
    {
        "from": st.fixed_dictionaries({"id": _IDS}),
        "to": st.fixed_dictionaries({"id": _IDS}),
        "types": st.lists(_SPECS, max_size=3),
    },
    optional={"note": st.text(max_size=3)},
)


def _by_pydantic(raw: bytes) -> list[Pair] | None:
    try:
        return [_pair(i) for i in validated(_MULTI_POST, raw)["inputs"]]
    except RequestValidationError:
        return None


@settings(max_examples=400, deadline=None)
@given(st.lists(_INPUTS, max_size=4))
def test_a_body_the_fast_decoder_takes_means_what_pydantic_makes_of_it(
    inputs: list[dict[str, Any]],
) -> None:
    raw = json.dumps({"inputs": inputs}).encode()
    fast = fast_pairs(raw)
    if fast is not None:
        assert fast == _by_pydantic(raw)


def test_the_sdk_shape_takes_the_fast_way() -> None:
    raw = json.dumps(
        {
            "inputs": [
                {
                    "from": {"id": "12"},
                    "to": {"id": 34},
                    "types": [
                        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279},
                        {"associationCategory": "USER_DEFINED", "associationTypeId": 9001},
                        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279},
                    ],
                }
            ]
        }
    ).encode()
    assert fast_pairs(raw) == _by_pydantic(raw) == [(12, 34, (279, 9001))]
    assert fast_pairs(b'{"inputs": [{"from": {"id": 5.0}, "to": {"id": 6}, "types": []}]}') is None
