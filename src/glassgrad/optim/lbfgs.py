r"""L-BFGS: a quasi-Newton method that needs the loss several times per step (PyTorch's
``torch.optim.LBFGS``, step for step).

All parameters are seen as one flat vector :math:`w` with gradient :math:`g`. Each
iteration moves along :math:`d = -H g`, where :math:`H` approximates the inverse Hessian
from the last ``history_size`` pairs

.. math:: s_k = w_{k+1} - w_k, \qquad y_k = g_{k+1} - g_k, \qquad \rho_k = 1 / (y_k^T s_k)

through the two-loop recursion (Nocedal & Wright, *Numerical Optimization*, Algorithm
7.4), started from :math:`H_0 = \gamma I` with :math:`\gamma = s^T y / y^T y` of the
newest pair. A pair is kept only when :math:`y^T s > 10^{-10}` (the curvature condition;
otherwise H would stop being positive definite).

The step length is ``lr`` (the very first one is scaled down to
:math:`\min(1, 1/\lVert g \rVert_1)` lr), or, with ``line_search_fn="strong_wolfe"``, found
by a line search that brackets a step satisfying the strong Wolfe conditions

.. math:: f(w + t d) \le f(w) + c_1 t\, g^T d, \qquad |g(w + t d)^T d| \le c_2 |g^T d|

(:math:`c_1 = 10^{-4}`, :math:`c_2 = 0.9`) and then zooms in on it with safeguarded cubic
interpolation (Nocedal & Wright, Algorithms 3.5 and 3.6).

``step(closure)`` needs the closure: it re-evaluates the model, calls backward and returns
the loss. One ``step`` runs up to ``max_iter`` iterations and ``max_eval`` closure calls,
stopping early when the gradient is below ``tolerance_grad`` (max norm) or the step or the
change of loss is below ``tolerance_change``. The memory (directions, curvature pairs)
carries over from one ``step`` to the next, as in PyTorch.
"""

from ..autograd.grad_mode import enable_grad
from ..backend import xp
from .optimizer import Optimizer, check_number

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    """L-BFGS over all parameters as one vector (one parameter group only, as PyTorch)."""

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        who = type(self).__name__
        for name, value in (("max_iter", max_iter), ("history_size", history_size)) + \
                ((("max_eval", max_eval),) if max_eval is not None else ()):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{who}: {name} must be a positive integer, got {value!r}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _check_group(self, group):
        who = type(self).__name__
        check_number(who, "learning rate lr", group["lr"])
        check_number(who, "tolerance_grad", group["tolerance_grad"])
        check_number(who, "tolerance_change", group["tolerance_change"])
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(f"{who}: line_search_fn must be None or 'strong_wolfe', got "
                             f"{group['line_search_fn']!r}")

    def add_param_group(self, param_group):
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    # ------------------------------------------------------------ state dict
    # The memory lives on the first parameter (as in PyTorch) but holds vectors over all
    # parameters, so the base class's per-parameter shape check does not apply to it.
    _VECTORS = ("d", "prev_flat_grad")
    _HISTORY = ("old_dirs", "old_stps")

    def state_dict(self):
        saved = super().state_dict()
        for memory in saved["state"].values():
            for name in self._HISTORY + ("ro",):
                if name in memory:
                    memory[name] = [xp.array(v, copy=True) for v in memory[name]]
        return saved

    def load_state_dict(self, state_dict):
        who = f"{type(self).__name__}.load_state_dict"
        memory = dict(state_dict.get("state", {}).get(0, {})) if isinstance(state_dict, dict) \
            else {}
        size = sum(p.array.size for p in self._params)
        dtype = self._params[0].array.dtype
        for name in self._VECTORS + self._HISTORY:
            vectors = memory.get(name)
            if vectors is None:
                continue
            many = name in self._HISTORY
            arrays = [xp.asarray(getattr(v, "array", v)) for v in (vectors if many else [vectors])]
            for v in arrays:
                if v.shape != (size,):
                    raise ValueError(f"{who}: state '{name}' holds a vector of shape "
                                     f"{tuple(v.shape)}; expected ({size},), the number of "
                                     "values in all parameters")
            arrays = [xp.array(v, dtype=dtype, copy=True) for v in arrays]
            memory[name] = arrays if many else arrays[0]
        super().load_state_dict({"state": {}, "param_groups": state_dict["param_groups"]})
        if memory:
            self.state[self._params[0]] = memory

    # ------------------------------------------------------------ the flat vector
    def _flat_grad(self):
        """g: every parameter's gradient, flattened and laid end to end (zeros for None)."""
        return xp.concatenate([xp.zeros(p.array.size, p.array.dtype) if p.grad is None
                               else p.grad.array.reshape(-1) for p in self._params])

    def _move(self, t, d):
        """w <- w + t d, parameter by parameter, in place."""
        offset = 0
        for p in self._params:
            n = p.array.size
            p.array += t * d[offset:offset + n].reshape(p.array.shape)
            p._vc[0] += 1
            offset += n

    def _evaluate(self, closure):
        """Run the closure (with grad recording on): the loss as a float, and g."""
        with enable_grad():
            loss = closure()
        return float(loss), self._flat_grad()

    # ------------------------------------------------------------ one step
    def step(self, closure=None):
        """Run up to max_iter L-BFGS iterations; returns the loss of the first evaluation."""
        if closure is None:
            raise TypeError("LBFGS.step() needs a closure that recomputes the loss and its "
                            "gradients: def closure(): opt.zero_grad(); loss = ...; "
                            "loss.backward(); return loss")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        memory = self.state[self._params[0]]
        memory.setdefault("func_evals", 0)
        memory.setdefault("n_iter", 0)

        with enable_grad():
            first_loss = closure()
        loss, g = float(first_loss), self._flat_grad()
        evals = 1
        memory["func_evals"] += 1
        if xp.abs(g).max() <= tol_grad:  # already at a stationary point
            return first_loss

        d, t = memory.get("d"), memory.get("t")
        H_diag, prev_g, prev_loss = memory.get("H_diag"), memory.get("prev_flat_grad"), \
            memory.get("prev_loss")
        iteration = 0
        while iteration < max_iter:
            iteration += 1
            memory["n_iter"] += 1
            if memory["n_iter"] == 1:  # no history yet: steepest descent
                d = -g
                memory["old_dirs"], memory["old_stps"], memory["ro"] = [], [], []
                H_diag = 1
            else:
                H_diag = self._remember(memory, g - prev_g, d * t, H_diag)
                d = self._two_loop(memory, g, H_diag)
            prev_g = g.copy()
            prev_loss = loss

            t = (min(1.0, 1.0 / xp.abs(g).sum()) if memory["n_iter"] == 1 else 1) * lr
            slope = g.dot(d)  # g^T d: negative along a descent direction
            if slope > -tol_change:
                break

            if group["line_search_fn"] == "strong_wolfe":
                start = [p.array.copy() for p in self._params]
                search = _WolfeLineSearch(self, closure, start, d, loss, g, slope, tol_change,
                                          max_ls=max_eval - evals)
                loss, g, t, used = search.run(t)
                self._move(t, d)
                converged = xp.abs(g).max() <= tol_grad
            else:
                self._move(t, d)
                used, converged = 0, False
                if iteration != max_iter:
                    loss, g = self._evaluate(closure)
                    converged = xp.abs(g).max() <= tol_grad
                    used = 1
            evals += used
            memory["func_evals"] += used

            if iteration == max_iter or evals >= max_eval or converged:
                break
            if xp.abs(d * t).max() <= tol_change:  # the step no longer moves w
                break
            if abs(loss - prev_loss) < tol_change:  # nor the loss
                break

        memory.update(d=d, t=t, H_diag=H_diag, prev_flat_grad=prev_g, prev_loss=prev_loss)
        return first_loss

    def _remember(self, memory, y, s, H_diag):
        """Keep the pair (s, y) if it has positive curvature; returns the new gamma."""
        ys = y.dot(s)
        if ys > 1e-10:
            if len(memory["old_dirs"]) == self.param_groups[0]["history_size"]:
                for name in ("old_dirs", "old_stps", "ro"):
                    memory[name].pop(0)
            memory["old_dirs"].append(y)
            memory["old_stps"].append(s)
            memory["ro"].append(1.0 / ys)
            H_diag = ys / y.dot(y)
        return H_diag

    def _two_loop(self, memory, g, H_diag):
        """d = -H g by the two-loop recursion over the kept pairs (newest first, then oldest
        first)."""
        ys_, ss_, ro = memory["old_dirs"], memory["old_stps"], memory["ro"]
        alpha = [None] * len(ys_)
        q = -g
        for i in reversed(range(len(ys_))):
            alpha[i] = ss_[i].dot(q) * ro[i]
            q += -alpha[i] * ys_[i]
        r = q * H_diag
        for i in range(len(ys_)):
            beta = ys_[i].dot(r) * ro[i]
            r += (alpha[i] - beta) * ss_[i]
        return r


class _WolfeLineSearch:
    """Find t along d with the strong Wolfe conditions: bracket, then zoom (cubic steps)."""

    c1, c2 = 1e-4, 0.9

    def __init__(self, opt, closure, start, d, f0, g0, slope0, tol_change, max_ls=25):
        self.opt, self.closure, self.start, self.d = opt, closure, start, d
        self.f0, self.g0, self.slope0 = f0, g0.copy(), slope0
        self.tol_change, self.max_ls = tol_change, max_ls
        self.evals = 0

    def at(self, t):
        """f, g and g^T d at w + t d; the parameters are put back to w afterwards."""
        self.opt._move(t, self.d)
        f, g = self.opt._evaluate(self.closure)
        for p, w in zip(self.opt._params, self.start):
            p.array[...] = w
            p._vc[0] += 1
        self.evals += 1
        return f, g, g.dot(self.d)

    def sufficient_decrease(self, t, f):
        return not f > self.f0 + self.c1 * t * self.slope0

    def curvature(self, slope):
        return abs(slope) <= -self.c2 * self.slope0

    def run(self, t):
        """Returns (f, g, t, number of closure calls) at the accepted step."""
        found, tries = self._bracket(t)
        if found is not None:
            return (*found, self.evals)
        return (*self._zoom(tries), self.evals)

    def _bracket(self, t):
        """Grow t until a step is good (returned as found) or an interval [lo, hi] is known
        to hold one (returned as the bracket's points (t, f, g, slope))."""
        f, g, slope = self.at(t)
        prev = (0, self.f0, self.g0, self.slope0)
        tries = 0
        while tries < self.max_ls:
            if not self.sufficient_decrease(t, f) or (tries > 1 and f >= prev[1]):
                return None, ([prev, (t, f, g.copy(), slope)], tries)
            if self.curvature(slope):
                return (f, g, t), None
            if slope >= 0:  # past a minimum along d
                return None, ([prev, (t, f, g.copy(), slope)], tries)
            # extrapolate: a cubic step between 1.01 t - 0.01 t_prev and 10 t
            low, high = t + 0.01 * (t - prev[0]), t * 10
            new_t = _cubic_minimum(prev[0], prev[1], prev[3], t, f, slope, bounds=(low, high))
            prev = (t, f, g.copy(), slope)
            t = new_t
            f, g, slope = self.at(t)
            tries += 1
        return None, ([(0, self.f0, self.g0, None), (t, f, g, None)], tries)

    def _zoom(self, found):
        points, tries = found
        if tries == self.max_ls:  # out of evaluations while growing
            return self._pick(points, 0 if points[0][1] <= points[-1][1] else 1)
        ts = [points[0][0], points[1][0]]
        fs = [points[0][1], points[1][1]]
        gs = [points[0][2], points[1][2]]
        slopes = [points[0][3], points[1][3]]
        lo, hi = (0, 1) if fs[0] <= fs[1] else (1, 0)
        stalled = False
        d_norm = xp.abs(self.d).max()
        while tries < self.max_ls:
            if abs(ts[1] - ts[0]) * d_norm < self.tol_change:
                break
            t = _cubic_minimum(ts[0], fs[0], slopes[0], ts[1], fs[1], slopes[1])
            # Safeguard: a point too close to an end of the interval makes little progress;
            # the second time in a row (or outside it), move it 10% of the width inside.
            top, bottom = max(ts), min(ts)
            margin = 0.1 * (top - bottom)
            if min(top - t, t - bottom) < margin:
                if stalled or t >= top or t <= bottom:
                    t = top - margin if abs(t - top) < abs(t - bottom) else bottom + margin
                    stalled = False
                else:
                    stalled = True
            else:
                stalled = False
            f, g, slope = self.at(t)
            tries += 1
            if not self.sufficient_decrease(t, f) or f >= fs[lo]:
                ts[hi], fs[hi], gs[hi], slopes[hi] = t, f, g.copy(), slope  # new high end
                lo, hi = (0, 1) if fs[0] <= fs[1] else (1, 0)
            else:
                done = self.curvature(slope)
                if not done and slope * (ts[hi] - ts[lo]) >= 0:
                    ts[hi], fs[hi], gs[hi], slopes[hi] = ts[lo], fs[lo], gs[lo], slopes[lo]
                ts[lo], fs[lo], gs[lo], slopes[lo] = t, f, g.copy(), slope
                if done:
                    break
        return fs[lo], gs[lo], ts[lo]

    @staticmethod
    def _pick(points, index):
        t, f, g, _ = points[index]
        return f, g, t


def _cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped
    to ``bounds`` (default: between x1 and x2); the bounds' midpoint if the cubic has no
    minimum (Nocedal & Wright, eq. 3.59)."""
    if bounds is not None:
        low, high = bounds
    else:
        low, high = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = xp.sqrt(d2_square)
    if x1 <= x2:
        point = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        point = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(point, low), high)
