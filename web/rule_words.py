"""An unlock rule in a short phrase, in the page's language: "all of: Design Thinking, Intro
to HTML", "at least 2 of: …", "a skill-level badge in Digital literacy". Used by the
partner dashboard and the learner pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from server.stacks import rules
from web.i18n import Translator


def rule_words(
    rule: rules.Rule, badges: Mapping[int, str], competencies: Mapping[int, str], t: Translator
) -> str:
    """The rule in words; badges and competencies it names but the maps lack show by id."""
    return _words(rule, badges, competencies, t, top=True)


def _words(
    rule: rules.Rule,
    badges: Mapping[int, str],
    competencies: Mapping[int, str],
    t: Translator,
    *,
    top: bool,
) -> str:
    if isinstance(rule, rules.Badge):
        return badges.get(rule.badge_class_id) or t("rule.badge_id", id=rule.badge_class_id)
    if isinstance(rule, rules.LevelAtLeast):
        competency = competencies.get(rule.competency_id) or t(
            "rule.competency_id", id=rule.competency_id
        )
        return t(f"rule.level.{rule.level}", competency=competency)
    items = ", ".join(_words(r, badges, competencies, t, top=False) for r in rule.rules)
    if isinstance(rule, rules.AllOf):
        text = t("rule.all_of", items=items)
    elif isinstance(rule, rules.AnyOf):
        text = t("rule.any_of", items=items)
    else:
        text = t("rule.at_least", n=rule.n, items=items)
    return text if top else f"({text})"


def loss_words(lost: Sequence[Mapping[str, Any]] | None, stored: str | None, t: Translator) -> str:
    """Why a door locked again, in the page's language: from the structured record the
    engine keeps beside the stored English reason (which older rows have alone)."""
    if lost is None:
        return stored or ""
    if not lost:
        return t("loss.rule_changed")
    parts = []
    for item in lost:
        badge = str(item.get("badge", ""))
        if not item.get("revoked"):
            parts.append(t("loss.expired", badge=badge))
        elif item.get("why"):
            parts.append(t("loss.revoked_why", badge=badge, why=str(item["why"])))
        else:
            parts.append(t("loss.revoked", badge=badge))
    return "; ".join(parts)
