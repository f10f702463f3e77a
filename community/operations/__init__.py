"""Running the site: `flask doctor`, health and readiness, and metrics for operators."""
