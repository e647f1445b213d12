"""Administration: users, their roles and CCA, deactivation, unlocking, new passwords; CCAs; the audit."""
