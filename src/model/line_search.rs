//! The More-Thuente line search of L-BFGS, on slices and reused buffers.
//!
//! Written out rather than run as argmin's `MoreThuenteLineSearch`: that
//! solver owns its vectors, so every trial point is a new allocation and
//! the start point, its gradient and each trial's gradient are copied in
//! and out of argmin's state and the problem's memo (about 7% of a
//! 24-label fit went to those copies and allocations). This is the same
//! algorithm as argmin 0.11's port of MINPACK's `dcsrch`/`dcstep`, with the
//! same arithmetic in the same order, so it tries the same steps and
//! returns the same bits; a test runs both on the same problems.

// The conditions are kept as argmin (and MINPACK) write them, so the two
// can be compared line by line.
#![allow(clippy::nonminimal_bool)]

/// Sufficient-decrease constant (argmin's `c1`, MINPACK's `ftol`).
const FTOL: f64 = 1e-4;
/// Curvature constant (argmin's `c2`, MINPACK's `gtol`).
const GTOL: f64 = 0.9;
/// Extrapolation factor while the minimum is not bracketed.
const XTRAPF: f64 = 4.0;
/// Relative width of the interval at which the search stops.
const XTOL: f64 = 1e-10;

/// A step length with the function value and directional derivative there.
#[derive(Debug, Clone, Copy)]
struct Step {
    x: f64,
    fx: f64,
    gx: f64,
}

impl Step {
    fn new(x: f64, fx: f64, gx: f64) -> Self {
        Step { x, fx, gx }
    }
}

/// Searches along `dir` from `x0` (cost `f0`, gradient `g0`) for a step
/// meeting the strong Wolfe conditions, starting at step 1.
/// `evaluate(p, g)` returns the cost at `p` and writes its gradient into
/// `g`. On success the point found is in `x`, its gradient in `g`, and its
/// cost is returned; `None` where argmin's search fails (`dir` is not a
/// descent direction, or a step meets a NaN or an infinity), after which
/// L-BFGS stops with its best point.
pub(crate) fn more_thuente(
    mut evaluate: impl FnMut(&[f64], &mut Vec<f64>) -> f64,
    x0: &[f64],
    f0: f64,
    g0: &[f64],
    dir: &[f64],
    x: &mut Vec<f64>,
    g: &mut Vec<f64>,
) -> Option<f64> {
    let finit = if f0.is_infinite() {
        evaluate(x0, g)
    } else {
        f0
    };
    let dginit = dot(g0, dir);
    if dginit >= 0.0 {
        return None;
    }
    let stpmin = f64::EPSILON.sqrt();
    let stpmax = f64::INFINITY;
    let mut stage1 = true;
    let mut brackt = false;
    let dgtest = FTOL * dginit;
    let mut width = stpmax - stpmin;
    let mut width1 = 2.0 * width;
    let mut stp = Step::new(1.0, f64::NAN, f64::NAN);
    let mut stx = Step::new(0.0, finit, dginit);
    let mut sty = Step::new(0.0, finit, dginit);
    let mut infoc = 1usize;
    loop {
        // The interval of uncertainty.
        let (stmin, stmax) = if brackt {
            (stx.x.min(sty.x), stx.x.max(sty.x))
        } else {
            (stx.x, stp.x + XTRAPF * (stp.x - stx.x))
        };
        stp.x = stp.x.max(stpmin);
        stp.x = stp.x.min(stpmax);
        // An unusual end: take the lowest point so far.
        if (brackt && (stp.x <= stmin || stp.x >= stmax))
            || (brackt && (stmax - stmin) <= XTOL * stmax)
            || infoc == 0
        {
            stp.x = stx.x;
        }
        // x = x0 + stp * dir, as argmin-math's scaled_add rounds it.
        x.clear();
        x.extend(x0.iter().zip(dir).map(|(a, d)| a + stp.x * d));
        let f = evaluate(x, g);
        let dg = dot(dir, g);
        let ftest1 = finit + stp.x * dgtest;
        let done = ((brackt && (stp.x <= stmin || stp.x >= stmax)) || infoc == 0)
            || ((stp.x - stpmax).abs() < f64::EPSILON && f <= ftest1 && dg <= dgtest)
            || ((stp.x - stpmin).abs() < f64::EPSILON && (f > ftest1 || dg >= dgtest))
            || (brackt && stmax - stmin <= XTOL * stmax)
            || (f <= ftest1 && dg.abs() <= GTOL * (-dginit));
        if done {
            return Some(f);
        }
        if stage1 && f <= ftest1 && dg >= FTOL.min(GTOL) * dginit {
            stage1 = false;
        }
        if stage1 && f <= stp.fx && f > ftest1 {
            // The modified function (MINPACK's psi) while in stage 1.
            let fm = f - stp.x * dgtest;
            let fxm = stx.fx - stx.x * dgtest;
            let fym = sty.fx - sty.x * dgtest;
            let dgm = dg - dgtest;
            let dgxm = stx.gx - dgtest;
            let dgym = sty.gx - dgtest;
            let (stx1, sty1, stp1, brackt1, info) = cstep(
                Step::new(stx.x, fxm, dgxm),
                Step::new(sty.x, fym, dgym),
                Step::new(stp.x, fm, dgm),
                brackt,
                stmin,
                stmax,
            )?;
            stx.x = stx1.x;
            sty.x = sty1.x;
            stx.fx += stx1.x * dgtest;
            sty.fx += sty1.x * dgtest;
            stx.gx += dgtest;
            sty.gx += dgtest;
            brackt = brackt1;
            stp = stp1;
            infoc = info;
        } else {
            let (stx1, sty1, stp1, brackt1, info) =
                cstep(stx, sty, Step::new(stp.x, f, dg), brackt, stmin, stmax)?;
            stx = stx1;
            sty = sty1;
            stp = stp1;
            brackt = brackt1;
            infoc = info;
        }
        if brackt {
            if (sty.x - stx.x).abs() >= 0.66 * width1 {
                stp.x = stx.x + 0.5 * (sty.x - stx.x);
            }
            width1 = width;
            width = (sty.x - stx.x).abs();
        }
    }
}

/// The sum of `a[i] * b[i]` in order from -0.0 (argmin-math's dot).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// The largest of three values, the last of equal ones (as argmin's
/// `max_by` picks it); `None` if one is NaN or infinite.
fn largest(values: [f64; 3]) -> Option<f64> {
    if values.iter().any(|v| v.is_nan() || v.is_infinite()) {
        return None;
    }
    values
        .into_iter()
        .max_by(|a, b| a.partial_cmp(b).expect("no NaN"))
}

/// One safeguarded step of the interval update (MINPACK's `dcstep`, as
/// argmin 0.11 writes it), the step kept within `[stpmin, stpmax]` (the
/// caller passes the current interval of uncertainty): the new `stx`, `sty`, trial `stp`, whether the
/// minimum is bracketed and which case applied (0: inputs out of range,
/// nothing changed). `None` where a NaN or an infinity turns up.
#[allow(clippy::type_complexity)]
fn cstep(
    stx: Step,
    sty: Step,
    stp: Step,
    brackt: bool,
    stpmin: f64,
    stpmax: f64,
) -> Option<(Step, Step, Step, bool, usize)> {
    let mut brackt = brackt;
    if (brackt && (stp.x <= stx.x.min(sty.x) || stp.x >= stx.x.max(sty.x)))
        || stx.gx * (stp.x - stx.x) >= 0.0
        || stpmax < stpmin
    {
        return Some((stx, sty, stp, brackt, 0));
    }
    // Whether the derivatives have opposite signs.
    let sgnd = stp.gx * (stx.gx / stx.gx.abs());
    let bound;
    let info;
    let mut stpf;
    if stp.fx > stx.fx {
        // A higher function value: the minimum is bracketed. The cubic
        // step if it is closer to stx, else the mean of cubic and
        // quadratic.
        info = 1;
        bound = true;
        let theta = 3.0 * (stx.fx - stp.fx) / (stp.x - stx.x) + stx.gx + stp.gx;
        let s = largest([theta, stx.gx, stp.gx])?;
        let mut gamma = s * ((theta / s).powi(2) - (stx.gx / s) * (stp.gx / s)).sqrt();
        if stp.x < stx.x {
            gamma = -gamma;
        }
        let p = (gamma - stx.gx) + theta;
        let q = ((gamma - stx.gx) + gamma) + stp.gx;
        let r = p / q;
        let stpc = stx.x + r * (stp.x - stx.x);
        let stpq = stx.x
            + ((stx.gx / ((stx.fx - stp.fx) / (stp.x - stx.x) + stx.gx)) / 2.0) * (stp.x - stx.x);
        stpf = if (stpc - stx.x).abs() < (stpq - stx.x).abs() {
            stpc
        } else {
            stpc + (stpq - stpc) / 2.0
        };
        brackt = true;
    } else if sgnd < 0.0 {
        // A lower value and derivatives of opposite signs: bracketed. The
        // cubic step if it is farther from stp, else the secant step.
        info = 2;
        bound = false;
        let theta = 3.0 * (stx.fx - stp.fx) / (stp.x - stx.x) + stx.gx + stp.gx;
        let s = largest([theta, stx.gx, stp.gx])?;
        let mut gamma = s * ((theta / s).powi(2) - (stx.gx / s) * (stp.gx / s)).sqrt();
        if stp.x > stx.x {
            gamma = -gamma;
        }
        let p = (gamma - stp.gx) + theta;
        let q = ((gamma - stp.gx) + gamma) + stx.gx;
        let r = p / q;
        let stpc = stp.x + r * (stx.x - stp.x);
        let stpq = stp.x + (stp.gx / (stp.gx - stx.gx)) * (stx.x - stp.x);
        stpf = if (stpc - stp.x).abs() > (stpq - stp.x).abs() {
            stpc
        } else {
            stpq
        };
        brackt = true;
    } else if stp.gx.abs() < stx.gx.abs() {
        // A lower value, derivatives of the same sign, the derivative's
        // magnitude falling.
        info = 3;
        bound = true;
        let theta = 3.0 * (stx.fx - stp.fx) / (stp.x - stx.x) + stx.gx + stp.gx;
        let s = largest([theta, stx.gx, stp.gx])?;
        let mut gamma = s * 0.0f64
            .max((theta / s).powi(2) - (stx.gx / s) * (stp.gx / s))
            .sqrt();
        if stp.x > stx.x {
            gamma = -gamma;
        }
        let p = (gamma - stp.gx) + theta;
        let q = (gamma + (stx.gx - stp.gx)) + gamma;
        let r = p / q;
        let stpc = if r < 0.0 && gamma != 0.0 {
            stp.x + r * (stx.x - stp.x)
        } else if stp.x > stx.x {
            stpmax
        } else {
            stpmin
        };
        let stpq = stp.x + (stp.gx / (stp.gx - stx.gx)) * (stx.x - stp.x);
        stpf = if brackt {
            if (stp.x - stpc).abs() < (stp.x - stpq).abs() {
                stpc
            } else {
                stpq
            }
        } else if (stp.x - stpc).abs() > (stp.x - stpq).abs() {
            stpc
        } else {
            stpq
        };
    } else {
        // A lower value, derivatives of the same sign, the derivative's
        // magnitude not falling.
        info = 4;
        bound = false;
        stpf = if brackt {
            let theta = 3.0 * (stp.fx - sty.fx) / (sty.x - stp.x) + sty.gx + stp.gx;
            let s = largest([theta, sty.gx, stp.gx])?;
            let mut gamma = s * ((theta / s).powi(2) - (sty.gx / s) * (stp.gx / s)).sqrt();
            if stp.x > sty.x {
                gamma = -gamma;
            }
            let p = (gamma - stp.gx) + theta;
            let q = ((gamma - stp.gx) + gamma) + sty.gx;
            let r = p / q;
            stp.x + r * (sty.x - stp.x)
        } else if stp.x > stx.x {
            stpmax
        } else {
            stpmin
        };
    }
    // The new interval, whatever the case above.
    let mut stx_o = stx;
    let mut sty_o = sty;
    let mut stp_o = stp;
    if stp_o.fx > stx_o.fx {
        sty_o = stp_o;
    } else {
        if sgnd < 0.0 {
            sty_o = stx_o;
        }
        stx_o = stp_o;
    }
    // The new step, safeguarded.
    stpf = stpmax.min(stpf);
    stpf = stpmin.max(stpf);
    stp_o.x = stpf;
    if brackt && bound {
        if sty_o.x > stx_o.x {
            stp_o.x = stp_o.x.min(stx_o.x + 0.66 * (sty_o.x - stx_o.x));
        } else {
            stp_o.x = stp_o.x.max(stx_o.x + 0.66 * (sty_o.x - stx_o.x));
        }
    }
    Some((stx_o, sty_o, stp_o, brackt, info))
}
