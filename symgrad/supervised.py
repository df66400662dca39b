r"""Supervised models over data: a network ``f(x; xi)`` and a conditional family for the output.

For inputs ``x_1, ..., x_N`` and a family ``F`` of distributions of the output
(Gaussian regression, Bernoulli/logistic, categorical/softmax, any
:class:`~symgrad.families.Family`), the network's outputs at the inputs are
the coordinates of ``F``, one copy per input.  The joint model of the ``N``
conditionally independent outputs is the map ``xi -> (f(x_1; xi), ..., f(x_N; xi))``
into the product of ``N`` copies of ``F``, so its Gram matrix is

.. math::  G = \sum_i J_i^{\top} g_F(f(x_i; \xi)) J_i,

the Fisher information matrix of the conditional model summed over the inputs
(paper, §2 and footnote 1).  With labels ``y_i`` the empirical Fisher matrix
is ``sum_i s_i s_i^T`` with the scores ``s_i = J_i^T d_z log p(y_i | z)`` at
``z = f(x_i; xi)``; both are exact.

:func:`finite_mixture` is the other model built from families: a mixture
``sum_j w_j p_j(x; z_j)`` on a finite sample space, a model into the simplex of
the outcomes whose ``G = J^T diag(1/p) J`` is the mixture's Fisher information.
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ._inputs import as_symbols
from .exact.lifting import Lifting
from .exceptions import DomainError, LiftError, ShapeError, SymbolError
from .families import Family, categorical, product
from .model import GibbsForm, Model

__all__ = ["supervised", "SupervisedModel", "finite_mixture", "rbm"]


class SupervisedModel(Model):
    """A :class:`~symgrad.model.Model` over a data set: the outputs at each input in a copy of a family.

    Attributes
    ==========
    family : the conditional family of one output
    inputs : the data points, as tuples of values of the input symbols ``x``
    x : the input symbols
    outputs : the network ``f(x; xi)``, one expression per coordinate of the family
    """

    family: Family
    inputs: tuple[tuple[sp.Expr, ...], ...]
    x: tuple[sp.Symbol, ...]
    outputs: tuple[sp.Expr, ...]

    def block(self, i: int) -> tuple[sp.Symbol, ...]:
        """The ambient coordinates of the ``i``-th input's copy of the family."""
        k = self.family.dim
        return self.z[i * k:(i + 1) * k]

    def _labels(self, labels: Sequence[Any]) -> list[Any]:
        labels = list(labels)
        if len(labels) != len(self.inputs):
            raise ShapeError(f"one label per input: {len(self.inputs)} inputs, {len(labels)} labels")
        return labels

    def nll(self, labels: Sequence[Any]) -> sp.Expr:
        r"""The negative log-likelihood ``-sum_i log p(y_i | z_i)`` of the labels, in the ambient coordinates."""
        sub_list = [dict(zip(self.family.z, self.block(i))) for i in range(len(self.inputs))]
        return -sp.Add(*[self.family.log_p(y).xreplace(s) for y, s in zip(self._labels(labels), sub_list)])

    def scores(self, labels: Sequence[Any]) -> list[sp.ImmutableMatrix]:
        r"""``s_i = J_i^T d_z log p(y_i | z)|_{z = f(x_i)}``: the score of each labelled example in the parameters."""
        out = []
        k = self.family.dim
        for i, y in enumerate(self._labels(labels)):
            ell = self.family.log_p(y)
            dz = sp.Matrix([sp.diff(ell, c) for c in self.family.z]).xreplace(
                dict(zip(self.family.z, self.phi[i * k:(i + 1) * k])))
            Ji = self.J[i * k:(i + 1) * k, :]
            out.append(sp.ImmutableMatrix(Ji.T * dz))
        return out

    def empirical_fisher(self, labels: Sequence[Any]) -> sp.ImmutableMatrix:
        r"""``sum_i s_i s_i^T``, exact: the empirical Fisher matrix of the labelled data."""
        S = self.scores(labels)
        F = sp.zeros(self.n_params, self.n_params)
        for s in S:
            F += s * s.T
        try:
            L = Lifting.build(list(F), self.xi + self.constants)
            return L.matrix_to_sympy(L.lift_matrix(F), factor=True)
        except LiftError:
            return sp.ImmutableMatrix(F)


def _as_inputs(inputs: Any, n: int) -> tuple[tuple[sp.Expr, ...], ...]:
    if inputs is None or isinstance(inputs, (str, bytes)) or not hasattr(inputs, "__iter__"):
        raise ShapeError(f"inputs must be a list of data points; got {inputs!r}")
    rows = []
    for row in inputs:
        vals = tuple(row) if isinstance(row, (tuple, list)) else (row,)
        if len(vals) != n:
            raise ShapeError(f"each input gives values to the {n} input symbols; got {row!r}")
        rows.append(tuple(sp.nsimplify(v, rational=True) if isinstance(v, float) else sp.sympify(v)
                          for v in vals))
    if not rows:
        raise ShapeError("supervised() needs at least one input")
    return tuple(rows)


def supervised(outputs: Any, params: Sequence[sp.Symbol], *, inputs: Any, family: Family,
               x: Sequence[sp.Symbol] | sp.Symbol | None = None, constants: Sequence[sp.Symbol] = (),
               name: str | None = None) -> SupervisedModel:
    r"""The model of a network's outputs over a data set, in copies of a conditional family.

    Parameters
    ==========
    outputs : expressions ``f(x; xi)``, one per coordinate of ``family`` (e.g. the three
        softmax probabilities for ``families.categorical(3)``, the mean for Gaussian regression)
    params : the parameters ``xi``
    inputs : the data points: a list of values (one input symbol) or of tuples
    family : the conditional family of the output given the input
    x : the input symbols (default: the symbols of ``outputs`` that are neither parameters nor constants)

    Examples
    ========
    >>> from symgrad import families
    >>> a, b, x = sp.symbols("a b x", real=True)
    >>> M = supervised([a * x + b], [a, b], inputs=[0, 1, 2], family=families.normal(1, covariance=[[1]]))
    >>> M.G == sp.Matrix([[5, 3], [3, 3]])    # sum_i J_i^T J_i = X^T X
    True
    """
    if not isinstance(family, Family):
        raise SymbolError(f"family must be one of symgrad.families (families.categorical(3), ...); got {family!r}")
    outs = outputs if isinstance(outputs, (list, tuple, sp.MatrixBase)) else [outputs]
    outs = [sp.sympify(e) for e in outs]
    if len(outs) != family.dim:
        raise ShapeError(f"the {family.name} has {family.dim} coordinates {list(family.z)}; the network gives "
                         f"{len(outs)} outputs")
    xi = as_symbols(params, "parameters")
    consts = as_symbols(constants, "constants") if constants else ()
    if x is None:
        free = set().union(*[e.free_symbols for e in outs]) - set(xi) - set(consts) - set(family.constants)
        xs = tuple(sorted(free, key=lambda s: s.name))
    else:
        xs = as_symbols(x, "input symbols")
    data = _as_inputs(inputs, len(xs))
    if family.name.startswith("Fisher metric of the categorical") and "minimal" not in family.name:
        total = sp.Add(*outs) - 1
        try:
            zero = Lifting.build([total], xi + xs + consts).lift(total).is_zero()
        except LiftError:
            zero = None
        if zero is False:
            raise DomainError(f"the outputs {outs} are the probabilities of a categorical family but their sum is "
                              "not identically 1: end the network with a softmax")
    N = len(data)
    fam = product(*[family.renamed([f"{s.name}_{i + 1}" for s in family.z]) for i in range(N)],
                  name=f"{family.name}, {N} copies (one per input)") if N > 1 else family
    phi = [e.xreplace(dict(zip(xs, row))) for row in data for e in outs]
    model = SupervisedModel(phi, xi, metric=fam, constants=consts, name=name or "supervised model")
    model.family = family
    model.inputs = data
    model.x = xs
    model.outputs = tuple(outs)
    return model


def finite_mixture(components: Sequence[Family], *, name: str | None = None) -> Model:
    r"""The mixture ``sum_j w_j p_j(x; z_j)`` of families on one finite sample space, as an exact model.

    The parameters are the weights ``w1, ..., w_{m-1}`` (``w_m = 1 - sum``) and the
    coordinates of the components, suffixed ``_j``; the ambient coordinates are
    the outcome probabilities ``q1, ..., qn`` with the simplex Fisher metric, so
    ``G`` is the Fisher information matrix of the mixture.

    Examples
    ========
    >>> from symgrad import families
    >>> M = finite_mixture([families.bernoulli(), families.bernoulli()])
    >>> M.xi
    (w1, p_1, p_2)
    >>> M.rank          # a mixture of two Bernoullis is a Bernoulli: one dimension
    1
    """
    comps = list(components)
    if len(comps) < 2:
        raise ShapeError("a mixture needs at least two components")
    for F in comps:
        if not isinstance(F, Family) or F.outcomes is None:
            raise SymbolError(f"finite_mixture() takes families with a finite sample space; got {F!r}. "
                              "For the two-component Gaussian mixture use gaussian_mixture()")
    outcomes = comps[0].outcomes
    if any(F.outcomes != outcomes for F in comps):
        raise ShapeError("the components of a finite mixture must share one sample space")
    assert outcomes is not None
    k = len(comps)
    w = sp.symbols(f"w1:{k}", positive=True)
    weights = list(w) + [1 - sp.Add(*w)]
    parts = [F.renamed([f"{s.name}_{j + 1}" for s in F.z]) for j, F in enumerate(comps)]
    # exp of a sum of logarithms, expanded into the product it is (p^x (1 - p)^(1 - x) at an outcome)
    probs = [sp.expand(sp.Add(*[wj * sp.expand(sp.exp(sp.expand(F.log_p(o)))) for wj, F in zip(weights, parts)]))
             for o in outcomes]
    for F in parts:
        total = sp.expand(sp.Add(*[sp.exp(sp.expand(F.log_p(o))) for o in outcomes]) - 1)
        try:
            sums_to_one = Lifting.build([total], F.z).lift(total).is_zero()
        except LiftError:
            sums_to_one = False
        if not sums_to_one:
            raise DomainError(f"the probabilities of the component {F.name} do not sum to 1 identically in its "
                              f"coordinates {list(F.z)} (sum - 1 = {total}); give it in minimal coordinates "
                              "(families.categorical(k, minimal=True))")
    params = tuple(w) + tuple(s for F in parts for s in F.z)
    q = [f"q{i + 1}" for i in range(len(outcomes))]
    # the open domain: weights in the open simplex, each component inside its own family's domain
    domain = list(w) + [1 - sp.Add(*w)] + [e for F in parts for e in F.positive]
    return Model(probs, params=params, metric=categorical(len(outcomes), coords=q),
                 name=name or f"mixture of {k} components", domain=domain)


def rbm(visible: int, hidden: int, *, name: str | None = None) -> Model:
    r"""The restricted Boltzmann machine with binary units, as a model of the visible distribution.

    With visible biases ``b``, hidden biases ``c`` and weights ``W`` (all real), the joint law
    ``p(v, h) ∝ exp(b·v + c·h + v^T W h)`` summed over the hidden states gives, at each of the
    ``2^visible`` visible states ``v``,

    .. math::  p(v) \propto e^{b \cdot v} \prod_j \bigl(1 + e^{c_j + \sum_i W_{ij} v_i}\bigr),

    a model into the probability simplex of the visible states (coordinates ``p1, ..., p_{2^visible}``,
    the simplex Fisher metric), so ``G`` is the Fisher information of the RBM.  States are ordered by
    the binary digits of their index, ``v_i`` the ``i``-th digit from the least significant.

    Examples
    ========
    >>> M = rbm(2, 1)
    >>> M.xi
    (b1, b2, c1, W11, W21)
    >>> M.rank        # 5 parameters, but the simplex of 4 states has dimension 3
    3
    """
    for what, k in (("visible", visible), ("hidden", hidden)):
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ShapeError(f"rbm() needs a positive whole number of {what} units; got {k!r}")
    if visible > 6:
        raise ShapeError(f"rbm() with {visible} visible units has 2^{visible} states; at most 6 are supported")
    b = list(sp.symbols(f"b1:{visible + 1}", real=True))
    c = list(sp.symbols(f"c1:{hidden + 1}", real=True))
    W = [[sp.Symbol(f"W{i + 1}{j + 1}", real=True) for j in range(hidden)] for i in range(visible)]
    params = b + c + [x for row in W for x in row]
    weights, scores = [], []
    for s in range(2 ** visible):
        v = [(s >> i) & 1 for i in range(visible)]
        w = sp.exp(sp.Add(*[b[i] * v[i] for i in range(visible)]))
        # d log w / d(b, c, W): v_i, sigma_j(v), v_i sigma_j(v), with sigma_j(v) = e_j / (1 + e_j) the
        # probability that hidden unit j is on given v
        sig = []
        for j in range(hidden):
            e = sp.exp(c[j] + sp.Add(*[W[i][j] * v[i] for i in range(visible)]))
            w *= 1 + e
            sig.append(e / (1 + e))
        weights.append(w)
        scores.append([sp.Integer(v[i]) for i in range(visible)] + sig
                      + [sig[j] if v[i] else sp.Integer(0) for i in range(visible) for j in range(hidden)])
    Z = sp.Add(*weights)
    p = [f"p{k + 1}" for k in range(2 ** visible)]
    gibbs = GibbsForm(tuple(weights), sp.ImmutableMatrix(scores))
    return Model([w / Z for w in weights], params=params, gibbs=gibbs,
                 metric=categorical(2 ** visible, coords=p), name=name or f"RBM {visible}x{hidden}")
