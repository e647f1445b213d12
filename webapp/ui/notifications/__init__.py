"""Each user's notifications."""
