"""The cold start's first requests: one read of every API function, and the peers' beside it."""

from __future__ import annotations

from typing import Any

from bench.coldstart import PEER_REQUEST, first_request
from bench.expectations import scenario_key
from infra.functions import function_specs
from infra.template import load_template


def _specs() -> list[Any]:
    def placeholder(value: Any) -> Any:
        return "unresolved" if isinstance(value, dict | list) else value

    return function_specs(load_template(), {}, resolve=placeholder)


def test_every_api_function_has_a_first_request_of_its_own_that_reads() -> None:
    for spec in (s for s in _specs() if s.routes):
        scenario = first_request(spec)
        assert scenario is not None, spec.logical_id
        assert scenario.method == "GET", spec.logical_id
        assert scenario_key(scenario.method, scenario.path) in {
            scenario_key(r.method, r.path) for r in spec.routes
        }, spec.logical_id


def test_the_peers_answer_the_first_request_of_a_function() -> None:
    firsts = {s.key() for spec in _specs() if spec.routes and (s := first_request(spec))}
    assert PEER_REQUEST in firsts
