"""Rule semantics: every operator, nesting, levels by competency, the index of what a rule
mentions, parsing errors that say where, and monotonicity (earning never closes a door)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.errors import InvalidInput
from server.stacks.rules import (
    AllOf,
    AnyOf,
    AtLeast,
    Badge,
    Held,
    LevelAtLeast,
    badge_classes,
    competencies,
    evaluate,
    parse,
    to_json,
)


def held(*ids: int, level: str = "skill", competency: int | None = None) -> list[Held]:
    return [
        Held(i, level, frozenset({competency}) if competency is not None else frozenset())
        for i in ids
    ]


def test_a_single_badge() -> None:
    rule = parse({"badge": 1})
    assert rule == Badge(1)
    assert evaluate(rule, held(1)).met
    outcome = evaluate(rule, held(2))
    assert not outcome.met and outcome.missing == {1} and outcome.holding == frozenset()


def test_all_of_any_of_and_at_least() -> None:
    all_of = parse({"all_of": [{"badge": 1}, {"badge": 2}, {"badge": 3}]})
    assert not evaluate(all_of, held(1, 2)).met
    assert evaluate(all_of, held(1, 2)).missing == {3}
    assert evaluate(all_of, held(3, 2, 1)).met
    any_of = parse({"any_of": [{"badge": 1}, {"badge": 2}]})
    assert evaluate(any_of, held(2)).met and not evaluate(any_of, held(3)).met
    assert evaluate(any_of, held(3)).missing == {1, 2}  # either would do
    two_of = parse({"at_least": 2, "of": [{"badge": 1}, {"badge": 2}, {"badge": 3}]})
    assert not evaluate(two_of, held(1)).met
    assert evaluate(two_of, held(1)).missing == {2, 3}
    assert evaluate(two_of, held(1, 3)).met and evaluate(two_of, held(1, 2, 3)).met


def test_levels_count_badges_aligned_to_the_competency_at_or_above_the_level() -> None:
    rule = parse({"level": "achievement", "competency": 7})
    assert rule == LevelAtLeast(7, "achievement")
    assert not evaluate(rule, held(1, level="skill", competency=7)).met
    assert not evaluate(rule, held(1, level="summit", competency=8)).met
    summit = evaluate(rule, held(1, level="summit", competency=7))
    assert summit.met and summit.holding == {1}
    exact = evaluate(rule, held(2, level="achievement", competency=7))
    assert exact.met
    unmet = evaluate(rule, held(3, level="participation", competency=7))
    assert unmet.missing_levels == {(7, "achievement")} and unmet.missing == frozenset()


def test_nesting_across_issuers_the_aurora_summit() -> None:
    # Summit in Invention: the summit badge, or two maker badges and the showcase (any issuer).
    rule = parse(
        {
            "any_of": [
                {"badge": 100},
                {
                    "all_of": [
                        {"at_least": 2, "of": [{"badge": 1}, {"badge": 2}, {"badge": 3}]},
                        {"any_of": [{"badge": 50}, {"level": "skill", "competency": 9}]},
                    ]
                },
            ]
        }
    )
    assert evaluate(rule, held(100)).met
    assert not evaluate(rule, held(1, 2)).met
    assert evaluate(rule, held(1, 2)).missing == {100, 50}
    assert evaluate(rule, held(1, 2, 50)).met
    with_level = held(1, 3) + held(70, level="skill", competency=9)
    assert evaluate(rule, with_level).met
    assert badge_classes(rule) == {100, 1, 2, 3, 50}
    assert competencies(rule) == {9}
    assert parse(to_json(rule)) == rule


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        ([], "rule: each rule is an object"),
        ({}, "rule: use badge"),
        ({"badge": 0}, "rule: badge must be a positive"),
        ({"badge": True}, "rule: badge must be a positive"),
        ({"badge": "12"}, "rule: badge must be a positive"),
        ({"all_of": []}, "rule.all_of: needs a list"),
        ({"any_of": [{"badge": 1}, {"bad": 2}]}, "rule.any_of[1]: use badge"),
        ({"at_least": 3, "of": [{"badge": 1}, {"badge": 2}]}, "can never be met"),
        ({"at_least": 0, "of": [{"badge": 1}]}, "at_least must be a positive"),
        ({"level": "expert", "competency": 1}, "level must be one of"),
        ({"level": "skill"}, "rule: use badge"),
        ({"badge": 1, "any_of": []}, "rule: use badge"),
    ],
)
def test_bad_rules_say_where_and_why(raw: Any, where: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse(raw)
    assert where in error.value.message and error.value.field == "rule"


def test_size_and_depth_are_bounded() -> None:
    deep: dict[str, Any] = {"badge": 1}
    for _ in range(7):
        deep = {"all_of": [deep]}
    with pytest.raises(InvalidInput, match="nest at most"):
        parse(deep)
    wide = {"any_of": [{"badge": i} for i in range(1, 250)]}
    with pytest.raises(InvalidInput, match="at most 200 parts"):
        parse(wide)


LEAF = st.one_of(
    st.builds(Badge, st.integers(1, 6)),
    st.builds(LevelAtLeast, st.integers(1, 3), st.sampled_from(["skill", "summit"])),
)
RULES = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.builds(AllOf, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(AnyOf, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.lists(inner, min_size=1, max_size=3).flatmap(
            lambda rules: st.builds(AtLeast, st.integers(1, len(rules)), st.just(tuple(rules)))
        ),
    ),
    max_leaves=8,
)
HOLDINGS = st.lists(
    st.builds(
        Held,
        st.integers(1, 6),
        st.sampled_from(["participation", "skill", "achievement", "summit"]),
        st.frozensets(st.integers(1, 3), max_size=2),
    ),
    max_size=6,
)


@given(rule=RULES, before=HOLDINGS, more=HOLDINGS)
def test_earning_more_never_closes_a_door(rule: Any, before: list[Held], more: list[Held]) -> None:
    if evaluate(rule, before).met:
        assert evaluate(rule, before + more).met
    assert parse(to_json(rule)) == rule


@given(rule=RULES, holdings=HOLDINGS)
def test_an_unmet_rule_is_met_by_what_it_says_is_missing(rule: Any, holdings: list[Held]) -> None:
    outcome = evaluate(rule, holdings)
    if outcome.met:
        return
    extra = [Held(i, "participation") for i in outcome.missing] + [
        Held(1000 + c, level, frozenset({c})) for c, level in outcome.missing_levels
    ]
    assert evaluate(rule, holdings + extra).met
