/// How Integrated Gradients (Lesson 02, exercises 2.5a and 2.5) approximates the path integral
/// ∫₀¹ ∇F(x′ + α(x − x′)) dα by a weighted sum Σᵢ wᵢ ∇F(x′ + αᵢ(x − x′)) over `steps` points.
///
/// The raw values are captum's names (`IntegratedGradients.attribute(..., method=...)`), so
/// `IntegrationMethod(rawValue: "gausslegendre")` works. With n = `steps` and i = 0, …, n − 1:
///
/// | method | αᵢ | wᵢ |
/// | --- | --- | --- |
/// | `riemannLeft` | i / n | 1 / n |
/// | `riemannRight` | (i + 1) / n | 1 / n |
/// | `riemannMiddle` | (i + ½) / n | 1 / n |
/// | `riemannTrapezoid` | i / (n − 1) | 1 / (n − 1), halved at both ends (n ≥ 2) |
/// | `gaussLegendre` | (1 + ξᵢ) / 2 | ωᵢ / 2, with (ξᵢ, ωᵢ) the n-point Gauss–Legendre rule on [−1, 1] |
///
/// Every rule's weights sum to 1. (captum 0.9's `riemann_trapezoid` uses 1/n halved at both ends,
/// whose sum is (n − 1)/n; see the lesson's README.)
public enum IntegrationMethod: String, CaseIterable, Sendable {
    case riemannLeft = "riemann_left"
    case riemannRight = "riemann_right"
    case riemannMiddle = "riemann_middle"
    case riemannTrapezoid = "riemann_trapezoid"
    case gaussLegendre = "gausslegendre"
}
