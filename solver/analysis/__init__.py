"""Questions about the policy itself, asked of the solver: conflicts, gaps, broken invariants, dead
rules over a small universe of cases (with minimal witnesses written as scenarios), and what-if.

Enters: an AspProgram and its CheckedPolicy (and, for what-if, a Case). Leaves: findings and
proposals as plain data. Public verbs: `analysis.analyse` and `whatif.what_if`."""
