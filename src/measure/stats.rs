//! Small statistics: the chi-square test of independence and Cramér's V on a groups × {usable,
//! unusable} table.

/// Regularized upper incomplete gamma Q(a, x) (Numerical Recipes: series below a + 1, continued
/// fraction above).
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let ln_prefix = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        let (mut sum, mut term, mut n) = (1.0 / a, 1.0 / a, a);
        for _ in 0..500 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (1.0 - sum * ln_prefix.exp()).clamp(0.0, 1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..500 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (ln_prefix.exp() * h).clamp(0.0, 1.0)
    }
}

/// ln Γ(x), Lanczos approximation.
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 6] = [
        76.180_091_729_471_46,
        -86.505_320_329_416_77,
        24.014_098_240_830_91,
        -1.231_739_572_450_155,
        0.001_208_650_973_866_179,
        -0.000_005_395_239_384_953,
    ];
    let mut y = x;
    let tmp = x + 5.5;
    let tmp = tmp - (x + 0.5) * tmp.ln();
    let mut series = 1.000_000_000_190_015;
    for g in G {
        y += 1.0;
        series += g / y;
    }
    -tmp + (2.506_628_274_631_000_5 * series / x).ln()
}

/// The association between a field's usability and a grouping: Cramér's V and the chi-square
/// p-value, from (rows, usable) per group. `None` when there is nothing to compare (fewer than two
/// non-empty groups, or the field is usable everywhere or nowhere).
pub fn association(groups: &[(u64, u64)]) -> Option<(f64, f64)> {
    let groups: Vec<(f64, f64)> = groups
        .iter()
        .filter(|(rows, _)| *rows > 0)
        .map(|(r, u)| (*r as f64, *u as f64))
        .collect();
    let n: f64 = groups.iter().map(|g| g.0).sum();
    let usable: f64 = groups.iter().map(|g| g.1).sum();
    if groups.len() < 2 || usable <= 0.0 || usable >= n {
        return None;
    }
    let mut chi2 = 0.0;
    for (rows, ok) in &groups {
        for (observed, column_total) in [(*ok, usable), (rows - ok, n - usable)] {
            let expected = rows * column_total / n;
            chi2 += (observed - expected).powi(2) / expected;
        }
    }
    let df = (groups.len() - 1) as f64;
    let v = (chi2 / n).sqrt().min(1.0);
    Some((v, gamma_q(df / 2.0, chi2 / 2.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_matches_known_values() {
        // 2×2: usable 30/40 vs 14/35: chi2 = 9.42999, p = erfc(sqrt(chi2 / 2)) = 0.0021347, V = 0.35459.
        let (v, p) = association(&[(40, 30), (35, 14)]).unwrap_or((0.0, 0.0));
        assert!((v - 0.354_589).abs() < 1e-5, "{v}");
        assert!((p - 0.002_134_66).abs() < 1e-7, "{p}");
        // Independent: same share everywhere.
        let (v, p) = association(&[(100, 50), (200, 100)]).unwrap_or((1.0, 0.0));
        assert!(v.abs() < 1e-12 && (p - 1.0).abs() < 1e-9);
        assert_eq!(association(&[(10, 10), (5, 5)]), None);
        // df 3, chi2 = 7.815 is the 5 % critical value.
        assert!((gamma_q(1.5, 7.815 / 2.0) - 0.05).abs() < 1e-3);
    }
}
