"""The decision log: every decision taken through `havre serve` or `havre decide --log`, append-only.

A record holds the time, the policy's hash (its files are kept once per hash), the case with configured fields
masked, and the main verdicts with the rules and provisions that concluded them. The unmasked case, which replay
needs, is kept in a table of its own (`decision_cases`) that only replay reads; `show` and `export` print the
masked case.
"""
