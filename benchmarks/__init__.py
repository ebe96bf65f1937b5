"""Speed and size targets, measured by ``make bench`` (never asserted in tests)."""
