import Foundation

// From coefficients to pixels: the inverse DCT, chroma upsampling, YCbCr → RGB and EXIF
// orientation. The choices, and why (measured against libjpeg-turbo 3.2 through Pillow 13 by
// `Tests/ImagingTests/Fixtures/make_jpeg_fixtures.py`):
// - **IDCT**: libjpeg's accurate integer IDCT (`JDCT_ISLOW`, libjpeg-turbo's default): the
//   Loeffler–Ligtenberg–Moschytz factorisation in 13-bit fixed point. An exact transform in single
//   precision (tried first) differs from it by one grey level on ~2% of samples, which 4:2:0
//   upsampling and the colour conversion turn into up to 3 levels of R, G or B;
//   `inverseDCTNaively`, T.81 A.3.3 summed in double, is its naive twin (within one level).
// - **Upsampling**: libjpeg's "fancy" triangle filter for 2×1 and 2×2 (and 1×2) subsampling —
//   each output sample ¾ of its nearest input sample and ¼ of the next nearest, with libjpeg's
//   integer rounding — and plain replication for any other integral ratio, as libjpeg does.
// - **Colour**: the JFIF equations in libjpeg's 16-bit fixed point (R = Y + 1.402 Cr′, G = Y −
//   0.34414 Cb′ − 0.71414 Cr′, B = Y + 1.772 Cb′, each rounded), which is bit-exact with it.
enum JPEGPixels {
    /// The zig-zag order of T.81 Figure A.6: `zigZag[k]` is the natural (row-major) index of the
    /// k-th coefficient in the entropy-coded order. Extra entries map runs past 63 to 63.
    static let zigZag: [Int] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ]

    /// One 8×8 block: coefficients (natural order, not yet dequantised) times `quantisation`
    /// (natural order), inverse-transformed, level-shifted by 128, rounded and clamped to 0...255,
    /// written as 8 rows of 8 samples `stride` apart.
    ///
    /// The transform is libjpeg's accurate integer IDCT (`JDCT_ISLOW`, the default of libjpeg-turbo
    /// and so of Pillow): the Loeffler–Ligtenberg–Moschytz factorisation (12 multiplications per
    /// 1-D transform) with its constants in 13-bit fixed point, columns first with 2 extra bits kept,
    /// then rows. It approximates the exact transform to within one grey level (tested against
    /// `inverseDCTNaively`); computing the same approximation gives libjpeg-turbo's samples.
    /// Cost: 16 1-D transforms of ~40 integer operations (a column or row whose AC terms are all
    /// zero is one shift).
    @inline(__always)
    static func inverseDCT(_ coefficients: UnsafePointer<Int16>, quantisation: UnsafePointer<UInt16>,
                           into output: UnsafeMutablePointer<UInt8>, stride: Int) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 64) { scratch in
            let workspace = scratch.baseAddress!
            // Pass 1: columns of the dequantised coefficients, results × 2^(2) (13 − 11 bits).
            for x in 0..<8 {
                @inline(__always) func input(_ k: Int) -> Int { Int(coefficients[8 &* k &+ x]) &* Int(quantisation[8 &* k &+ x]) }
                if coefficients[8 + x] == 0 && coefficients[16 + x] == 0 && coefficients[24 + x] == 0 && coefficients[32 + x] == 0
                    && coefficients[40 + x] == 0 && coefficients[48 + x] == 0 && coefficients[56 + x] == 0 {
                    let value = input(0) &<< 2
                    for k in 0..<8 { workspace[8 &* k &+ x] = value }
                    continue
                }
                let out = transform1D(input(0), input(1), input(2), input(3), input(4), input(5), input(6), input(7))
                for k in 0..<8 { workspace[8 &* k &+ x] = (out[k] &+ (1 << 10)) &>> 11 }
            }
            // Pass 2: rows, descaled by 2^(13 + 2 + 3) (the 3: the transform's 1/8), + 128, clamped.
            for y in 0..<8 {
                let row = workspace + 8 &* y, target = output + y &* stride
                if row[1] == 0 && row[2] == 0 && row[3] == 0 && row[4] == 0 && row[5] == 0 && row[6] == 0 && row[7] == 0 {
                    target.update(repeating: clampedByte(((row[0] &+ 16) &>> 5) &+ 128), count: 8)
                    continue
                }
                let out = transform1D(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7])
                for x in 0..<8 { target[x] = clampedByte(((out[x] &+ (1 << 17)) &>> 18) &+ 128) }
            }
        }
    }

    /// One 1-D inverse DCT of 8 values, results scaled by 2^13: the even part (inputs 0, 2, 4, 6)
    /// by the rotation of 2 and 6 and the butterfly of 0 and 4, the odd part (1, 3, 5, 7) by
    /// Loeffler et al.'s flow graph. Constants: round(c · 2^13).
    @inline(__always)
    static func transform1D(_ i0: Int, _ i1: Int, _ i2: Int, _ i3: Int, _ i4: Int, _ i5: Int, _ i6: Int, _ i7: Int) -> SIMD8<Int> {
        // Even part.
        let z1 = (i2 &+ i6) &* 4433                                  // 0.541196100
        let tmp2 = z1 &+ i6 &* -15137                                // −1.847759065
        let tmp3 = z1 &+ i2 &* 6270                                  // 0.765366865
        let tmp0 = (i0 &+ i4) &<< 13, tmp1 = (i0 &- i4) &<< 13
        let tmp10 = tmp0 &+ tmp3, tmp13 = tmp0 &- tmp3, tmp11 = tmp1 &+ tmp2, tmp12 = tmp1 &- tmp2
        // Odd part.
        let s1 = i7 &+ i1, s2 = i5 &+ i3, s3 = i7 &+ i3, s4 = i5 &+ i1
        let z5 = (s3 &+ s4) &* 9633                                  // 1.175875602
        let p1 = s1 &* -7373, p2 = s2 &* -20995                       // −0.899976223, −2.562915447
        let p3 = s3 &* -16069 &+ z5, p4 = s4 &* -3196 &+ z5           // −1.961570560, −0.390180644
        let o0 = i7 &* 2446 &+ p1 &+ p3                              // 0.298631336
        let o1 = i5 &* 16819 &+ p2 &+ p4                             // 2.053119869
        let o2 = i3 &* 25172 &+ p2 &+ p3                             // 3.072711026
        let o3 = i1 &* 12299 &+ p1 &+ p4                             // 1.501321110
        return SIMD8(tmp10 &+ o3, tmp11 &+ o2, tmp12 &+ o1, tmp13 &+ o0, tmp13 &- o0, tmp12 &- o1, tmp11 &- o2, tmp10 &- o3)
    }

    /// The naive twin of `inverseDCT`: T.81 A.3.3 summed directly in double precision,
    /// f(y,x) = ¼ Σ_v Σ_u C(u)C(v) F(v,u) cos((2x+1)uπ/16) cos((2y+1)vπ/16). Row-major 64 samples.
    static func inverseDCTNaively(_ coefficients: [Int16], quantisation: [UInt16]) -> [UInt8] {
        (0..<64).map { i in
            let y = Double(i / 8), x = Double(i % 8)
            var sum = 0.0
            for v in 0..<8 {
                for u in 0..<8 {
                    let cu = u == 0 ? 1 / 2.0.squareRoot() : 1, cv = v == 0 ? 1 / 2.0.squareRoot() : 1
                    sum += cu * cv * Double(coefficients[v * 8 + u]) * Double(quantisation[v * 8 + u])
                        * cos((2 * x + 1) * Double(u) * .pi / 16) * cos((2 * y + 1) * Double(v) * .pi / 16)
                }
            }
            return UInt8(max(0, min(255, (sum / 4 + 128.5).rounded(.down))))
        }
    }

    /// A component's samples brought to the image's size.
    ///
    /// `plane` holds the component's samples, `stride` apart, of which the first `width` × `height`
    /// are real (`width` = ⌈image width × h / hMax⌉, as libjpeg's `downsampled_width`); the factors
    /// are `hMax / h` and `vMax / v`. Edges repeat the last real sample, as libjpeg's context rows do.
    static func upsampled(_ plane: [UInt8], stride: Int, width: Int, height: Int,
                          horizontalFactor: Int, verticalFactor: Int, outputWidth: Int, outputHeight: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: outputWidth * outputHeight)
        plane.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                let source = input.baseAddress!, target = out.baseAddress!
                func sample(_ x: Int, _ y: Int) -> Int { Int(source[min(y, height - 1) * stride + min(max(x, 0), width - 1)]) }
                switch (horizontalFactor, verticalFactor) {
                case (1, 1):
                    for y in 0..<outputHeight { (target + y * outputWidth).update(from: source + y * stride, count: outputWidth) }
                case (2, 1) where width > 2:
                    // ¾ nearest + ¼ next nearest: (3a + b + 1) >> 2 on the left half, + 2 on the right.
                    for y in 0..<outputHeight {
                        for ox in 0..<outputWidth {
                            let x = ox >> 1, near = sample(x, y)
                            let far = ox & 1 == 0 ? sample(x - 1, y) : sample(x + 1, y)
                            target[y * outputWidth + ox] = UInt8((3 * near + far + (ox & 1 == 0 ? 1 : 2)) >> 2)
                        }
                    }
                case (1, 2):
                    // The same triangle vertically: (3a + b + 1) >> 2 above, + 2 below.
                    for oy in 0..<outputHeight {
                        let y = oy >> 1, other = oy & 1 == 0 ? max(y - 1, 0) : y + 1
                        for x in 0..<outputWidth {
                            target[oy * outputWidth + x] = UInt8((3 * sample(x, y) + sample(x, other) + (oy & 1 == 0 ? 1 : 2)) >> 2)
                        }
                    }
                case (2, 2) where width > 2:
                    // Columns first: s(x) = 3·this row + the nearer other row; then across:
                    // (3 s(x) + s(x ∓ 1) + 8 or 7) >> 4 (libjpeg's biases, alternating).
                    for oy in 0..<outputHeight {
                        let y = oy >> 1, other = oy & 1 == 0 ? max(y - 1, 0) : y + 1
                        func column(_ x: Int) -> Int { 3 * sample(x, y) + sample(x, other) }
                        for ox in 0..<outputWidth {
                            let x = ox >> 1
                            let value = ox & 1 == 0 ? 3 * column(x) + column(x - 1) + 8 : 3 * column(x) + column(x + 1) + 7
                            target[oy * outputWidth + ox] = UInt8(value >> 4)
                        }
                    }
                default:
                    // Any other integral ratio (or a plane at most 2 samples wide): replication.
                    for oy in 0..<outputHeight {
                        for ox in 0..<outputWidth {
                            target[oy * outputWidth + ox] = UInt8(sample(ox / horizontalFactor, oy / verticalFactor))
                        }
                    }
                }
            }
        }
        return output
    }

    /// YCbCr (JFIF) to RGBA in libjpeg's fixed point, bit-exact with its `ycc_rgb_convert`.
    static func rgbaFromYCbCr(_ y: [UInt8], _ cb: [UInt8], _ cr: [UInt8], into rgba: inout [UInt8]) {
        // FIX(x) = round(x · 2¹⁶)
        let crR = 91_881, cbB = 116_130, cbG = -22_554, crG = -46_802, half = 1 << 15
        rgba.withUnsafeMutableBufferPointer { out in
            for i in 0..<y.count {
                let luma = Int(y[i]), blue = Int(cb[i]) - 128, red = Int(cr[i]) - 128
                out[4 * i] = clampedByte(luma + ((crR * red + half) >> 16))
                out[4 * i + 1] = clampedByte(luma + ((cbG * blue + crG * red + half) >> 16))
                out[4 * i + 2] = clampedByte(luma + ((cbB * blue + half) >> 16))
                out[4 * i + 3] = 255
            }
        }
    }

    @inline(__always)
    static func clampedByte(_ value: Int) -> UInt8 { UInt8(max(0, min(255, value))) }

    /// The image as it should be shown, given its EXIF orientation (1...8: TIFF's tag 274, as
    /// Pillow's `ImageOps.exif_transpose`): 2 mirrored, 3 turned 180°, 4 flipped, 5 transposed,
    /// 6 turned 90° clockwise, 7 transversed, 8 turned 90° anticlockwise.
    static func oriented(_ image: RGBAImage, orientation: Int) -> RGBAImage {
        guard (2...8).contains(orientation) else { return image }
        let w = image.width, h = image.height
        let swaps = orientation >= 5
        let ow = swaps ? h : w, oh = swaps ? w : h
        var pixels = [UInt8](repeating: 0, count: 4 * ow * oh)
        image.pixels.withUnsafeBufferPointer { input in
            pixels.withUnsafeMutableBufferPointer { out in
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let (x, y): (Int, Int)
                        switch orientation {
                        case 2: (x, y) = (w - 1 - ox, oy)
                        case 3: (x, y) = (w - 1 - ox, h - 1 - oy)
                        case 4: (x, y) = (ox, h - 1 - oy)
                        case 5: (x, y) = (oy, ox)
                        case 6: (x, y) = (oy, h - 1 - ox)
                        case 7: (x, y) = (w - 1 - oy, h - 1 - ox)
                        default: (x, y) = (w - 1 - oy, ox)
                        }
                        let from = 4 * (y * w + x), to = 4 * (oy * ow + ox)
                        out[to] = input[from]; out[to + 1] = input[from + 1]; out[to + 2] = input[from + 2]; out[to + 3] = input[from + 3]
                    }
                }
            }
        }
        return RGBAImage(width: ow, height: oh, pixels: pixels)
    }
}
