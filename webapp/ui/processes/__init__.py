"""Deployed process definitions for process owners and DoPT: their versions and diagrams, the
comparison of two versions, rollback, and the BPMN editor."""
