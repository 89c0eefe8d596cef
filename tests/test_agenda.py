"""`havre agenda`: every date a case sets, in order, with who must act on each deadline and what happens once it
has passed; in text, JSON and iCalendar, in English and French; and the decision summary's next deadline.

Golden files (tests/golden/agenda/) hold the text agenda of examples in both languages; they are read by eye when
they change (HAVRE_UPDATE_GOLDEN=1 rewrites them).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

import pytest
from icalendar import Calendar

from explain.rendering.render import render
from explain.view.views import View
from havre.api import Policy, load_policy
from tests.e2e.test_cli import havre, write
from tests.helpers import ROOT
from tests.test_golden import check_golden

EXAMPLES = ROOT / "policy/examples"
GOLDEN = ["kofi-refused", "rosa-rejected-documents", "mateo-federal-hc", "rania-psr-montreal-group"]


@cache
def policy() -> Policy:
    return load_policy(ROOT / "policy")


@cache
def agenda(example: str, lang: str = "en") -> View:
    return policy().agenda(EXAMPLES / f"{example}.yaml", lang=lang)


def dates(view: View) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(e["date"], e["when"], e["predicate"], tuple(e["subject"])) for e in view["entries"]]


def test_kofi_every_date_in_order_against_the_assessment_date() -> None:
    view = agenda("kofi-refused")
    assert view["case"] == {
        "id": "kofi-2026-027",
        "assessment_date": "2026-08-10",
        "assessment_date_text": "August 10, 2026",
    }
    assert dates(view) == [
        ("2026-02-03", "past", "document_received_on", ("passport_kofi",)),
        ("2026-02-03", "past", "document_received_on", ("police_certificate_kofi",)),
        ("2026-05-04", "past", "sent_on", ("refusal_2026_05_04",)),
        ("2026-06-29", "past", "answer_received_on", ("refusal_2026_05_04",)),
        ("2026-07-03", "past", "refusal_answer_due", ("app1",)),
    ]
    due = view["entries"][-1]
    assert due["text"] == "The answer to the letter announcing the refusal of app1 is due on July 3, 2026"
    assert due["title"] == "Deadline: the answer to the letter announcing the refusal of app1 is due on July 3, 2026"
    assert due["days"] == -38 and due["kind"] == "verdict"
    assert due["uid"] == "kofi-2026-027-refusal_answer_due-app1@havre"
    assert due["deadline"] == {
        "party": "applicant",
        "party_text": "the applicant",
        "passed": "Without an answer received by then, MIFI refuses app1",
        "passed_text": "Once it has passed: without an answer received by then, MIFI refuses app1",
        "met": {  # the answer came on June 29
            "text": "Deadline met 4 days ahead: MIFI received the answer to the letter announcing the refusal of app1"
            " on June 29, 2026",
            "when": "met",
        },
    }
    [rule] = due["rules"]
    assert rule["rule"] == "PROC-5.refusal-answer-due"
    assert [(c["id"], c["source"], c["authority"], c["authority_text"]) for c in rule["citations"]] == [
        ("PROC-5", "MIFI-HC", "official", "official guidance")
    ]
    assert view["entries"][0]["deadline"] is None and view["entries"][0]["rules"] == []  # a date the case states
    assert view["next_deadline"] is None and view["not_known"] == []


def test_birth_dates_are_background_and_left_out() -> None:
    view = agenda("kofi-refused")  # Kofi's birth date, 1979-12-01, is in the case
    assert "birth_date" not in {e["predicate"] for e in view["entries"]}
    assert policy().checked.predicates["birth_date"].background


def test_mateo_past_and_coming_deadlines_with_the_rules_that_set_them() -> None:
    view = agenda("mateo-federal-hc")
    assert dates(view) == [
        ("2022-03-15", "past", "dfn_designated_on", ("andres",)),
        ("2026-11-03", "past", "hc_refusal_notified_on", ("mateo",)),
        ("2026-11-18", "past", "hc_judicial_review_deadline", ("mateo",)),
        ("2026-12-03", "coming", "hc_departure_deadline", ("mateo",)),
    ]
    review = view["entries"][2]
    assert [r["rule"] for r in review["rules"]] == ["FHC-6.judicial-review"]
    assert [(c["id"], c["authority"]) for c in review["rules"][0]["citations"]] == [
        ("FHC-6", "secondary"),
        ("IRPA-S72", "law"),
    ]
    nxt = view["next_deadline"]
    assert (nxt["date"], nxt["days"], nxt["deadline"]["party_text"]) == ("2026-12-03", 12, "the applicant")
    assert nxt["deadline"]["passed"] == (
        "The 30 days for Mateo Restrepo to leave Canada after the refusal have ended (non-official source 004)"
    )


def test_rosa_documents_due_and_rania_arrival_and_an_unknown_window() -> None:
    rosa = agenda("rosa-rejected-documents")
    assert dates(rosa)[-2:] == [
        ("2026-04-10", "past", "document_received_on", ("birth_certificate_mateo",)),
        ("2026-05-01", "past", "documents_due", ("app1",)),
    ]
    assert rosa["entries"][-1]["deadline"]["passed"] == (
        "MIFI rejects app1 unless every missing item was supplied by then"
    )
    rania = agenda("rania-psr-montreal-group")
    assert dates(rania) == [
        ("2026-10-28", "coming", "arrival_scheduled_on", ("rania_case",)),
        ("2026-10-28", "coming", "arrival_notification_to_midi", ("rania_case",)),
    ]
    assert rania["entries"][1]["deadline"]["party_text"] == "ROC-O"
    assert rania["next_deadline"]["predicate"] == "arrival_notification_to_midi"
    [unknown] = rania["not_known"]
    assert unknown["predicate"] == "one_year_window_ends"
    assert unknown["deadline"]["party_text"] == "the principal applicant's family members"
    assert unknown["questions"] == [
        [
            "On what date was refugee protection conferred on the principal applicant of Rania Al-Khatib's "
            "resettlement application (the day they became a permanent resident)?"
        ]
    ]


def test_french_agenda_reads_french() -> None:
    view = agenda("mateo-federal-hc", "fr")
    coming = view["entries"][-1]
    assert (coming["date_text"], coming["when_text"]) == ("3 décembre 2026", "à venir")
    assert coming["deadline"]["party_text"] == "la personne requérante"
    assert coming["deadline"]["passed_text"] == (
        "Une fois la date passée\u00a0: le délai de 30 jours accordé à Mateo Restrepo pour quitter le Canada après le"
        " refus est expiré (source non officielle 004)"
    )
    assert coming["title"].startswith("Échéance\u00a0: Selon la source non officielle 004, Mateo Restrepo doit")
    assert agenda("rosa-rejected-documents", "fr")["entries"][-1]["date_text"] == "1er mai 2026"


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("example", GOLDEN)
def test_agenda_text_golden(example: str, lang: str) -> None:
    check_golden(f"agenda/{example}.{lang}.txt", render(agenda(example, lang), "agenda"))


def test_the_decision_summary_shows_the_next_deadline() -> None:
    view, _ = policy().decision_view(EXAMPLES / "mateo-federal-hc.yaml")
    lines = render(view, "decision", summary_only=True).splitlines()
    at = lines.index("Next deadline: December 3, 2026 (in 12 days), for the applicant")
    assert lines[at + 1 :] == []  # a main answer above: its sentence is not said again
    departure = lines.index(
        "  [holds] According to the non-official source 004, Mateo Restrepo must leave Canada by December 3, 2026, 30"
        " days after the notice refusing the in-Canada H&C application  (rule FHC-6.departure-deadline)"
    )
    assert lines[departure + 2] == "      Deadline in 12 days, for the applicant"
    # A time limit already passed does not read as one still open: it says what its passing means.
    assert lines[departure + 5] == (
        "      Deadline passed 3 days before the assessment date: Mateo Restrepo can no longer apply to the Federal"
        " Court for leave for judicial review of the refusal, unless a judge extends the time (IRPA s.72)"
    )
    leila, _ = policy().decision_view(EXAMPLES / "leila-family-selection.yaml")
    lines = render(leila, "decision", summary_only=True).splitlines()
    at = lines.index("Next deadline: December 5, 2026 (in 14 days), for the applicant")
    assert lines[at - 5 : at - 1] == [
        "      Deadline in 14 days, for the applicant",
        "  [holds] Change in situation (Reza Karimi started a job as a machinist): to be reported to IRCC, which"
        " informs MIFI, by October 31, 2026  (rule PROC-3.report-due)",
        "      Report any change in the situation to IRCC within 30 days of the change (PROC-3.report-due)",
        "      Deadline met 11 days ahead: the change in situation (Reza Karimi started a job as a machinist) was"
        " reported to IRCC on October 20, 2026",
    ]
    rania, _ = policy().decision_view(EXAMPLES / "rania-psr-montreal-group.yaml")
    lines = render(rania, "decision", summary_only=True).splitlines()
    at = lines.index("Next deadline: October 28, 2026 (in 48 days), for ROC-O")
    assert lines[at + 1] == (  # no main answer: the deadline's sentence follows
        "  ROC-O sends MIDI a notification of arrival (NAT) for Rania Al-Khatib's resettlement application: arrival"
        " on October 28, 2026"
    )
    fr, _ = policy().decision_view(EXAMPLES / "leila-family-selection.yaml", lang="fr")
    assert "Prochaine échéance\u00a0: le 5 décembre 2026 (dans 14 jours), pour la personne requérante" in render(
        fr, "decision", summary_only=True
    )
    kofi, _ = policy().decision_view(EXAMPLES / "kofi-refused.yaml")
    assert "Next deadline" not in render(kofi, "decision")  # every date of the case has passed


def test_an_explanation_says_where_each_deadline_stands_on_the_assessment_date() -> None:
    view = policy().explain(EXAMPLES / "mateo-federal-hc.yaml")
    due = {v["verdict"]: v["due"] for v in view["verdicts"] if v["due"] is not None}
    assert due == {
        "hc_departure_deadline": {"text": "Deadline in 12 days, for the applicant", "when": "coming"},
        "hc_judicial_review_deadline": {
            "text": "Deadline passed 3 days before the assessment date: Mateo Restrepo can no longer apply to the"
            " Federal Court for leave for judicial review of the refusal, unless a judge extends the time (IRPA s.72)",
            "when": "past",
        },
    }
    assert [s["due"] for s in view["summary"] if s["due"]] == list(due.values())
    text = render(view, "text").splitlines()
    at = text.index(
        "[holds] The time limit for Mateo Restrepo to apply to the Federal Court for leave for judicial review of the"
        " refusal is November 18, 2026 (IRPA s.72: 15 days after the notice)"
    )
    assert text[at + 1] == "  " + due["hc_judicial_review_deadline"]["text"]
    assert f"Status: **holds**. {due['hc_departure_deadline']['text']}.\n" in render(view, "markdown")
    html = render(view, "html")
    assert '<p class="due past">Deadline passed 3 days before the assessment date: Mateo Restrepo' in html
    assert '<div class="due coming">Deadline in 12 days, for the applicant</div>' in html
    fr = policy().explain(EXAMPLES / "mateo-federal-hc.yaml", lang="fr")
    assert [v["due"]["text"] for v in fr["verdicts"] if v["due"]] == [
        "Échéance dans 12 jours, pour la personne requérante",
        "Échéance dépassée de 3 jours à la date d'évaluation\u00a0: Mateo Restrepo ne peut plus demander à la Cour"
        " fédérale l'autorisation de présenter une demande de contrôle judiciaire du refus, sauf si un juge proroge le"
        " délai (LIPR, art. 72)",
    ]


def test_cli_text_json_and_both_languages() -> None:
    case = str(EXAMPLES / "mateo-federal-hc.yaml")
    r = havre("agenda", case)
    assert r.returncode == 0, r.stderr
    assert r.stdout == render(agenda("mateo-federal-hc"), "agenda")
    r = havre("agenda", case, "--format", "json", "--lang", "fr")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert sorted(data) == ["case", "entries", "lang", "next_deadline", "not_known", "policy"]
    assert data["lang"] == "fr" and data["next_deadline"]["date"] == "2026-12-03"
    assert [e["date"] for e in data["entries"]] == ["2022-03-15", "2026-11-03", "2026-11-18", "2026-12-03"]
    r = havre("decide", case, "--format", "json")
    decided = json.loads(r.stdout)
    assert decided["next_deadline"]["uid"] == "mateo-2026-051-hc_departure_deadline-mateo@havre"
    assert [(s["verdict"], s["due"]["when"]) for s in decided["summary"] if s["due"]] == [
        ("hc_departure_deadline", "coming"),
        ("hc_judicial_review_deadline", "past"),
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_cli_ics_parses_back_with_the_dates_and_summaries(tmp_path: Path, lang: str) -> None:
    out = tmp_path / "leila.ics"
    r = havre("agenda", str(EXAMPLES / "leila-family-selection.yaml"), "-f", "ics", "-l", lang, "-o", str(out))
    assert (r.returncode, r.stdout) == (0, ""), r.stderr
    calendar = Calendar.from_ical(out.read_bytes())
    events = list(calendar.walk("VEVENT"))
    starts = [e.decoded("dtstart") for e in events]
    assert starts == [
        dt.date(2025, 3, 17),
        dt.date(2026, 7, 2),
        dt.date(2026, 7, 2),
        dt.date(2026, 7, 2),
        dt.date(2026, 9, 15),
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 20),
        dt.date(2026, 10, 31),
        dt.date(2026, 11, 5),
        dt.date(2026, 12, 5),
        dt.date(2028, 9, 15),
    ]
    assert all(e.decoded("dtend") - e.decoded("dtstart") == dt.timedelta(days=1) for e in events)
    expiry = events[-1]
    assert str(expiry["uid"]) == "leila-2026-088-csq_expiry-app1@havre"
    summary, description = str(expiry["summary"]), str(expiry["description"])
    if lang == "en":
        assert summary == (
            "Deadline: the Québec selection certificates for Leila Karimi's application for permanent selection expire"
            " on September 15, 2028, unless a permanent residence application is still being processed"
        )
        assert "Who must act: the applicant" in description.splitlines()
        assert [str(c) for c in expiry["categories"].cats] == ["coming", "deadline"]
        assert [str(c) for c in events[0]["categories"].cats] == ["past"]
    else:
        assert summary.startswith(
            "Échéance\u00a0: les certificats de sélection du Québec de la demande de sélection permanente de Leila"
            " Karimi"
        )
        assert "expirent le 15 septembre 2028" in summary
        assert "Qui doit agir\u00a0: la personne requérante" in description.splitlines()
        assert [str(c) for c in expiry["categories"].cats] == ["à venir", "échéance"]
    assert (
        "Date set by rule PROC-4.csq-expiry" in description
        or "Date fixée par la règle PROC-4.csq-expiry" in description
    )
    again = havre("agenda", str(EXAMPLES / "leila-family-selection.yaml"), "-f", "ics", "-l", lang)
    assert again.stdout.replace("\r\n", "\n") == out.read_text(encoding="utf-8").replace("\r\n", "\n")  # stable


def test_cli_bad_input_exits_2_with_a_message(tmp_path: Path) -> None:
    r = havre("agenda", str(tmp_path / "missing.yaml"))
    assert (r.returncode, r.stdout, r.stderr) == (2, "", f"error: {tmp_path / 'missing.yaml'}: no such file\n")
    r = havre("agenda", write(tmp_path, "c.yaml", "case: [1]\n"))
    assert r.returncode == 2 and r.stderr.startswith("error: ")
    r = havre("agenda", str(EXAMPLES / "kofi-refused.yaml"), "--format", "xml")
    assert r.returncode == 2 and "Invalid value for '--format'" in r.stderr and "'xml'" in r.stderr
    r = havre("agenda", str(EXAMPLES / "kofi-refused.yaml"), "--lang", "de")
    assert r.returncode == 2 and "Invalid value for '--lang'" in r.stderr and "'de'" in r.stderr
    r = havre("agenda", str(EXAMPLES / "kofi-refused.yaml"), "-o", str(tmp_path))
    assert (r.returncode, r.stderr) == (2, f"error: {tmp_path}: is a folder; name a file\n")


def test_a_deadline_on_the_assessment_date_is_today() -> None:
    import yaml

    doc = yaml.safe_load((EXAMPLES / "mateo-federal-hc.yaml").read_text(encoding="utf-8"))
    doc["assessment_date"] = dt.date(2026, 12, 3)
    view = policy().agenda(doc, lang="fr")
    last = view["entries"][-1]
    assert (last["predicate"], last["when"], last["when_text"], last["days"]) == (
        "hc_departure_deadline",
        "today",
        "aujourd'hui",
        0,
    )
    assert view["next_deadline"] == last
    text = render(view, "agenda")
    assert "\nAujourd'hui\n  3 décembre 2026\n    Échéance\u00a0: Selon" in text
    decided, _ = policy().decision_view(doc)
    assert "Next deadline: December 3, 2026 (today), for the applicant" in render(decided, "decision")


def test_counts_of_days_are_grouped_by_thousands_in_both_languages() -> None:
    import yaml

    doc = yaml.safe_load((EXAMPLES / "mateo-federal-hc.yaml").read_text(encoding="utf-8"))
    doc["assessment_date"] = dt.date(2029, 12, 1)
    en, fr = policy().explain(doc), policy().explain(doc, lang="fr")
    assert [v["due"]["text"].split(":")[0] for v in en["verdicts"] if v["due"]] == [
        "Deadline passed 1,094 days before the assessment date",
        "Deadline passed 1,109 days before the assessment date",
    ]
    assert [v["due"]["text"].split("\u00a0:")[0] for v in fr["verdicts"] if v["due"]] == [
        "Échéance dépassée de 1\u00a0094 jours à la date d'évaluation",
        "Échéance dépassée de 1\u00a0109 jours à la date d'évaluation",
    ]
    assert "  March 15, 2022 (2,818 days ago)\n" in render(policy().agenda(doc), "agenda")
    assert "  15 mars 2022 (il y a 2\u00a0818 jours)\n" in render(policy().agenda(doc, lang="fr"), "agenda")


def test_the_json_entry_shape_is_stable() -> None:
    entry = agenda("mateo-federal-hc")["entries"][-1]
    assert sorted(entry) == [
        "date",
        "date_text",
        "days",
        "deadline",
        "kind",
        "predicate",
        "rules",
        "subject",
        "text",
        "title",
        "uid",
        "when",
        "when_text",
    ]
    assert sorted(entry["deadline"]) == ["met", "party", "party_text", "passed", "passed_text"]
    assert sorted(entry["rules"][0]) == ["citations", "rule", "title"]
    assert sorted(entry["rules"][0]["citations"][0]) == [
        "authority",
        "authority_text",
        "document",
        "id",
        "source",
        "source_title",
        "title",
    ]
    [unknown] = agenda("rania-psr-montreal-group")["not_known"]
    assert sorted(unknown) == ["deadline", "predicate", "questions", "subject", "text", "title"]


def leila_with(**changes: dict[str, object]) -> dict[str, object]:
    """leila-family-selection.yaml with some facts of its changes in situation replaced."""
    import yaml

    doc = yaml.safe_load((EXAMPLES / "leila-family-selection.yaml").read_text(encoding="utf-8"))
    for change, facts in changes.items():
        doc["situation_changes"][change].update(facts)
    return doc


def test_a_deadline_the_case_says_was_done_is_met_or_missed() -> None:
    reza = "the change in situation (Reza Karimi started a job as a machinist) was reported to IRCC on"
    met = {"text": f"Deadline met 11 days ahead: {reza} October 20, 2026", "when": "met"}
    view = policy().explain(EXAMPLES / "leila-family-selection.yaml")
    due = {tuple(v["subject"]): v["due"] for v in view["verdicts"] if v["verdict"] == "change_report_due"}
    assert due == {
        ("reza_new_job",): met,
        ("leila_new_address",): {"text": "Deadline in 14 days, for the applicant", "when": "coming"},  # not reported
    }
    assert '<p class="due met">Deadline met 11 days ahead: the change in situation' in render(view, "html")
    [entry] = [e for e in agenda("leila-family-selection")["entries"] if e["predicate"] == "change_report_due"][:1]
    assert (entry["when"], entry["deadline"]["met"]) == ("past", met)
    assert f"      {met['text']}\n" in render(agenda("leila-family-selection"), "agenda")
    fr = policy().explain(EXAMPLES / "leila-family-selection.yaml", lang="fr")
    assert [v["due"]["text"] for v in fr["verdicts"] if v["subject"] == ["reza_new_job"] and v["due"]] == [
        "Échéance respectée avec 11 jours d'avance\u00a0: le changement de situation (Reza Karimi a commencé un"
        " emploi de machiniste) a été déclaré à IRCC le 20 octobre 2026"
    ]
    late = policy().explain(leila_with(reza_new_job={"change_reported_on": dt.date(2026, 11, 5)}))
    on_the_day = policy().explain(leila_with(reza_new_job={"change_reported_on": dt.date(2026, 10, 31)}))
    said = [
        [v["due"] for v in found["verdicts"] if v["subject"] == ["reza_new_job"] and v["due"]]
        for found in (late, on_the_day)
    ]
    assert said == [
        [{"text": f"Deadline missed by 5 days: {reza} November 5, 2026", "when": "missed"}],
        [{"text": f"Deadline met on its last day: {reza} October 31, 2026", "when": "met"}],
    ]
    assert '<p class="due missed">Deadline missed by 5 days:' in render(late, "html")
    # Asked alone, the deadline reads the fact that met it too.
    r = havre("decide", str(EXAMPLES / "leila-family-selection.yaml"), "--verdict", "change_report_due")
    assert r.returncode == 0 and f"      {met['text']}\n" in r.stdout, r.stderr


def test_the_next_deadline_is_none_the_case_says_was_done() -> None:
    reported = {"change_reported": True, "change_reported_on": dt.date(2026, 11, 20)}
    view = policy().agenda(leila_with(leila_new_address=reported))
    assert (view["next_deadline"]["predicate"], view["next_deadline"]["date"]) == ("csq_expiry", "2028-09-15")
    decided, _ = policy().decision_view(leila_with(leila_new_address=reported))
    assert "Next deadline: September 15, 2028 (in 664 days), for the applicant" in render(decided, "decision")


def test_an_answer_received_in_time_meets_the_deadline_of_a_refusal() -> None:
    import yaml

    view = policy().explain(EXAMPLES / "kofi-refused.yaml")
    assert [v["due"] for v in view["verdicts"] if v["due"]] == [
        {
            "text": "Deadline met 4 days ahead: MIFI received the answer to the letter announcing the refusal of app1"
            " on June 29, 2026",
            "when": "met",
        }
    ]
    # A second letter announcing the refusal, sent the same day: which answer counts is left unsaid.
    doc = yaml.safe_load((EXAMPLES / "kofi-refused.yaml").read_text(encoding="utf-8"))
    doc["letters"]["refusal_copy"] = {**doc["letters"]["refusal_2026_05_04"], "answer_received": False}
    del doc["letters"]["refusal_copy"]["answer_received_on"]
    doc["letters"]["refusal_copy"]["name"] = {"en": "a copy", "fr": "une copie"}
    two = policy().explain(doc)
    assert [v["due"] for v in two["verdicts"] if v["due"]] == [
        {
            "text": "Deadline passed 38 days before the assessment date: without an answer received by then, MIFI"
            " refuses app1",
            "when": "past",
        }
    ]


def test_a_part_of_the_policy_cut_without_the_fact_that_meets_a_deadline_places_it_by_its_date() -> None:
    from solver.compile.cone import narrowed_program

    checked, program = narrowed_program(policy().checked, ["change_report_due"])
    assert "change_reported_on" not in checked.predicates
    view = Policy(checked, program, whole=policy().checked).explain(EXAMPLES / "leila-family-selection.yaml")
    [reza] = [v["due"] for v in view["verdicts"] if v["subject"] == ["reza_new_job"]]
    assert reza == {
        "text": "Deadline passed 21 days before the assessment date: if it has not been reported to IRCC by then, the"
        " change in situation (Reza Karimi started a job as a machinist) is reported late",
        "when": "past",
    }
