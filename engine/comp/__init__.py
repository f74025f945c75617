"""Compensation: bonus plans as data (input catalog, versioned plans, steps, pools), their lifecycle,
validation, version diff, test vectors and impact preview. Pure: the formula engine does the math."""
