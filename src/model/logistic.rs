//! L2-regularised logistic regression over sparse rows, for linfa.
//!
//! linfa's own `linfa-logistic` takes dense matrices only (100k sentences x
//! 2^20 hashed features would not fit in memory), so this module implements
//! the same models over [`CsrMatrix`] and plugs them into linfa's traits:
//! [`LogisticParams`] is checked into [`ValidLogisticParams`] through
//! `ParamGuard`, which implements `Fit`; the fitted models implement
//! `PredictInplace`.
//!
//! Both minimise exactly linfa-logistic's objective, with optional sample
//! weights `s_i`:
//! - binary: `sum_i s_i * -log(sigmoid(y_i * (w.x_i + b))) + alpha/2 * |w|^2`
//!   with `y_i` in {-1, +1};
//! - multinomial: `sum_i s_i * -log(softmax(W x_i + b)[y_i]) + alpha/2 * |W|^2`.
//!
//! The intercepts are not penalised. The solver is L-BFGS with the
//! More-Thuente line search, as in linfa-logistic: the steps of argmin's
//! `LBFGS` solver and line search, in reused buffers (see
//! [`lbfgs_minimise`] and [`line_search`]); argmin itself is only the
//! tests' reference.

#[cfg(test)]
use std::cell::RefCell;
use std::collections::VecDeque;

#[cfg(test)]
use argmin::core::{CostFunction, Executor, Gradient};
#[cfg(test)]
use argmin_math::ArgminDot;
use linfa::dataset::{DatasetBase, Records};
use linfa::traits::{Fit, PredictInplace};
use linfa::ParamGuard;
use ndarray::{Array1, Array2};

use crate::error::{Error, Result};
use crate::features::sparse::{CsrMatrix, RowView};
use crate::model::line_search;

/// Settings of a logistic regression fit (unchecked).
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticParams(ValidLogisticParams);

/// Checked settings of a logistic regression fit.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidLogisticParams {
    alpha: f64,
    max_iterations: u64,
    gradient_tolerance: f64,
    balanced: bool,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams(ValidLogisticParams {
            alpha: 1.0,
            max_iterations: 300,
            gradient_tolerance: 1e-5,
            balanced: false,
        })
    }
}

impl LogisticParams {
    /// L2 penalty strength `alpha` (default 1.0; `1/C` in scikit-learn terms).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.0.alpha = alpha;
        self
    }

    /// Maximum L-BFGS iterations (default 300).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.0.max_iterations = n;
        self
    }

    /// Stop when the gradient's L2 norm falls below this times the total
    /// sample weight (default 1e-5, i.e. per example). Tests tighten it to
    /// compare with linfa-logistic.
    #[cfg(test)]
    pub fn gradient_tolerance(mut self, tol: f64) -> Self {
        self.0.gradient_tolerance = tol;
        self
    }

    /// Weight classes inversely to their frequency (default false), as
    /// scikit-learn's `class_weight="balanced"`: `n / (k * n_class)`.
    pub fn balanced(mut self, balanced: bool) -> Self {
        self.0.balanced = balanced;
        self
    }
}

impl ParamGuard for LogisticParams {
    type Checked = ValidLogisticParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&ValidLogisticParams> {
        let p = &self.0;
        if !p.alpha.is_finite() || p.alpha < 0.0 {
            return Err(Error::config("L2 penalty", p.alpha, "finite and >= 0"));
        }
        if !p.gradient_tolerance.is_finite() || p.gradient_tolerance <= 0.0 {
            return Err(Error::config(
                "gradient tolerance",
                p.gradient_tolerance,
                "finite and > 0",
            ));
        }
        if p.max_iterations == 0 {
            return Err(Error::config(
                "max iterations",
                p.max_iterations,
                "at least 1",
            ));
        }
        Ok(p)
    }

    fn check(self) -> Result<ValidLogisticParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// A fitted binary model: `P(y=1|x) = sigmoid(w.x + b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct BinaryLogistic {
    /// Feature weights.
    pub weights: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
}

/// A fitted multinomial model: `P(k|x) = softmax(W x + b)[k]`.
#[derive(Debug, Clone, PartialEq)]
pub struct MultinomialLogistic {
    /// Weights, `n_features x n_classes`, row-major by feature.
    pub weights: Vec<f64>,
    /// One intercept per class.
    pub intercepts: Vec<f64>,
}

impl MultinomialLogistic {
    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.intercepts.len()
    }
}

/// Sample weights: the dataset's weights (or 1) times class weights.
fn sample_weights(
    weights: &[f32],
    classes: &[usize],
    n_classes: usize,
    balanced: bool,
) -> Vec<f64> {
    let n = classes.len();
    let mut w: Vec<f64> = if weights.len() == n {
        weights.iter().map(|&x| x as f64).collect()
    } else {
        vec![1.0; n]
    };
    if balanced {
        let mut counts = vec![0usize; n_classes];
        for &c in classes {
            counts[c] += 1;
        }
        for (wi, &c) in w.iter_mut().zip(classes) {
            *wi *= n as f64 / (n_classes as f64 * counts[c] as f64);
        }
    }
    w
}

/// History length of L-BFGS (argmin's and linfa-logistic's choice).
const LBFGS_MEMORY: usize = 10;

/// A smooth function for [`lbfgs_minimise`].
trait Smooth {
    /// The value at `p`, with the gradient written into `g` (replacing what
    /// it held).
    fn cost_gradient(&self, p: &[f64], g: &mut Vec<f64>) -> f64;
}

/// Minimises `problem` from `init` by L-BFGS with the More-Thuente line
/// search, stopping when the gradient's norm falls below the tolerance
/// (scaled by `total_weight`), the cost changes by less than 1e-12, or after
/// the iteration cap; returns the lowest-cost point visited.
///
/// Written out rather than run as argmin's `LBFGS` solver: argmin's `Vec`
/// backend returns a new vector from every operation, so its two-loop
/// recursion allocates and fills some 4m weight-sized vectors per iteration
/// (m = 10), which perf put at 36% of the CPU time of a 24-label search and
/// argmin offers no in-place variant. This loop takes the same steps: the
/// same line search (argmin's, written out in [`line_search`] to work in
/// these buffers; the same bits), the same two-loop recursion done in
/// place, the same stopping rules and the same choice of the best point, in
/// buffers that are reused. Its
/// weight-length sums run in [`LANES`] partial sums (see [`fused`]) where
/// argmin-math sums one element after another, so the fitted weights equal
/// argmin's up to rounding (a test compares them to 1e-10), not to the bit.
fn lbfgs_minimise<P: Smooth>(
    problem: P,
    init: Vec<f64>,
    params: &ValidLogisticParams,
    total_weight: f64,
) -> Vec<f64> {
    let tol_grad = params.gradient_tolerance * total_weight.max(1.0);
    let tol_cost = 1e-12;
    let mut param = init;
    let mut grad = Vec::with_capacity(param.len());
    let mut cost = problem.cost_gradient(&param, &mut grad);
    let mut prev_cost = f64::INFINITY;
    // The lowest-cost point so far, as argmin's IterState::update keeps it.
    let mut best: Option<Vec<f64>> = None;
    let mut best_cost = f64::INFINITY;
    let improves = |cost: f64, best: f64| {
        cost < best
            || (cost.is_infinite()
                && best.is_infinite()
                && cost.is_sign_positive() == best.is_sign_positive())
    };
    if improves(cost, best_cost) {
        best = Some(param.clone());
        best_cost = cost;
    }
    let n = param.len();
    // s_k = x_{k+1} - x_k and y_k = g_{k+1} - g_k, oldest first.
    let mut s: VecDeque<Vec<f64>> = VecDeque::with_capacity(LBFGS_MEMORY);
    let mut y: VecDeque<Vec<f64>> = VecDeque::with_capacity(LBFGS_MEMORY);
    // y_k.s_k and y_k.y_k of each pair: argmin recomputes them every
    // iteration; a pair does not change, and s.y sums the same products in
    // the same order as y.s, so computed once they are the same numbers.
    let mut ys: VecDeque<(f64, f64)> = VecDeque::with_capacity(LBFGS_MEMORY);
    let mut q = vec![0.0; n];
    // The search direction, the line search's point and its gradient.
    let mut dir = Vec::with_capacity(n);
    let mut xk1 = Vec::with_capacity(n);
    let mut next_grad = Vec::with_capacity(n);
    let mut alpha = [0.0; LBFGS_MEMORY];
    let mut rho = [0.0; LBFGS_MEMORY];
    let mut iter = 0u64;
    // argmin-math's l2_norm (sum of powi(2) from -0.0, then sqrt); later
    // norms come from the pass that forms each new pair.
    let mut grad_norm = grad.iter().map(|g| g.powi(2)).sum::<f64>().sqrt();
    loop {
        if grad_norm < tol_grad
            || (prev_cost - cost).abs() < tol_cost
            || iter >= params.max_iterations
        {
            break;
        }
        let gamma = match ys.back() {
            Some(&(yksk, ykyk)) => yksk / ykyk,
            None => 1.0,
        };
        // Two-loop recursion: q becomes r = H g. Each pass over q also
        // takes the dot product the next step needs: half the passes.
        let cur_m = s.len();
        let mut next_dot = match cur_m {
            0 => {
                q.copy_from_slice(&grad);
                0.0
            }
            _ => fused(&mut q, &s[cur_m - 1], |qj, j| *qj = grad[j]),
        };
        for i in (0..cur_m).rev() {
            let rho_t = 1.0 / ys[i].0;
            let alpha_t = next_dot * rho_t;
            let yk = &y[i];
            let update = |qj: &mut f64, j: usize| *qj -= yk[j] * alpha_t;
            match i {
                0 => q.iter_mut().enumerate().for_each(|(j, qj)| update(qj, j)),
                _ => next_dot = fused(&mut q, &s[i - 1], update),
            }
            rho[i] = rho_t;
            alpha[i] = alpha_t;
        }
        // The scaling's pass takes the second loop's first dot, y_0.q.
        if cur_m == 0 {
            for qj in q.iter_mut() {
                *qj *= gamma;
            }
        } else {
            next_dot = fused(&mut q, &y[0], |qj, _| *qj *= gamma);
        }
        for i in 0..cur_m {
            let beta: f64 = next_dot * rho[i];
            let step = alpha[i] - beta;
            let sk = &s[i];
            let update = |rj: &mut f64, j: usize| *rj += sk[j] * step;
            match y.get(i + 1) {
                Some(next) => next_dot = fused(&mut q, next, update),
                None => q.iter_mut().enumerate().for_each(|(j, rj)| update(rj, j)),
            }
        }
        dir.clear();
        dir.extend(q.iter().map(|r| r * -1.0));
        let Some(next_cost) = line_search::more_thuente(
            |p, g| problem.cost_gradient(p, g),
            &param,
            cost,
            &grad,
            &dir,
            &mut xk1,
            &mut next_grad,
        ) else {
            // argmin's LBFGS ends here with the best point so far.
            break;
        };
        let (mut sk, mut yk) = if iter >= LBFGS_MEMORY as u64 {
            ys.pop_front();
            (
                s.pop_front().expect("full history"),
                y.pop_front().expect("full history"),
            )
        } else {
            (vec![0.0; n], vec![0.0; n])
        };
        // The new pair, its two dot products and the new gradient's norm
        // in one pass: three sums, element j of each in lane j % LANES.
        let (mut yksk, mut ykyk, mut gg) = ([0.0; LANES], [0.0; LANES], [0.0; LANES]);
        for j in 0..n {
            let l = j % LANES;
            let sj = xk1[j] - param[j];
            let yj = next_grad[j] - grad[j];
            sk[j] = sj;
            yk[j] = yj;
            yksk[l] += yj * sj;
            ykyk[l] += yj * yj;
            gg[l] += next_grad[j] * next_grad[j];
        }
        ys.push_back((lane_total(yksk), lane_total(ykyk)));
        grad_norm = lane_total(gg).sqrt();
        s.push_back(sk);
        y.push_back(yk);
        // The buffers trade places: the old point's are the next search's.
        std::mem::swap(&mut param, &mut xk1);
        std::mem::swap(&mut grad, &mut next_grad);
        prev_cost = std::mem::replace(&mut cost, next_cost);
        if improves(cost, best_cost) {
            match &mut best {
                Some(b) => b.copy_from_slice(&param),
                None => best = Some(param.clone()),
            }
            best_cost = cost;
        }
        iter += 1;
    }
    best.unwrap_or(param)
}

/// Lanes of the weight-length sums in [`lbfgs_minimise`].
const LANES: usize = 4;

/// Applies `update(q[j], j)` to every element of `q` in order and returns
/// `other . q` of the updated values, summed in [`LANES`] interleaved
/// partial sums (element j into lane j % LANES, the tail into its own)
/// added up in a fixed order: one chain of dependent additions made the
/// two-loop recursion wait on every addition. Deterministic (no
/// reassociation is left to the compiler), but not the bits of a
/// sequential sum.
#[inline]
fn fused(q: &mut [f64], other: &[f64], update: impl Fn(&mut f64, usize)) -> f64 {
    let n = q.len().min(other.len());
    let whole = n - n % LANES;
    let mut lanes = [0.0f64; LANES];
    for (c, (qc, oc)) in q[..whole]
        .chunks_exact_mut(LANES)
        .zip(other[..whole].chunks_exact(LANES))
        .enumerate()
    {
        for l in 0..LANES {
            update(&mut qc[l], c * LANES + l);
            lanes[l] += oc[l] * qc[l];
        }
    }
    let mut tail = 0.0;
    for j in whole..n {
        update(&mut q[j], j);
        tail += other[j] * q[j];
    }
    lane_total(lanes) + tail
}

/// The lanes of a sum added up in one fixed order.
#[inline]
fn lane_total(lanes: [f64; LANES]) -> f64 {
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// argmin-math's dot product, the one argmin's L-BFGS uses (the
/// reference of the fused passes).
#[cfg(test)]
#[inline]
fn dot(a: &Vec<f64>, b: &Vec<f64>) -> f64 {
    ArgminDot::<Vec<f64>, f64>::dot(a, b)
}

/// A [`Smooth`] problem as argmin's solvers take one, asking for the cost
/// and the gradient separately: the last point with its cost and gradient
/// is kept, so a point costs one pass over the data (the test references).
#[cfg(test)]
struct ForArgmin<P> {
    problem: P,
    /// The last point, its cost and its gradient.
    last: RefCell<Option<Evaluated>>,
}

/// A point with its cost and gradient.
#[cfg(test)]
type Evaluated = (Vec<f64>, f64, Vec<f64>);

#[cfg(test)]
impl<P: Smooth> ForArgmin<P> {
    fn new(problem: P) -> Self {
        ForArgmin {
            problem,
            last: RefCell::new(None),
        }
    }

    /// `pick` of the cost and gradient at `p`, computed unless `p` was the
    /// last point asked for.
    fn evaluated<T>(&self, p: &[f64], pick: impl FnOnce(f64, &Vec<f64>) -> T) -> T {
        let mut last = self.last.borrow_mut();
        if !matches!(&*last, Some((q, _, _)) if q.as_slice() == p) {
            let mut g = Vec::new();
            let cost = self.problem.cost_gradient(p, &mut g);
            *last = Some((p.to_vec(), cost, g));
        }
        let (_, cost, g) = last.as_ref().expect("stored above");
        pick(*cost, g)
    }
}

#[cfg(test)]
impl<P: Smooth> CostFunction for ForArgmin<P> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Vec<f64>) -> std::result::Result<f64, argmin::core::Error> {
        Ok(self.evaluated(p, |cost, _| cost))
    }
}

#[cfg(test)]
impl<P: Smooth> Gradient for ForArgmin<P> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, p: &Vec<f64>) -> std::result::Result<Vec<f64>, argmin::core::Error> {
        Ok(self.evaluated(p, |_, gradient| gradient.clone()))
    }
}

/// argmin's own L-BFGS, as the fits ran before [`lbfgs_minimise`]: the
/// reference it must match up to rounding.
#[cfg(test)]
fn argmin_lbfgs<P: Smooth>(
    problem: P,
    init: Vec<f64>,
    params: &ValidLogisticParams,
    total_weight: f64,
) -> Result<Vec<f64>> {
    use argmin::core::State;
    use argmin::solver::linesearch::MoreThuenteLineSearch;
    use argmin::solver::quasinewton::LBFGS;
    let solver = LBFGS::new(MoreThuenteLineSearch::new(), LBFGS_MEMORY)
        .with_tolerance_grad(params.gradient_tolerance * total_weight.max(1.0))
        .and_then(|s| s.with_tolerance_cost(1e-12))
        .map_err(|e| Error::Training(e.to_string()))?;
    let result = Executor::new(ForArgmin::new(problem), solver)
        .configure(|state| state.param(init).max_iters(params.max_iterations))
        .run()
        .map_err(|e| Error::Training(format!("L-BFGS failed: {e}")))?;
    let state = result.state();
    state
        .get_best_param()
        .or_else(|| state.get_param())
        .cloned()
        .ok_or_else(|| Error::Training("L-BFGS returned no parameters".into()))
}

/// The records and targets of a dataset whose shapes agree.
fn checked_parts<T>(
    dataset: &DatasetBase<CsrMatrix, Array1<T>>,
) -> Result<(&CsrMatrix, &Array1<T>)> {
    let (x, t) = (&dataset.records, &dataset.targets);
    if t.len() != x.nsamples() {
        return Err(linfa::Error::MismatchedShapes(x.nsamples(), t.len()).into());
    }
    Ok((x, t))
}

/// `log(1 + exp(-m))`, stable for any margin `m`.
#[inline]
#[cfg(test)]
fn log1p_exp_neg(m: f64) -> f64 {
    if m > 0.0 {
        (-m).exp().ln_1p()
    } else {
        -m + m.exp().ln_1p()
    }
}

#[inline]
fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The binary problem.
struct BinaryProblem<'a> {
    x: RowView<'a>,
    y: Vec<f64>,
    s: Vec<f64>,
    alpha: f64,
    /// Buffer of the rows' margins, reused between evaluations.
    margins: std::cell::Cell<Vec<f64>>,
}

impl Smooth for BinaryProblem<'_> {
    /// Cost and gradient at `p` in one pass over the rows, each row's
    /// margin and its share of the gradient while the row is in cache. The
    /// same sums in the same order as [`BinaryProblem::evaluate_plainly`]
    /// (a test compares the bits), laid out for the CPU: the margins of four
    /// rows at a time, each row's sum its own chain of additions (one chain
    /// at a time waits on every addition); one `exp` per row shared by its
    /// loss and its residual; the penalty's sum taken in the pass that
    /// starts the gradient.
    fn cost_gradient(&self, p: &[f64], g: &mut Vec<f64>) -> f64 {
        let d = self.x.n_cols();
        let b = p[d];
        g.clear();
        g.reserve(d + 1);
        let mut reg = -0.0;
        g.extend(p[..d].iter().map(|w| {
            reg += w * w;
            self.alpha * w
        }));
        g.push(0.0);
        // A slice, so its pointer and length stay in registers through the
        // scatter below (through `&mut Vec` they were reloaded after every
        // store).
        let g = g.as_mut_slice();
        let mut margins = self.margins.take();
        self.margins_into(p, b, &mut margins);
        let mut loss = 0.0;
        for (i, ((&y, &s), &z)) in self.y.iter().zip(&self.s).zip(&margins).enumerate() {
            debug_assert!(y == 1.0 || y == -1.0);
            // With y = +-1, -y * z is -(y z) exactly: log1p_exp_neg(m) and
            // sigmoid(-m) take the same exp.
            let m = y * z;
            let e = if m > 0.0 { (-m).exp() } else { m.exp() };
            loss += s * if m > 0.0 { e.ln_1p() } else { -m + e.ln_1p() };
            // d/dz of -log(sigmoid(y z)) = -y * sigmoid(-y z)
            let sig = if -m >= 0.0 {
                1.0 / (1.0 + e)
            } else {
                e / (1.0 + e)
            };
            let r = -y * sig * s;
            let (c, v) = self.x.row(i);
            for (&j, &x) in c.iter().zip(v) {
                g[j as usize] += r * x as f64;
            }
            g[d] += r;
        }
        self.margins.set(margins);
        loss + 0.5 * self.alpha * reg
    }
}

impl BinaryProblem<'_> {
    /// `margins[i]` = b + w.x_i for every row, each row's products summed
    /// in order from -0.0 as `Iterator::sum` does; four rows are summed
    /// side by side so their additions overlap.
    fn margins_into(&self, p: &[f64], b: f64, margins: &mut Vec<f64>) {
        let n = self.y.len();
        margins.clear();
        margins.reserve(n);
        let dot = |row: (&[u32], &[f32]), k: usize, acc: &mut f64| {
            if let (Some(&j), Some(&x)) = (row.0.get(k), row.1.get(k)) {
                *acc += p[j as usize] * x as f64;
            }
        };
        let mut i = 0;
        while i + 4 <= n {
            let rows = [
                self.x.row(i),
                self.x.row(i + 1),
                self.x.row(i + 2),
                self.x.row(i + 3),
            ];
            let longest = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
            let mut acc = [-0.0f64; 4];
            for k in 0..longest {
                for (row, acc) in rows.iter().zip(&mut acc) {
                    dot(*row, k, acc);
                }
            }
            margins.extend(acc.iter().map(|a| b + a));
            i += 4;
        }
        for i in i..n {
            let row = self.x.row(i);
            let mut acc = -0.0f64;
            for k in 0..row.0.len() {
                dot(row, k, &mut acc);
            }
            margins.push(b + acc);
        }
    }

    /// The plain form of [`BinaryProblem::evaluate`]: row by row, the
    /// reference its bits are tested against.
    #[cfg(test)]
    fn evaluate_plainly(&self, p: &[f64]) -> (f64, Vec<f64>) {
        let d = self.x.n_cols();
        let b = p[d];
        let mut g: Vec<f64> = Vec::with_capacity(d + 1);
        g.extend(p[..d].iter().map(|w| self.alpha * w));
        g.push(0.0);
        let mut loss = 0.0;
        for (i, (&y, &s)) in self.y.iter().zip(&self.s).enumerate() {
            let (c, v) = self.x.row(i);
            // Margin z = w.x + b.
            let z = b + c
                .iter()
                .zip(v)
                .map(|(&j, &x)| p[j as usize] * x as f64)
                .sum::<f64>();
            loss += s * log1p_exp_neg(y * z);
            // d/dz of -log(sigmoid(y z)) = -y * sigmoid(-y z)
            let r = -y * sigmoid(-y * z) * s;
            for (&j, &x) in c.iter().zip(v) {
                g[j as usize] += r * x as f64;
            }
            g[d] += r;
        }
        let reg: f64 = p[..d].iter().map(|w| w * w).sum();
        (loss + 0.5 * self.alpha * reg, g)
    }
}

impl Fit<CsrMatrix, Array1<bool>, Error> for ValidLogisticParams {
    type Object = BinaryLogistic;

    fn fit(&self, dataset: &DatasetBase<CsrMatrix, Array1<bool>>) -> Result<BinaryLogistic> {
        self.fit_binary_from(dataset, None)
    }
}

impl ValidLogisticParams {
    /// Fits a binary model starting from `start` (a warm start, e.g. the
    /// solution at a larger penalty) instead of zero weights.
    pub fn fit_binary_from(
        &self,
        dataset: &DatasetBase<CsrMatrix, Array1<bool>>,
        start: Option<&BinaryLogistic>,
    ) -> Result<BinaryLogistic> {
        let (x, t) = checked_parts(dataset)?;
        let targets: Vec<bool> = t.to_vec();
        self.fit_binary(
            RowView::all(x),
            &targets,
            dataset.weights().unwrap_or(&[]),
            start,
        )
    }

    /// Fits a binary model on the rows of `x` with targets `targets` (one
    /// per row of the view) and sample weights `weights` (empty: 1 each),
    /// starting from `start` if given.
    pub(crate) fn fit_binary(
        &self,
        x: RowView<'_>,
        targets: &[bool],
        weights: &[f32],
        start: Option<&BinaryLogistic>,
    ) -> Result<BinaryLogistic> {
        if targets.len() != x.n_rows() {
            return Err(linfa::Error::MismatchedShapes(x.n_rows(), targets.len()).into());
        }
        if x.n_rows() == 0 {
            return Err(linfa::Error::NotEnoughSamples.into());
        }
        let classes: Vec<usize> = targets.iter().map(|&b| b as usize).collect();
        let s = sample_weights(
            weights,
            &classes,
            2,
            self.balanced && targets.iter().any(|&b| b) && targets.iter().any(|&b| !b),
        );
        let total: f64 = s.iter().sum();
        let problem = BinaryProblem {
            x,
            y: targets
                .iter()
                .map(|&b| if b { 1.0 } else { -1.0 })
                .collect(),
            s,
            alpha: self.alpha,
            margins: Default::default(),
        };
        let d = x.n_cols();
        let init = match start {
            Some(m) if m.weights.len() == d => {
                let mut p = m.weights.clone();
                p.push(m.intercept);
                p
            }
            _ => vec![0.0; d + 1],
        };
        let p = lbfgs_minimise(problem, init, self, total);
        Ok(BinaryLogistic {
            weights: p[..d].to_vec(),
            intercept: p[d],
        })
    }
}

impl PredictInplace<CsrMatrix, Array1<f64>> for BinaryLogistic {
    /// Probabilities of the positive class.
    fn predict_inplace(&self, x: &CsrMatrix, y: &mut Array1<f64>) {
        for (i, out) in y.iter_mut().enumerate().take(x.n_rows()) {
            let (c, v) = x.row(i);
            let z = self.intercept
                + c.iter()
                    .zip(v)
                    .map(|(&j, &x)| self.weights[j as usize] * x as f64)
                    .sum::<f64>();
            *out = sigmoid(z);
        }
    }

    fn default_target(&self, x: &CsrMatrix) -> Array1<f64> {
        Array1::zeros(x.n_rows())
    }
}

/// The multinomial problem.
struct MultinomialProblem<'a> {
    x: RowView<'a>,
    y: Vec<usize>,
    s: Vec<f64>,
    k: usize,
    alpha: f64,
}

impl MultinomialProblem<'_> {
    /// Log-probabilities, `n x k` row-major.
    fn log_probs(&self, p: &[f64]) -> Vec<f64> {
        let (d, k) = (self.x.n_cols(), self.k);
        let bias = &p[d * k..];
        let mut out = vec![0.0; self.x.n_rows() * k];
        for i in 0..self.x.n_rows() {
            let z = &mut out[i * k..(i + 1) * k];
            z.copy_from_slice(bias);
            let (c, v) = self.x.row(i);
            for (&j, &x) in c.iter().zip(v) {
                let w = &p[j as usize * k..(j as usize + 1) * k];
                for (zc, wc) in z.iter_mut().zip(w) {
                    *zc += wc * x as f64;
                }
            }
            let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            z.iter_mut().for_each(|v| *v -= lse);
        }
        out
    }
}

impl Smooth for MultinomialProblem<'_> {
    /// Cost and gradient at `p` from one computation of the
    /// log-probabilities.
    fn cost_gradient(&self, p: &[f64], g: &mut Vec<f64>) -> f64 {
        let lp = self.log_probs(p);
        let (d, k) = (self.x.n_cols(), self.k);
        let loss: f64 = (0..self.y.len())
            .map(|i| -self.s[i] * lp[i * k + self.y[i]])
            .sum();
        let reg: f64 = p[..d * k].iter().map(|w| w * w).sum();
        g.clear();
        g.extend(p[..d * k].iter().map(|w| self.alpha * w));
        g.extend(std::iter::repeat_n(0.0, k));
        let g = g.as_mut_slice();
        let mut r = vec![0.0; k];
        for i in 0..self.x.n_rows() {
            for c in 0..k {
                let target = if c == self.y[i] { 1.0 } else { 0.0 };
                r[c] = self.s[i] * (lp[i * k + c].exp() - target);
            }
            let (cols, v) = self.x.row(i);
            for (&j, &x) in cols.iter().zip(v) {
                let gj = &mut g[j as usize * k..(j as usize + 1) * k];
                for (gc, rc) in gj.iter_mut().zip(&r) {
                    *gc += rc * x as f64;
                }
            }
            for (gc, rc) in g[d * k..].iter_mut().zip(&r) {
                *gc += rc;
            }
        }
        loss + 0.5 * self.alpha * reg
    }
}

impl Fit<CsrMatrix, Array1<usize>, Error> for ValidLogisticParams {
    type Object = MultinomialLogistic;

    /// Fits a softmax model; classes are `0..=max(target)`.
    fn fit(&self, dataset: &DatasetBase<CsrMatrix, Array1<usize>>) -> Result<MultinomialLogistic> {
        self.fit_multinomial_from(dataset, None)
    }
}

impl ValidLogisticParams {
    /// Fits a softmax model starting from `start` (a warm start) instead of
    /// zero weights; a start with another shape is ignored.
    pub fn fit_multinomial_from(
        &self,
        dataset: &DatasetBase<CsrMatrix, Array1<usize>>,
        start: Option<&MultinomialLogistic>,
    ) -> Result<MultinomialLogistic> {
        let (x, t) = checked_parts(dataset)?;
        let targets: Vec<usize> = t.to_vec();
        self.fit_multinomial(
            RowView::all(x),
            targets,
            dataset.weights().unwrap_or(&[]),
            start,
        )
    }

    /// Fits a softmax model on the rows of `x` with classes `targets` (one
    /// per row of the view; classes are `0..=max(targets)`) and sample
    /// weights `weights` (empty: 1 each), starting from `start` if given.
    pub(crate) fn fit_multinomial(
        &self,
        x: RowView<'_>,
        targets: Vec<usize>,
        weights: &[f32],
        start: Option<&MultinomialLogistic>,
    ) -> Result<MultinomialLogistic> {
        if targets.len() != x.n_rows() {
            return Err(linfa::Error::MismatchedShapes(x.n_rows(), targets.len()).into());
        }
        let k = targets.iter().max().map_or(0, |m| m + 1);
        if k < 2 {
            return Err(linfa::Error::NotEnoughSamples.into());
        }
        let y = targets;
        let s = sample_weights(weights, &y, k, self.balanced);
        let d = x.n_cols();
        let total: f64 = s.iter().sum();
        let problem = MultinomialProblem {
            x,
            y,
            s,
            k,
            alpha: self.alpha,
        };
        let init = match start {
            Some(m) if m.intercepts.len() == k && m.weights.len() == d * k => {
                let mut p = m.weights.clone();
                p.extend_from_slice(&m.intercepts);
                p
            }
            _ => vec![0.0; (d + 1) * k],
        };
        let p = lbfgs_minimise(problem, init, self, total);
        Ok(MultinomialLogistic {
            weights: p[..d * k].to_vec(),
            intercepts: p[d * k..].to_vec(),
        })
    }
}

impl PredictInplace<CsrMatrix, Array2<f64>> for MultinomialLogistic {
    /// Class probabilities, `n x k`.
    fn predict_inplace(&self, x: &CsrMatrix, y: &mut Array2<f64>) {
        let k = self.n_classes();
        for i in 0..x.n_rows() {
            let mut z = self.intercepts.clone();
            let (c, v) = x.row(i);
            for (&j, &xv) in c.iter().zip(v) {
                for (zc, wc) in z
                    .iter_mut()
                    .zip(&self.weights[j as usize * k..(j as usize + 1) * k])
                {
                    *zc += wc * xv as f64;
                }
            }
            let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = z.iter().map(|v| (v - m).exp()).sum();
            for c in 0..k {
                y[[i, c]] = (z[c] - m).exp() / sum;
            }
        }
    }

    fn default_target(&self, x: &CsrMatrix) -> Array2<f64> {
        Array2::zeros((x.n_rows(), self.n_classes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::Dataset;

    fn toy() -> (Vec<Vec<f32>>, Vec<bool>) {
        let x = vec![
            vec![1.0, 0.0, 0.5],
            vec![0.9, 0.1, 0.0],
            vec![0.8, 0.0, 0.3],
            vec![0.0, 1.0, 0.2],
            vec![0.1, 0.9, 0.0],
            vec![0.2, 0.7, 0.9],
            vec![0.5, 0.5, 0.5],
            vec![0.6, 0.2, 0.1],
        ];
        let y = vec![true, true, true, false, false, false, true, false];
        (x, y)
    }

    #[test]
    fn binary_weights_match_linfa_logistic() {
        let (xd, y) = toy();
        let x = CsrMatrix::from_dense(&xd);
        let ds = DatasetBase::new(x, Array1::from(y.clone()));
        let ours = LogisticParams::default()
            .alpha(0.5)
            .gradient_tolerance(1e-12)
            .check()
            .unwrap()
            .fit(&ds)
            .unwrap();

        let dense = Array2::from_shape_fn((xd.len(), 3), |(i, j)| xd[i][j] as f64);
        let targets = Array1::from(y.iter().map(|&b| b as usize).collect::<Vec<_>>());
        let theirs = linfa_logistic::LogisticRegression::default()
            .alpha(0.5)
            .gradient_tolerance(1e-12)
            .max_iterations(1000)
            .fit(&Dataset::new(dense, targets))
            .unwrap();
        // linfa-logistic orders labels, so class 1 is the positive class.
        for (a, b) in ours.weights.iter().zip(theirs.params().iter()) {
            assert!(
                (a - b).abs() < 1e-4,
                "ours {:?} theirs {:?}",
                ours.weights,
                theirs.params()
            );
        }
        assert!((ours.intercept - theirs.intercept()).abs() < 1e-4);

        let mut p = ours.default_target(&ds.records);
        ours.predict_inplace(&ds.records, &mut p);
        assert!(p[0] > 0.5 && p[3] < 0.5);
    }

    #[test]
    fn multinomial_weights_match_linfa_logistic() {
        let (xd, _) = toy();
        let y: Vec<usize> = vec![0, 0, 1, 1, 2, 2, 0, 1];
        let x = CsrMatrix::from_dense(&xd);
        let ours = LogisticParams::default()
            .alpha(0.3)
            .gradient_tolerance(1e-12)
            .check()
            .unwrap()
            .fit(&DatasetBase::new(x, Array1::from(y.clone())))
            .unwrap();
        let dense = Array2::from_shape_fn((xd.len(), 3), |(i, j)| xd[i][j] as f64);
        let theirs = linfa_logistic::MultiLogisticRegression::default()
            .alpha(0.3)
            .gradient_tolerance(1e-12)
            .max_iterations(1000)
            .fit(&Dataset::new(dense, Array1::from(y)))
            .unwrap();
        let tp = theirs.params();
        for j in 0..3 {
            for c in 0..3 {
                let a = ours.weights[j * 3 + c];
                let b = tp[[j, c]];
                assert!((a - b).abs() < 1e-3, "w[{j},{c}] ours {a} theirs {b}");
            }
        }
    }

    /// A seeded sparse problem: `n` rows of `d` columns, about 8 values
    /// each, and a label that depends on a few columns plus noise.
    /// A xorshift64 stream from `seed` (non-zero): test data without a
    /// crate.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    fn random_rows(n: usize, d: usize, seed: u64) -> (CsrMatrix, Vec<usize>) {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        let mut x = CsrMatrix::with_columns(d);
        let mut y = Vec::new();
        for _ in 0..n {
            let mut cols: Vec<u32> = (0..8).map(|_| (next() % d) as u32).collect();
            cols.sort_unstable();
            cols.dedup();
            let row: Vec<(u32, f32)> = cols
                .iter()
                .map(|&j| (j, (next() % 1000) as f32 / 1000.0 + 0.1))
                .collect();
            let signal = row.iter().filter(|&&(j, _)| j % 3 == 0).count() + next() % 3;
            y.push(signal % 3);
            x.push_row(&row);
        }
        (x, y)
    }

    #[test]
    fn evaluation_gives_the_plain_row_by_row_bits() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for n in [0usize, 1, 3, 4, 5, 9, 64, 203] {
            let d = 50;
            let mut x = CsrMatrix::with_columns(d);
            for _ in 0..n {
                // Rows of 0 to 30 entries, so the four summed side by side
                // differ in length.
                let mut cols: Vec<u32> = (0..next() % 31)
                    .map(|_| (next() % d as u64) as u32)
                    .collect();
                cols.sort_unstable();
                cols.dedup();
                let row: Vec<(u32, f32)> = cols
                    .iter()
                    .map(|&j| (j, (next() % 1000) as f32 / 250.0 - 1.0))
                    .collect();
                x.push_row(&row);
            }
            // All rows, and a view of some of them in another order.
            let picked: Vec<usize> = (0..n).rev().filter(|i| i % 3 != 1).collect();
            for view in [RowView::all(&x), RowView::some(&x, &picked)] {
                let m = view.n_rows();
                let problem = BinaryProblem {
                    x: view,
                    y: (0..m)
                        .map(|_| if next() % 2 == 0 { 1.0 } else { -1.0 })
                        .collect(),
                    s: (0..m).map(|_| (next() % 5) as f64 * 0.5 + 0.25).collect(),
                    alpha: 0.03,
                    margins: Default::default(),
                };
                for scale in [0.0, 0.1, 3.0, 40.0] {
                    let p: Vec<f64> = (0..=d)
                        .map(|_| ((next() % 2001) as f64 / 1000.0 - 1.0) * scale)
                        .collect();
                    let mut grad = vec![7.0; 3];
                    let cost = problem.cost_gradient(&p, &mut grad);
                    let (plain_cost, plain_grad) = problem.evaluate_plainly(&p);
                    assert_eq!(cost.to_bits(), plain_cost.to_bits(), "n {n}, scale {scale}");
                    assert_eq!(bits(&grad), bits(&plain_grad), "n {n}, scale {scale}");
                }
            }
        }
    }

    #[test]
    fn fused_pass_updates_in_order_and_sums_in_fixed_lanes() {
        let mut bits = xorshift(0x2545_f491_4f6c_dd1d);
        let mut next = || {
            let rng = bits();
            match rng % 7 {
                0 => 0.0,
                1 => -0.0,
                _ => (rng >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0,
            }
        };
        for n in [0, 1, 2, 3, 4, 5, 7, 8, 100, 1001] {
            for _ in 0..20 {
                let q0: Vec<f64> = (0..n).map(|_| next()).collect();
                let (y, o): (Vec<f64>, Vec<f64>) = (0..n).map(|_| (next(), next())).unzip();
                let a = next();
                let mut fused_q = q0.clone();
                let got = fused(&mut fused_q, &o, |qj, j| *qj -= y[j] * a);
                let mut plain_q = q0.clone();
                for (qj, yj) in plain_q.iter_mut().zip(&y) {
                    *qj -= yj * a;
                }
                assert_eq!(fused_q, plain_q);
                // The lanes written out: element j in lane j % 4 up to the
                // last whole group of four, the rest in a tail.
                let whole = n - n % 4;
                let mut lanes = [0.0f64; 4];
                for j in 0..whole {
                    lanes[j % 4] += o[j] * plain_q[j];
                }
                let tail = (whole..n).fold(0.0, |t, j| t + o[j] * plain_q[j]);
                let expected = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail;
                assert_eq!(got.to_bits(), expected.to_bits(), "n {n}");
                // And it is the dot product, up to rounding.
                let plain = dot(&o, &plain_q);
                assert!(
                    (got - plain).abs() <= 1e-12 * n as f64,
                    "n {n}: {got} vs {plain}"
                );
            }
        }
    }

    #[test]
    fn lbfgs_reaches_argmins_lbfgs_solution() {
        // The same line search, stopping rules and recursion as argmin's
        // solver, with the recursion's sums in lanes: the same solution up
        // to rounding, not to the bit.
        let (x, classes) = random_rows(300, 40, 7);
        let close = |ours: &[f64], theirs: &[f64], what: &str| {
            let scale = theirs.iter().fold(1.0f64, |m, v| m.max(v.abs()));
            let worst = ours
                .iter()
                .zip(theirs)
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
            assert!(worst <= 1e-10 * scale, "{what}: differs by {worst:e}");
        };
        for (alpha, iterations) in [(1.0, 300), (0.01, 300), (0.001, 7), (0.1, 1)] {
            let params = LogisticParams::default()
                .alpha(alpha)
                .max_iterations(iterations)
                .check()
                .unwrap();
            let binary = || class_one_against_rest(&x, &classes, alpha);
            for init in [vec![0.0; 41], vec![0.05; 41]] {
                let ours = lbfgs_minimise(binary(), init.clone(), &params, 300.0);
                let theirs = argmin_lbfgs(binary(), init, &params, 300.0).unwrap();
                close(&ours, &theirs, &format!("binary, alpha {alpha}"));
            }
            let multinomial = || MultinomialProblem {
                x: RowView::all(&x),
                y: classes.clone(),
                s: vec![1.0; classes.len()],
                k: 3,
                alpha,
            };
            let ours = lbfgs_minimise(multinomial(), vec![0.0; 41 * 3], &params, 300.0);
            let theirs = argmin_lbfgs(multinomial(), vec![0.0; 41 * 3], &params, 300.0).unwrap();
            close(&ours, &theirs, &format!("multinomial, alpha {alpha}"));
        }
    }

    /// The binary problem of class 1 against the others, unweighted.
    fn class_one_against_rest<'a>(
        x: &'a CsrMatrix,
        classes: &[usize],
        alpha: f64,
    ) -> BinaryProblem<'a> {
        BinaryProblem {
            x: RowView::all(x),
            y: classes
                .iter()
                .map(|&c| if c == 1 { 1.0 } else { -1.0 })
                .collect(),
            s: vec![1.0; classes.len()],
            alpha,
            margins: Default::default(),
        }
    }

    /// argmin's More-Thuente line search from `x0` along `dir`: the point,
    /// its cost and its gradient, or `None` where it fails.
    fn argmin_line_search<P: Smooth>(
        problem: P,
        x0: &[f64],
        dir: &[f64],
    ) -> Option<(Vec<f64>, f64, Vec<f64>)> {
        use argmin::solver::linesearch::{LineSearch, MoreThuenteLineSearch};
        let mut g0 = Vec::new();
        let f0 = problem.cost_gradient(x0, &mut g0);
        let mut search = MoreThuenteLineSearch::new();
        search.search_direction(dir.to_vec());
        let mut found = Executor::new(ForArgmin::new(problem), search)
            .configure(|state| state.param(x0.to_vec()).gradient(g0).cost(f0))
            .ctrlc(false)
            .run()
            .ok()?
            .state;
        Some((
            found.take_param()?,
            found.get_cost(),
            found.take_gradient()?,
        ))
    }

    #[test]
    fn line_search_takes_argmins_steps_to_the_bit() {
        let (x, classes) = random_rows(200, 30, 11);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let mut bits_of = xorshift(0x9e37_79b9_7f4a_7c15);
        let mut next = move || (bits_of() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
        let mut searches = 0;
        for alpha in [1.0, 0.01] {
            let problem = || class_one_against_rest(&x, &classes, alpha);
            // Steepest descent from random points at several scales (long
            // and short first steps, bracketing and extrapolating), and a
            // direction that does not descend.
            for scale in [0.0, 0.01, 1.0, 30.0] {
                for stretch in [1e-3, 1.0, 50.0] {
                    let x0: Vec<f64> = (0..31).map(|_| next() * scale).collect();
                    let mut g0 = Vec::new();
                    let f0 = problem().cost_gradient(&x0, &mut g0);
                    for sign in [-1.0, 1.0] {
                        let dir: Vec<f64> = g0.iter().map(|g| sign * stretch * g).collect();
                        let (mut xs, mut gs) = (vec![9.0; 2], Vec::new());
                        let ours = line_search::more_thuente(
                            |p, g| problem().cost_gradient(p, g),
                            &x0,
                            f0,
                            &g0,
                            &dir,
                            &mut xs,
                            &mut gs,
                        );
                        let theirs = argmin_line_search(problem(), &x0, &dir);
                        let what = format!("alpha {alpha}, scale {scale}, stretch {stretch}");
                        match (ours, theirs) {
                            (Some(f), Some((tx, tf, tg))) => {
                                assert_eq!(f.to_bits(), tf.to_bits(), "{what}");
                                assert_eq!(bits(&xs), bits(&tx), "{what}");
                                assert_eq!(bits(&gs), bits(&tg), "{what}");
                                searches += 1;
                            }
                            (None, None) => assert!(sign > 0.0 || scale == 0.0, "{what}"),
                            (a, b) => panic!("{what}: {a:?} against {:?}", b.map(|b| b.1)),
                        }
                    }
                }
            }
        }
        assert!(searches >= 20, "{searches} searches compared");
    }

    #[test]
    fn invalid_penalty_is_refused_before_fitting() {
        assert!(LogisticParams::default().alpha(f64::NAN).check().is_err());
        assert!(LogisticParams::default().alpha(-1.0).check().is_err());
        assert!(LogisticParams::default().max_iterations(0).check().is_err());
    }

    #[test]
    fn balanced_weights_shift_the_intercept_towards_the_rare_class() {
        let (xd, mut y) = toy();
        y = y.iter().enumerate().map(|(i, _)| i == 0).collect();
        let x = CsrMatrix::from_dense(&xd);
        let ds = DatasetBase::new(x, Array1::from(y));
        let plain = LogisticParams::default().check().unwrap().fit(&ds).unwrap();
        let bal = LogisticParams::default()
            .balanced(true)
            .check()
            .unwrap()
            .fit(&ds)
            .unwrap();
        assert!(bal.intercept > plain.intercept);
    }
}
