"""Hypothesis settings of the robustness suite: bounded examples, no per-example deadline (the machine is
shared), and the same examples on every run so `make test` is never red by chance.
ROBUSTNESS_EXPLORE=1 in the environment draws fresh random examples instead, to hunt for new failures."""

import os

from hypothesis import HealthCheck, settings

EXPLORE = os.environ.get("ROBUSTNESS_EXPLORE") == "1"
FUZZ = settings(max_examples=50, deadline=None, database=None, derandomize=not EXPLORE, suppress_health_check=list(HealthCheck))
