"""The course team's coupon pools: every run's counts, uploading codes, voiding unused ones (DoPT may view)."""
