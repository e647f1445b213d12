"""Operations on the domain: each takes the acting user and a session, and only flushes."""
