// What the graders' hints for 6.3 compare a student's guided Grad-CAM with, computed from the
// reference. They live here, not in the tests, because they spell out guided Grad-CAM itself; the
// graders ask for them through `Reference` (recorded for the student edition). Never shown to
// students.

import TensorEngine

/// For `images` and `targets` with Grad-CAM at `layer`: the usual wrong guided Grad-CAMs, each as
/// its `[N, C, H, W]` values with the hint a student whose map equals it gets, and the CAM factor
/// of the right answer (the upsampled, min-max scaled Grad-CAM, repeated over the channels, so
/// `[N, C, H, W]` too) from which the hint tells a wrong guided-backprop factor from a wrong CAM.
public func guidedGradCAMHintData(of model: Module, images: Tensor, targets: [Int], layer: String)
    throws -> (variants: [(values: [Float], hint: String)], camFactor: [Float]) {
    guard images.rank == 4 else { throw TensorError.invalidArgument(operation: "guided Grad-CAM hints", message: "need [N, C, H, W]") }
    let guided = try guidedBackprop(of: model, images: images, targets: targets)
    let plain = try modifiedGradient(of: model, images: images, targets: targets, rule: .gradient)
    let cam = try gradCAMMap(of: model, images: images, targets: targets, layer: layer)
    let (c, h, w) = (images.shape[1], images.shape[2], images.shape[3])
    let up = try withNoGrad { try cam.resizedBilinear(height: h, width: w) }.data
    var scaled = up
    for m in 0..<(scaled.count / (h * w)) {
        let range = (m * h * w)..<((m + 1) * h * w)
        let low = scaled[range].min() ?? 0, high = scaled[range].max() ?? 0
        for p in range { scaled[p] = (scaled[p] - low) / (high - low + 1e-7) }
    }
    func overChannels(_ factor: [Float]) -> [Float] {
        (0..<guided.count).map { factor[($0 / (c * h * w)) * h * w + $0 % (h * w)] }
    }
    let upFactor = overChannels(up), scaledFactor = overChannels(scaled)
    return ([
        (zip(guided.data, upFactor).map { $0 * $1 },
         "the upsampled Grad-CAM is not scaled: scale it to [0, 1] with (v − min)/(max − min + 1e-7) before multiplying"),
        (zip(plain.data, scaledFactor).map { $0 * $1 },
         "this is the plain gradient times the CAM: multiply guided backprop (6.1), not ∂y/∂x"),
    ], scaledFactor)
}
