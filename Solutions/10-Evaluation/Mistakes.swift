// The mistake catalogue of Lesson 10: plausible wrong answers, one enum per exercise, each of
// which must fail a test of its own exercise and no other (`swift run workbook verify` checks
// it). Never shown to students.

import Course
import LessonSupport
import TensorEngine

public enum EvaluationMistakes {
    // MARK: 10.1a

    public typealias PerturbationCurve = EvaluationCourse.PerturbationCurve

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

    public typealias AreaUnderCurve = EvaluationCourse.AreaUnderCurve

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

    public typealias PointingGame = EvaluationCourse.PointingGame

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

    public typealias RelevanceMass = EvaluationCourse.RelevanceMass

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

    public typealias RelevanceRankAccuracy = EvaluationCourse.RelevanceRankAccuracy

    public static func relevanceRankAccuracy(_ id: RelevanceRankAccuracy, attributions: Tensor, masks: Tensor) throws -> [Float] {
        switch id {
        case .dividesByArea:
            let reference = try EvaluationSolutions.relevanceRankAccuracy(attributions: attributions, masks: masks)   // checks the shapes first
            let area = attributions.shape[2] * attributions.shape[3]
            return reference.indices.map { i in
                reference[i] * Float((0..<area).filter { masks.data[i * area + $0] != 0 }.count) / Float(area)
            }
        case .leastRelevant:
            let negated = try Tensor(shape: attributions.shape, data: attributions.data.map { -$0 })
            return try EvaluationSolutions.relevanceRankAccuracy(attributions: negated, masks: masks)
        }
    }

    // MARK: 10.3

    public typealias DecoyShare = EvaluationCourse.DecoyShare

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

    public typealias AblationCAM = EvaluationCourse.AblationCAM

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

    public typealias ScoreCAM = EvaluationCourse.ScoreCAM

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
            case .noSoftmax, .onePassPerChannel: masks = try minMaxPlanes(try resizedAlignedCorners(plane, height: height, width: width))
            }
            let copies = try maskedCopies(try images.sliced(axis: 0, i..<(i + 1)), masks: masks)
            let scores = id == .onePassPerChannel
                ? try Tensor.concatenate(try (0..<a.shape[1]).map { k in try withNoGrad { try model(try copies.sliced(axis: 0, k..<(k + 1))) } }, axis: 0)
                : try withNoGrad { try model(copies) }
            let raw = (0..<a.shape[1]).map { scores.data[$0 * scores.shape[1] + targets[i]] }
            weights += id == .noSoftmax ? raw : softmaxed(raw)
        }
        return try weightedMap(weights, a)
    }

    // MARK: 10.6a

    public typealias LinearImputation = EvaluationCourse.LinearImputation

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

    public typealias ROADScores = EvaluationCourse.ROADScores

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
