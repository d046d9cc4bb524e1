"""The sheet's compiled reads use the project-wide `shinchoku.prepared` (moved there so that the
login backend, below the rounds, can compile its per-request user read the same way)."""

from shinchoku.prepared import MAX_VALUES, Prepared, PreparedUpdate, run

__all__ = ["MAX_VALUES", "Prepared", "PreparedUpdate", "run"]
