"""Report queries for the PPT admin: plain functions that take a Session or Connection and return plain data.

No Flask in here: the admin's pages, the exports and the benchmarks all call the same functions.
"""
