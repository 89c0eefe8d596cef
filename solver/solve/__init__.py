"""AspProgram + Cases -> Decisions: grounding, brave and cautious consequences, three-valued verdicts,
the smallest sets of missing facts, and the trace explanations read.

Enters: an AspProgram, its CheckedPolicy and Cases. Leaves: Decisions (solver.solve.answer), plain
data with no clingo symbol in it. Public verb: `decide.decide_many`; `trace.trace_many` for explanations
(`trace.trace_pending`: one case's, its missing facts still being searched)."""
