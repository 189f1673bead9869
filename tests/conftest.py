"""Shared test configuration.

Hypothesis profiles: ``default`` (used in CI) and ``thorough`` (many more examples, for a deeper
local check): ``HYPOTHESIS_PROFILE=thorough pytest tests/test_kernel_vs_reference.py``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=3000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
