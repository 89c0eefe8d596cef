"""Case files -> Case: safe YAML and JSON reading, the JSON Schema implied by the policy's inputs
(checked by a validator compiled once per policy), and the Case dataclass the solver reads.

Enters: a path, a text or a parsed document, and a CheckedPolicy. Leaves: a Case, or a CaseError
naming the place and the problem. Public verb: `casefile.load_case` (and `parse_case`)."""
