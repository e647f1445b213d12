"""A person's own account: an officer's contact and service details, and everybody's password."""
