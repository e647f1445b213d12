"""What every part of the web layer shares: the request's session, the caller, errors."""
