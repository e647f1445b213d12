"""DoPT's course catalogue and runs: list, add, change and close runs; add and change courses."""
