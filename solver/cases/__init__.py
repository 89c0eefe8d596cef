"""Case files -> Case: safe YAML and JSON reading, the JSON Schema implied by the policy's inputs
(checked by a validator compiled once per policy), and the Case dataclass the solver reads. A document
right in every way is checked and made a Case in one pass (`quick`); any other gets the full check, which
names its first problem.

Enters: a path, a text or a parsed document, and a CheckedPolicy. Leaves: a Case, or a CaseError
naming the place and the problem. Public verb: `casefile.load_case` (and `parse_case`)."""
