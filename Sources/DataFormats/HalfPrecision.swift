/// Bit-level conversions between `Float` and the two 16-bit float formats of safetensors.
///
/// Done by hand rather than with Swift's `Float16`, which is unavailable on Intel Macs.
/// - IEEE **F16** (binary16): 1 sign, 5 exponent (bias 15), 10 fraction bits.
/// - **BF16** (bfloat16): the top 16 bits of a `Float`: 1 sign, 8 exponent, 7 fraction bits.
enum HalfPrecision {
    /// Exact widening of an IEEE half to `Float` (subnormals, infinities and NaN included).
    static func float(fromF16 bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = UInt32(bits & 0x3FF)
        switch exponent {
        case 0:
            // Zero or subnormal: fraction × 2^-24.
            let magnitude = Float(fraction) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | fraction << 13)    // infinity or NaN
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | fraction << 13)
        }
    }

    /// Rounds a `Float` to the nearest IEEE half (ties to even); overflow gives infinity.
    static func f16(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        if value.isNaN { return sign | 0x7E00 }
        let magnitude = abs(value)
        if magnitude >= 65520 { return sign | 0x7C00 }                  // rounds to infinity
        if magnitude < Float(sign: .plus, exponent: -14, significand: 1) {
            // Subnormal half: units of 2^-24, rounded to nearest even by Float's own rounding.
            let units = (magnitude * Float(sign: .plus, exponent: 24, significand: 1)).rounded(.toNearestOrEven)
            return sign | UInt16(units)
        }
        let exponent = Int((bits >> 23) & 0xFF) - 127 + 15
        var fraction = bits & 0x7F_FFFF
        var half = UInt32(exponent) << 10 | fraction >> 13
        fraction &= 0x1FFF                                             // the 13 bits dropped
        if fraction > 0x1000 || (fraction == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }

    static func float(fromBF16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Rounds a `Float` to bfloat16 (ties to even), keeping NaN a NaN.
    static func bf16(from value: Float) -> UInt16 {
        if value.isNaN { return UInt16(value.bitPattern >> 16) | 0x0040 }
        let bits = value.bitPattern
        let rounding = 0x7FFF + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }
}
