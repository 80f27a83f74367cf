"""Side-by-side benchmark of shieldwall, moto's server and a trivial uvicorn app (the ceiling).

Run from the project root: ``python -m bench`` (or ``make bench``). See bench/README.md.
"""
