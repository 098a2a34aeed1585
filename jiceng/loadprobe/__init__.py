"""The load probe: the API's cheapest write, a trivial authenticated one-row insert.

The HTTP benchmark (jiceng/bench/http.py, docs/load.md) measures POST /api/v1/cases
against it on the same server in the same run, so the ratio says what case intake costs
above the framework's own ceiling. Off unless JICENG_LOAD_PROBE=true: the endpoint then
answers 404 for everyone, and it is never part of the published API schema.
"""
