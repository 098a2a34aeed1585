"""No tables of its own: Open311 GeoReport v2 is a facade over cases (categories are the
services, cases the service requests, timeline rows the updates) and the external systems'
keys of jiceng.api.keys."""
