"""Privacy: erasure of a candidate everywhere (with tombstones that keep them out of later runs)
and retention purges of old stored data.
"""
