"""What a reader is told when a search stopped at its time limit (see solver.decide and solver.whatif)."""

from __future__ import annotations

PARTIAL = {
    "en": {
        "missing": "the search for missing facts stopped at its time limit: some undetermined verdicts list none",
        "what_if": "the search for changes stopped at its time limit: some verdicts may have more",
        "note": "Note:",
    },
    "fr": {
        "missing": "la recherche des faits manquants s'est arrêtée à sa limite de temps : "
        "certains verdicts indéterminés n'en indiquent aucun",
        "what_if": "la recherche des changements s'est arrêtée à sa limite de temps : "
        "certains verdicts peuvent en avoir d'autres",
        "note": "Remarque :",
    },
}
