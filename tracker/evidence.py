"""How a stance's evidence reads in every view: its attribution, condition and corroboration.

One wording for the tag page, the review queue, timeline tooltips and the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracker.models import Attribution, Stance

if TYPE_CHECKING:
    from tracker.timelines import DayPosition

ATTRIBUTION_TEXT = {
    Attribution.ON_RECORD.value: "on record (own words)",
    Attribution.PARAPHRASE.value: "paraphrase (described by the reporter)",
    Attribution.ANONYMOUS_SOURCE.value: "anonymous source",
    Attribution.REPORTED_BY_OTHER.value: "reported by another actor",
}
NOT_RECORDED = "attribution not recorded"


def attribution_text(attribution: str | None, reporter: str | None = None) -> str:
    """'reported by Volodymyr Zelenskyy', 'anonymous source', 'attribution not recorded'."""
    if attribution == Attribution.REPORTED_BY_OTHER and reporter:
        return f"reported by {reporter}"
    return ATTRIBUTION_TEXT.get(attribution or "", NOT_RECORDED)


def sources_text(corroboration: int) -> str:
    return f"{corroboration} independent source{'s' * (corroboration != 1)}"


def evidence_line(
    attribution: str | None,
    reporter: str | None,
    conditional: bool,
    condition: str,
    corroboration: int | None = None,
) -> str:
    """'reported by Zelenskyy · conditional: ceasefire first · 2 independent sources'."""
    parts = [attribution_text(attribution, reporter)]
    if conditional:
        parts.append(f"conditional: {condition}")
    if corroboration is not None:
        parts.append(sources_text(corroboration))
    return " · ".join(parts)


def evidence_text(point: DayPosition) -> str:
    """A timeline day's representative stance, as :func:`evidence_line` words it."""
    return evidence_line(
        point.attribution,
        point.reported_by,
        point.conditional,
        point.condition,
        point.corroboration,
    )


def evidence_fields(stance: Stance, reported_by: str | None, corroboration: int) -> dict[str, Any]:
    """The evidence columns a stance row carries on the tag page and in the review queue."""
    return {
        "attribution": stance.attribution,
        "reported_by": reported_by,
        "conditional": stance.conditional,
        "condition": stance.condition,
        "corroboration": corroboration,
        "evidence": evidence_line(
            stance.attribution, reported_by, stance.conditional, stance.condition, corroboration
        ),
        "proposal": stance.proposal.name if stance.proposal else None,
    }
