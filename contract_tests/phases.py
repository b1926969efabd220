"""Where conformance cases come from: Schemathesis' examples, coverage and fuzzing phases.

The suite draws the same kinds of case as `st run`: the spec's own examples, the deterministic
coverage cases (boundaries, missing and wrong-typed values, unexpected methods) and Hypothesis
fuzzing in positive and negative mode. Schemathesis' own case generators produce the first two,
so a case costs what it costs `st run`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.generation.coverage import GenerationSession
from schemathesis.generation.drivers import CaseGenerator, CoverageGenerator, ExamplesGenerator
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.generation.overrides import Override

from orgkit.errors import ConfigError

PHASES = ("examples", "coverage", "fuzzing")
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
CaseBody = Callable[[Any], None]


def check_phases(phases: tuple[str, ...]) -> None:
    """ConfigError naming unknown phases."""
    unknown = [p for p in phases if p not in PHASES]
    if unknown or not phases:
        raise ConfigError(f"phases must be a non-empty selection of {list(PHASES)}, "
                          f"got {list(phases)}")


class CaseSource:
    """The cases of one run's phases, operation by operation; notes say what failed."""

    def __init__(self, phases: tuple[str, ...], max_examples: int, seed: int) -> None:
        check_phases(phases)
        self.phases, self.max_examples, self.seed = phases, max_examples, seed
        # Coverage keeps value caches for the whole run, as `st run` does.
        self.session = GenerationSession()

    def drive(self, operation: Any, body: CaseBody, keep_going: Callable[[], bool],
              ) -> dict[str, str]:
        """Feed every case of every phase to body while keep_going(); notes say what failed."""
        notes: dict[str, str] = {}
        for phase in self.phases:
            if phase == "fuzzing":
                notes.update(self._fuzz(operation, body, keep_going))
                continue
            note = _drain(self._generator(phase, operation), body, keep_going)
            if note:
                notes[phase] = note
        return notes

    def _generator(self, phase: str, operation: Any) -> CaseGenerator:
        config = operation.schema.config
        if phase == "examples":
            fill = config.phases_for(operation=operation).examples.fill_missing
            return ExamplesGenerator(operation=operation, override=Override(),
                                     feedback=NO_FEEDBACK, fill_missing=fill)
        generation = config.generation_for(operation=operation, phase="coverage")
        return CoverageGenerator(operation=operation, generation_modes=list(generation.modes),
                                 generation_config=generation, auth_storage=None,
                                 override=Override(), feedback=NO_FEEDBACK,
                                 session=self.session)

    def _fuzz(self, operation: Any, body: CaseBody, keep_going: Callable[[], bool],
              ) -> dict[str, str]:
        # One strategy over both modes, as `st run` draws them: Hypothesis falls back to the
        # other mode where one is hard to satisfy instead of spending its budget retrying.
        strategy = st.one_of([operation.as_strategy(generation_mode=m) for m in MODES])
        try:
            self._hypothesis(strategy, body, keep_going)
        except hypothesis.errors.Unsatisfiable:
            return {"fuzzing": "Schemathesis can generate no fuzzing case for it"}
        except Exception as exc:  # generation problems must not stop the other operations
            return {"fuzzing": f"fuzzing generation failed: {exc!r}"[:300]}
        return {}

    def _hypothesis(self, strategy: Any, body: CaseBody, keep_going: Callable[[], bool]) -> None:
        @hypothesis.seed(self.seed)
        @hypothesis.settings(max_examples=self.max_examples, database=None, deadline=None,
                             suppress_health_check=list(HealthCheck), phases=[Phase.generate],
                             verbosity=hypothesis.Verbosity.quiet)
        @hypothesis.given(strategy)
        def test(case: Any) -> None:
            if keep_going():
                body(case)

        test()


def _drain(generator: CaseGenerator, body: CaseBody, keep_going: Callable[[], bool]) -> str:
    """Run body on each generated case; why generation failed, or ''."""
    try:
        for case in generator:
            if not keep_going():
                break
            body(case)
    except Exception as exc:  # a phase that cannot generate must not stop the others
        return f"generation failed: {exc!r}"[:300]
    errors = generator.controller.deferred_errors
    return f"generation failed: {errors[0]}"[:300] if errors else ""
