"""An unlock rule in a short phrase, in the page's language: "all of: Design Thinking, Intro
to HTML", "at least 2 of: …", "a skill-level badge in Digital literacy". Used by the
partner dashboard and the learner pages."""

from __future__ import annotations

from collections.abc import Mapping

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
