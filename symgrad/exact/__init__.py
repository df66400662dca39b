"""Exact arithmetic: rational functions over lifted kernels, dense linear algebra over any field.

This layer knows no model and no paper: it is the ground the proofs stand on.

* :mod:`~symgrad.exact.field`: the contract a field element meets (plain numbers, or
  :class:`~symgrad.exact.field.ExactElement`), and :class:`~symgrad.exact.field.DegreeTracked`;
* :mod:`~symgrad.exact.ratfunc`: :class:`~symgrad.exact.ratfunc.RF`, canonical rational functions;
* :mod:`~symgrad.exact.lifting`: SymPy expressions into the field (kernels become variables),
  and :func:`~symgrad.exact.lifting.poly_to_sympy`, the one way back;
* :mod:`~symgrad.exact.point`: the field at a point;
* :mod:`~symgrad.exact.dense`: one elimination kernel and the linear algebra on it;
* :mod:`~symgrad.exact.ideals`, :mod:`~symgrad.exact.domain`: Groebner bases and number-field
  elements, for the singular-point analysis.
"""
