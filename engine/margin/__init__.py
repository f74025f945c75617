"""Margin Defense engine: pure detection, impact math, machines, dedupe and enforcement preview.

No database, web or queue imports: the models layer stores what these functions decide, the
worker runs them, the pages explain with them. docs/margin.md holds the frame contracts.
"""
