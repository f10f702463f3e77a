"""Private, revocable token URLs for Atom feeds; domains register the feeds they offer."""
