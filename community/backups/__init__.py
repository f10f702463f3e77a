"""Backups of the site's database and restoring one into an empty instance (`flask backup`,
`flask restore`). It stands above the domains' storage: a restore rebuilds the search index and
empties the shared renderings, so nothing from before it is served."""
