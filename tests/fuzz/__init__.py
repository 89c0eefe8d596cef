"""Havre's own fuzzing: a corpus of hostile inputs run by the test suite, and `python -m tests.fuzz`."""
