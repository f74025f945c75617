"""`python -m tests.support.sample_worker`: the product's worker (`python -m workers`) with the
test-only "sample" job kind registered too, for the kill tests."""

from __future__ import annotations

import tests.support.sample_job  # noqa: F401 - registers the sample kind
from workers.__main__ import main

if __name__ == "__main__":
    main()
