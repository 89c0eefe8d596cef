"""CheckedPolicy -> AspProgram: the policy as one ASP program over many cases.

Enters: a CheckedPolicy. Leaves: an AspProgram (its text, the rules' spans, the program of what a
conclusion rests on). Public verb: `emit.emit`; `chain.chains` adds the prefix chains explanations
and coverage read; `cone.narrowed_program` compiles the part of a policy that decides some verdicts.
`names` and `terms` are the vocabulary both directions share: how values are written into the program
and read back from clingo's atoms."""
