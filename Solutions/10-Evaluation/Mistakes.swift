// The mistake catalogue of Lesson 10: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise and no other (`swift run workbook verify` checks
// it). Never shown to students.

import LessonSupport
import TensorEngine

public enum EvaluationMistakes {
    // MARK: 10.1a

    public enum PerturbationCurve: String, MistakeKind {
        case leastRelevantFirst = "least-relevant-first", logitScore = "logit-score"
        public var summary: String {
            switch self {
            case .leastRelevantFirst: "deletion order reversed: replaces the least relevant pixels first"
            case .logitScore: "records the raw logit instead of the softmax probability"
            }
        }
    }

    public static func perturbationCurve(_ id: PerturbationCurve, of model: Module, from start: Tensor, to end: Tensor, attributions: Tensor,
                                         targets: [Int], pixelsPerStep: Int) throws -> Tensor {
        switch id {
        case .leastRelevantFirst:
            let reversed = try Tensor(shape: attributions.shape, data: attributions.data.map { -$0 })
            return try EvaluationSolutions.perturbationCurve(of: model, from: start, to: end, attributions: reversed, targets: targets, pixelsPerStep: pixelsPerStep)
        case .logitScore:
            return try EvaluationSolutions.perturbationCurve(of: model, from: start, to: end, attributions: attributions, targets: targets,
                                                             pixelsPerStep: pixelsPerStep) { $0 }
        }
    }

    // MARK: 10.1b

    public enum AreaUnderCurve: String, MistakeKind {
        case noStepWidth = "no-step-width", leftRiemann = "left-riemann"
        public var summary: String {
            switch self {
            case .noStepWidth: "sums the trapezoids without the step width 1/S"
            case .leftRiemann: "left Riemann sum Σ y_k / S (k < S) instead of the trapezoid rule"
            }
        }
    }

    public static func areaUnderCurve(_ id: AreaUnderCurve, _ curves: Tensor) throws -> [Float] {
        let reference = try EvaluationSolutions.areaUnderCurve(curves)
        let points = curves.shape[1]
        switch id {
        case .noStepWidth: return reference.map { $0 * Float(points - 1) }
        case .leftRiemann:
            return (0..<curves.shape[0]).map { i in curves.data[(i * points)..<((i + 1) * points - 1)].reduce(0, +) / Float(points - 1) }
        }
    }

    // MARK: 10.2a

    public enum PointingGame: String, MistakeKind {
        case firstMaximum = "first-maximum", absoluteMaximum = "absolute-maximum"
        public var summary: String {
            switch self {
            case .firstMaximum: "ties not handled: scores only the first maximum in row-major order (an upsampled map's plateau points top-left)"
            case .absoluteMaximum: "points at the largest |a| instead of the largest a"
            }
        }
    }

    public static func pointingGame(_ id: PointingGame, attributions: Tensor, masks: Tensor, tolerance: Int) throws -> [Float] {
        switch id {
        case .absoluteMaximum:
            let magnitudes = try Tensor(shape: attributions.shape, data: attributions.data.map { abs($0) })
            return try EvaluationSolutions.pointingGame(attributions: magnitudes, masks: masks, tolerance: tolerance)
        case .firstMaximum:
            _ = try EvaluationSolutions.pointingGame(attributions: attributions, masks: masks, tolerance: tolerance)
            let (n, h, w) = (attributions.shape[0], attributions.shape[2], attributions.shape[3]), area = h * w
            return (0..<n).map { i in
                let map = attributions.data[(i * area)..<((i + 1) * area)]
                let first = (map.firstIndex(of: map.max() ?? 0) ?? i * area) - i * area
                return nearMask(masks.data, image: i, pixel: first, height: h, width: w, tolerance: tolerance) ? 1 : 0
            }
        }
    }

    // MARK: 10.2b

    public enum RelevanceMass: String, MistakeKind {
        case countsNegative = "counts-negative", absoluteValues = "absolute-values"
        public var summary: String {
            switch self {
            case .countsNegative: "counts negative attribution: Σ_mask a / Σ a with the signs kept"
            case .absoluteValues: "counts |a|: negative evidence outside the mask lowers the score, inside raises it"
            }
        }
    }

    public static func relevanceMass(_ id: RelevanceMass, attributions: Tensor, masks: Tensor) throws -> [Float] {
        _ = try EvaluationSolutions.relevanceMass(attributions: attributions, masks: masks)
        let area = attributions.shape[2] * attributions.shape[3]
        let value: (Float) -> Float = id == .countsNegative ? { $0 } : { abs($0) }
        return (0..<attributions.shape[0]).map { i in
            var inside: Float = 0, total: Float = 0
            for p in (i * area)..<((i + 1) * area) {
                total += value(attributions.data[p])
                if masks.data[p] != 0 { inside += value(attributions.data[p]) }
            }
            return total != 0 ? inside / total : 0
        }
    }

    // MARK: 10.2c

    public enum RelevanceRankAccuracy: String, MistakeKind {
        case dividesByArea = "divides-by-area", leastRelevant = "least-relevant"
        public var summary: String {
            switch self {
            case .dividesByArea: "divides the hits among the top K by the image's pixel count instead of K"
            case .leastRelevant: "takes the K lowest-attributed pixels"
            }
        }
    }

    public static func relevanceRankAccuracy(_ id: RelevanceRankAccuracy, attributions: Tensor, masks: Tensor) throws -> [Float] {
        switch id {
        case .dividesByArea:
            let area = attributions.shape[2] * attributions.shape[3]
            let reference = try EvaluationSolutions.relevanceRankAccuracy(attributions: attributions, masks: masks)
            return reference.indices.map { i in
                reference[i] * Float((0..<area).filter { masks.data[i * area + $0] != 0 }.count) / Float(area)
            }
        case .leastRelevant:
            let negated = try Tensor(shape: attributions.shape, data: attributions.data.map { -$0 })
            return try EvaluationSolutions.relevanceRankAccuracy(attributions: negated, masks: masks)
        }
    }

    // MARK: 10.3

    public enum DecoyShare: String, MistakeKind {
        case fixedCorner = "fixed-corner", signed = "signed"
        public var summary: String {
            switch self {
            case .fixedCorner: "always measures the top-left swatch, whatever the image's corner"
            case .signed: "sums the signed attribution: positive and negative evidence cancel"
            }
        }
    }

    public static func decoyShare(_ id: DecoyShare, attributions: Tensor, corners: [Int]) throws -> [Float] {
        switch id {
        case .fixedCorner:
            return try EvaluationSolutions.decoyShare(attributions: attributions, corners: corners.map { _ in 0 })
        case .signed:
            _ = try EvaluationSolutions.decoyShare(attributions: attributions, corners: corners)
            let (h, w) = (attributions.shape[2], attributions.shape[3]), area = h * w
            return corners.indices.map { i in
                let top = corners[i] & 2 != 0 ? h - 4 : 0, left = corners[i] & 1 != 0 ? w - 4 : 0
                var inside: Float = 0, total: Float = 0
                for y in 0..<h { for x in 0..<w {
                    let r = attributions.data[i * area + y * w + x]
                    total += r
                    if (top..<(top + 4)).contains(y) && (left..<(left + 4)).contains(x) { inside += r }
                } }
                return total != 0 ? inside / total : 0
            }
        }
    }

    // MARK: 10.4

    public enum AblationCAM: String, MistakeKind {
        case dividesByAblated = "divides-by-ablated", softmaxScore = "softmax-score"
        public var summary: String {
            switch self {
            case .dividesByAblated: "wₖ = (yᶜ − yᶜₖ) / yᶜₖ: divides by the ablated score instead of the original"
            case .softmaxScore: "scores with the softmax probability instead of the raw logit"
            }
        }
    }

    public static func ablationCAM(_ id: AblationCAM, of model: Module, images: Tensor, targets: [Int], layer: String) throws -> Tensor {
        let (a, logits) = try featureMaps(of: model, at: layer, images: images)
        try checkTargets(targets, logits, "Ablation-CAM")
        let k = a.shape[1]
        var weights: [Float] = []
        for i in 0..<images.shape[0] {
            let image = try images.sliced(axis: 0, i..<(i + 1))
            let ablated = try ablatedLogits(of: model, at: layer, image: image, channels: k), repeated = Array(repeating: targets[i], count: k)
            switch id {
            case .dividesByAblated:
                let original = targetScores(logits, targets)[i]
                weights += targetScores(ablated, repeated).map { (original - $0) / $0 }
            case .softmaxScore:
                let original = targetScores(try logits.softmax(), targets)[i]
                weights += targetScores(try ablated.softmax(), repeated).map { (original - $0) / original }
            }
        }
        return try weightedMap(weights, a)
    }

    // MARK: 10.5

    public enum ScoreCAM: String, MistakeKind {
        case unnormalisedMasks = "unnormalised-masks", halfPixelUpsampling = "half-pixel-upsampling", noSoftmax = "no-softmax"
        public var summary: String {
            switch self {
            case .unnormalisedMasks: "masks the input with the raw upsampled activations, not min-max scaled to [0, 1]"
            case .halfPixelUpsampling: "upsamples with align_corners=False (F.interpolate's default) instead of UpsamplingBilinear2d's True"
            case .noSoftmax: "uses the masked inputs' logits as weights without the softmax over channels"
            }
        }
    }

    public static func scoreCAM(_ id: ScoreCAM, of model: Module, images: Tensor, targets: [Int], layer: String) throws -> Tensor {
        let (n, _, height, width) = try imageShape(images, "Score-CAM")
        let (a, logits) = try featureMaps(of: model, at: layer, images: images)
        try checkTargets(targets, logits, "Score-CAM")
        var weights: [Float] = []
        for i in 0..<n {
            let plane = try a.sliced(axis: 0, i..<(i + 1))
            let masks: Tensor
            switch id {
            case .unnormalisedMasks: masks = try resizedAlignedCorners(plane, height: height, width: width)
            case .halfPixelUpsampling: masks = try minMaxPlanes(try plane.resizedBilinear(height: height, width: width))
            case .noSoftmax: masks = try minMaxPlanes(try resizedAlignedCorners(plane, height: height, width: width))
            }
            let scores = try withNoGrad { try model(try maskedCopies(try images.sliced(axis: 0, i..<(i + 1)), masks: masks)) }
            let raw = (0..<a.shape[1]).map { scores.data[$0 * scores.shape[1] + targets[i]] }
            weights += id == .noSoftmax ? raw : softmaxed(raw)
        }
        return try weightedMap(weights, a)
    }

    // MARK: 10.6a

    public enum LinearImputation: String, MistakeKind {
        case equalWeights = "equal-weights", noBorderRenormalisation = "no-border-renormalisation"
        case edgeNeighboursOnly = "edge-neighbours-only", keptNeighboursOnly = "kept-neighbours-only"
        public var summary: String {
            switch self {
            case .equalWeights: "all eight neighbours weighted 1/8 (the library: 1/6 edge, 1/12 diagonal)"
            case .noBorderRenormalisation: "divides by the full weight 1 at the border too: pixels outside the image count as 0"
            case .edgeNeighboursOnly: "uses the four edge neighbours only (1/4 each)"
            case .keptNeighboursOnly: "no system solved: removed neighbours count as 0, only kept ones are averaged"
            }
        }
    }

    public static func linearImputation(_ id: LinearImputation, of images: Tensor, keeping keep: Tensor) throws -> Tensor {
        switch id {
        case .equalWeights:
            return try EvaluationSolutions.linearImputation(of: images, keeping: keep, neighbours: imputationNeighbours.map { ($0.dy, $0.dx, 1.0 / 8) })
        case .noBorderRenormalisation:
            return try EvaluationSolutions.linearImputation(of: images, keeping: keep, neighbours: imputationNeighbours, renormalised: false)
        case .edgeNeighboursOnly:
            return try EvaluationSolutions.linearImputation(of: images, keeping: keep,
                                                            neighbours: imputationNeighbours.filter { $0.dy == 0 || $0.dx == 0 }.map { ($0.dy, $0.dx, 0.25) })
        case .keptNeighboursOnly:
            return try EvaluationSolutions.linearImputation(of: images, keeping: keep, neighbours: imputationNeighbours, coupled: false)
        }
    }

    // MARK: 10.6b

    public enum ROADScores: String, MistakeKind {
        case tiesKept = "ties-kept", ordersSwapped = "orders-swapped", probabilityAfter = "probability-after", noiseEverywhere = "noise-everywhere"
        public var summary: String {
            switch self {
            case .tiesKept: "keeps the pixels equal to the threshold (≤ instead of <): a plateau at the threshold survives"
            case .ordersSwapped: "MoRF and LeRF swapped: thresholds 1 − a for most relevant first"
            case .probabilityAfter: "returns the probability after imputation, not its change (return_diff)"
            case .noiseEverywhere: "adds the noise to every pixel, not only the imputed ones"
            }
        }
    }

    public static func roadScores(_ id: ROADScores, of model: Module, images: Tensor, attributions: Tensor, targets: [Int], percentile: Int,
                                  order: RemovalOrder, noise: Tensor) throws -> [Float] {
        var variant = ROADVariant(), order = order
        switch id {
        case .tiesKept: variant.keepsTies = true
        case .ordersSwapped: order = order == .mostRelevantFirst ? .leastRelevantFirst : .mostRelevantFirst
        case .probabilityAfter: variant.difference = false
        case .noiseEverywhere: variant.noiseEverywhere = true
        }
        return try EvaluationSolutions.roadScores(of: model, images: images, attributions: attributions, targets: targets, percentile: percentile,
                                                  order: order, noise: noise, variant: variant)
    }
}
