"""The derivation graph of a case, read from its trace: what concluded each verdict, why others did not,
which conditions hold, the values of terms; each derived fact worked out once for the depths it reads the
same at (`depths`)."""
