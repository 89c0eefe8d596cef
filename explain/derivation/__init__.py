"""The derivation graph of a case, read from its trace: what concluded each verdict, why others did not,
which conditions hold, the values of terms."""
