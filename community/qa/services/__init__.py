"""The Q&A rules as functions; each takes the acting user and raises ValidationFailed/NotAllowed."""
