"""E-mail: composing the outbox's mail in the recipient's language, and sending it over SMTP."""
