"""Deployed process definitions, with their diagrams (for process owners and DoPT)."""
