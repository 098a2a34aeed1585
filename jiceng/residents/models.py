"""The residents' surfaces own no tables: a resident's requests are cases
(`Case.requester`, `Case.reporter`), their rating is the case's `rate` action, the public
figures are the dashboards' rollups, and track attempts are counted in Django's cache."""
