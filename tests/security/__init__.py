"""Issue 23's permanent security suite: bounded work, edge values, meaning (docs/limits.md)."""
