"""What is kept on disk between commands: checked and compiled policies, and the proofs of `havre check`."""
