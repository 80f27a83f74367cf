"""Side-by-side benchmark of shieldwall, moto's server and the ceiling (a fixed answer from the same HTTP server).

Run from the project root: ``python -m bench`` (or ``make bench``). See bench/README.md.
"""
