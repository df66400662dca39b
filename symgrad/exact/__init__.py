"""Exact arithmetic: rational functions over lifted kernels, dense linear algebra over any field.

This layer knows no model and no paper: it is the ground the proofs stand on.
"""
