"""An agenda view as an iCalendar file: one all-day event per date, for a caseworker's calendar.

Each event's summary and description are in the view's language; its UID is
the same on every export of the case (case, predicate, subjects), so importing
the file again updates the events rather than doubling them; its category says
whether the date is past, today or coming, and whether it is a deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from icalendar import Calendar, Event

from explain.view.views import View
from explain.wording.i18n import gettext

PRODUCT = "-//Havre//havre agenda//EN"


def render_ics(view: View) -> bytes:
    """The agenda's dates as an iCalendar file (RFC 5545)."""
    _ = gettext(view["lang"])
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Agenda of case %(case)s") % {"case": view["case"]["id"]})
    stamp = dt.datetime.combine(dt.date.fromisoformat(view["case"]["assessment_date"]), dt.time(), dt.UTC)
    for entry in view["entries"]:
        calendar.add_component(_event(entry, stamp, _))
    return calendar.to_ical()


def _event(entry: View, stamp: dt.datetime, gettext: Callable[[str], str]) -> Event:
    day = dt.date.fromisoformat(entry["date"])
    event = Event()
    event.add("uid", entry["uid"])
    event.add("dtstamp", stamp)  # the assessment date: the same file for the same case
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    deadline = entry["deadline"]
    event.add("summary", entry["title"])
    event.add("description", "\n".join(_description(entry, gettext)))
    categories = [entry["when_text"]] + ([gettext("deadline")] if deadline is not None else [])
    event.add("categories", categories)
    event.add("transp", "TRANSPARENT")  # an all-day date, not time taken
    return event


def _description(entry: View, gettext: Callable[[str], str]) -> list[str]:
    lines = [entry["text"]]
    deadline = entry["deadline"]
    if deadline is not None:
        lines.append(gettext("Who must act: %(party)s") % {"party": deadline["party_text"]})
        if deadline["met"]:
            lines.append(deadline["met"]["text"])
        elif deadline["passed"]:
            lines.append(deadline["passed_text"])
    for r in entry["rules"]:
        lines.append(gettext("Date set by rule %(rule)s: %(title)s") % {"rule": r["rule"], "title": r["title"]})
        for c in r["citations"]:
            lines.append(f"{c['id']} · {c['title']} — {c['source_title']} — {c['authority_text']}")
    return lines
