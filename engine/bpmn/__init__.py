"""Checking and rehearsing BPMN before it is deployed: the graph rules and the scenarios."""
