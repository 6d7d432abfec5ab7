"""Unlock rules: a tree over badge classes that says which stacks of badges open a door.

    {"badge": 12}                                   holds badge class 12
    {"all_of": [rule, ...]}                         every one
    {"any_of": [rule, ...]}                         at least one
    {"at_least": 2, "of": [rule, ...]}              at least n of them
    {"level": "skill", "competency": 7}             a badge aligned to competency 7 at level
                                                    skill or above (participation < skill <
                                                    achievement < summit)

Pure functions (no database): parse and check a rule, the badge classes and competencies
it mentions (the index that makes evaluation incremental), and evaluate it against what a
learner holds. Holding is monotonic: earning a badge never closes a door it opened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from server.errors import InvalidInput
from server.models.enums import BadgeLevel

LEVELS = (BadgeLevel.PARTICIPATION, BadgeLevel.SKILL, BadgeLevel.ACHIEVEMENT, BadgeLevel.SUMMIT)
RANK = {level.value: rank for rank, level in enumerate(LEVELS)}
MAX_DEPTH = 6
MAX_NODES = 200


@dataclass(frozen=True)
class Badge:
    badge_class_id: int


@dataclass(frozen=True)
class AllOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class AtLeast:
    n: int
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class LevelAtLeast:
    competency_id: int
    level: str


Rule = Badge | AllOf | AnyOf | AtLeast | LevelAtLeast


@dataclass(frozen=True)
class Held:
    """One badge a learner holds (valid: not revoked, not expired), as rules see it."""

    badge_class_id: int
    level: str
    competency_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Outcome:
    met: bool
    # Badge classes in the rule the learner holds, and those that would move it on
    # (every option of an unmet branch: any one of an any_of helps).
    holding: frozenset[int]
    missing: frozenset[int]
    # Unmet level rules: (competency, level) pairs any badge of which would help.
    missing_levels: frozenset[tuple[int, str]] = frozenset()


def parse(raw: Any) -> Rule:
    """A rule from its JSON form; InvalidInput (field "rule", with where) when it is not one."""
    counter = [0]
    return _parse(raw, "rule", 1, counter)


def _fail(where: str, message: str) -> InvalidInput:
    return InvalidInput(f"{where}: {message}", field="rule")


def _int(value: Any, where: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise _fail(where, f"{what} must be a positive whole number")
    return value


def _children(raw: Any, where: str, depth: int, counter: list[int]) -> tuple[Rule, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(where, "needs a list of at least one rule")
    return tuple(_parse(item, f"{where}[{i}]", depth + 1, counter) for i, item in enumerate(raw))


def _parse(raw: Any, where: str, depth: int, counter: list[int]) -> Rule:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _fail(where, f"a rule has at most {MAX_NODES} parts")
    if depth > MAX_DEPTH:
        raise _fail(where, f"rules nest at most {MAX_DEPTH} deep")
    if not isinstance(raw, Mapping):
        raise _fail(where, 'each rule is an object like {"badge": 12}')
    keys = set(raw)
    if keys == {"badge"}:
        return Badge(_int(raw["badge"], where, "badge"))
    if keys == {"all_of"}:
        return AllOf(_children(raw["all_of"], f"{where}.all_of", depth, counter))
    if keys == {"any_of"}:
        return AnyOf(_children(raw["any_of"], f"{where}.any_of", depth, counter))
    if keys == {"at_least", "of"}:
        rules = _children(raw["of"], f"{where}.of", depth, counter)
        n = _int(raw["at_least"], where, "at_least")
        if n > len(rules):
            raise _fail(where, f"at_least {n} of only {len(rules)} rules can never be met")
        return AtLeast(n, rules)
    if keys == {"level", "competency"}:
        level = raw["level"]
        if level not in RANK:
            raise _fail(where, f"level must be one of {', '.join(RANK)}")
        return LevelAtLeast(_int(raw["competency"], where, "competency"), str(level))
    raise _fail(where, "use badge, all_of, any_of, at_least with of, or level with competency")


def to_json(rule: Rule) -> dict[str, Any]:
    if isinstance(rule, Badge):
        return {"badge": rule.badge_class_id}
    if isinstance(rule, AllOf):
        return {"all_of": [to_json(r) for r in rule.rules]}
    if isinstance(rule, AnyOf):
        return {"any_of": [to_json(r) for r in rule.rules]}
    if isinstance(rule, AtLeast):
        return {"at_least": rule.n, "of": [to_json(r) for r in rule.rules]}
    return {"level": rule.level, "competency": rule.competency_id}


def badge_classes(rule: Rule) -> frozenset[int]:
    """The badge classes a rule names (its entries in the index from badge class to rules)."""
    if isinstance(rule, Badge):
        return frozenset({rule.badge_class_id})
    if isinstance(rule, LevelAtLeast):
        return frozenset()
    return frozenset().union(*(badge_classes(r) for r in rule.rules))


def competencies(rule: Rule) -> frozenset[int]:
    """The competencies its level rules name: any badge aligned to one can change it."""
    if isinstance(rule, LevelAtLeast):
        return frozenset({rule.competency_id})
    if isinstance(rule, Badge):
        return frozenset()
    return frozenset().union(*(competencies(r) for r in rule.rules))


def evaluate(rule: Rule, held: Iterable[Held]) -> Outcome:
    holdings = list(held)
    return _evaluate(rule, {h.badge_class_id for h in holdings}, holdings)


def _evaluate(rule: Rule, ids: set[int], holdings: list[Held]) -> Outcome:
    if isinstance(rule, Badge):
        got = rule.badge_class_id in ids
        one = frozenset({rule.badge_class_id})
        return Outcome(got, one if got else frozenset(), frozenset() if got else one)
    if isinstance(rule, LevelAtLeast):
        need = RANK[rule.level]
        matching = frozenset(
            h.badge_class_id
            for h in holdings
            if rule.competency_id in h.competency_ids and RANK.get(h.level, -1) >= need
        )
        met = bool(matching)
        return Outcome(
            met,
            matching,
            frozenset(),
            frozenset() if met else frozenset({(rule.competency_id, rule.level)}),
        )
    parts = [_evaluate(r, ids, holdings) for r in rule.rules]
    met_count = sum(1 for p in parts if p.met)
    if isinstance(rule, AllOf):
        met = met_count == len(parts)
    elif isinstance(rule, AnyOf):
        met = met_count >= 1
    else:
        met = met_count >= rule.n
    holding = frozenset().union(*(p.holding for p in parts))
    if met:
        return Outcome(True, holding, frozenset())
    unmet = [p for p in parts if not p.met]
    return Outcome(
        False,
        holding,
        frozenset().union(*(p.missing for p in unmet)),
        frozenset().union(*(p.missing_levels for p in unmet)),
    )
