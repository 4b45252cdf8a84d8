import DataFormats
import Foundation
import LessonSupport
import ModelZoo
import Testing
import TensorEngine
import TestSupport
@testable import WorkbookCLI

/// Every method `workbook explain` offers, on torchvision's ResNet-18 (Grad-CAM at `layer4`) and
/// VGG-16 (at `features.28`, its last convolution), against captum, pytorch-grad-cam and PyTorch
/// (`Fixtures/imagenet-methods/make_imagenet_methods_fixture.py`: the deterministic weights of the
/// model tests, a 48×48 input, class 7). The references are the libraries' results in double
/// precision; the bound is 1e-4 of the largest value, or twice the libraries' own float32 error
/// where that is larger (Integrated Gradients and VGG's Grad-CAM++ sum many gradients whose
/// ReLU patterns flip under rounding: captum's float32 IG is 2.6e-3 from its float64 IG on VGG-16).
/// SmoothGrad is the one method not compared here: its noise comes from the engine's generator
/// (lesson 02 compares it with captum given the same noise).
@Suite("ImageNet models: every method against captum and pytorch-grad-cam", .maintainers, .serialized)
struct ImageNetMethodTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/imagenet-methods")
    static let methods = ["saliency", "gradient-x-input", "integrated-gradients", "occlusion", "gradcam", "gradcam++", "guided-backprop", "fgsm"]

    @Test(arguments: [("resnet18", "layer4"), ("vgg16", "features.28")])
    func mapsAgree(_ model: (name: String, layer: String)) throws {
        let network = try Torchvision.architecture(named: model.name, classNames: (0..<1000).map { "\($0)" }).makeModel()
        try DeterministicWeights.apply(to: network)
        let image = try DeterministicWeights.pixels(48)
        let errors = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("float32-errors.json"))) as? [String: [String: Double]]
        let libraryErrors = try #require(errors?[model.name])
        for name in Self.methods {
            let method = try #require(ExplanationMethods.all.first { $0.name == name })
            let expected = try NPY.read(contentsOf: Self.folder.appendingPathComponent("\(model.name)-\(name).npy"))
            let map = try method.compute(network, image, 7, model.layer)
            #expect(map.shape == expected.shape, "\(model.name) \(name): \(map.shape) against \(expected.shape)")
            let reference = expected.floats()
            let scale = max(reference.map(abs).max() ?? 0, 1e-12)
            let relative = maxAbsoluteDifference(map.data, reference) / scale
            let bound = max(1e-4, 2 * Float(try #require(libraryErrors[name])))
            #expect(relative <= bound, "\(model.name) \(name): largest difference \(relative) of the largest value (bound \(bound))")
            if ProcessInfo.processInfo.environment["WORKBOOK_VERBOSE"] != nil {
                print("\(model.name) \(name): \(relative) of the largest value (the libraries in float32: \(libraryErrors[name]!))")
            }
        }
    }

    @Test("IG and SmoothGrad of a photo-sized input run in passes within the memory budget and give the one-pass maps")
    func passesWithinTheBudget() throws {
        let network = try Torchvision.architecture(named: "resnet18", classNames: (0..<1000).map { "\($0)" }).makeModel()
        try DeterministicWeights.apply(to: network)
        let image = try DeterministicWeights.pixels(48)
        let methods = ExplanationMethods.all.filter { ["integrated-gradients", "smoothgrad"].contains($0.name) }
        try #require(methods.count == 2)
        let whole = try methods.map { try $0.compute(network, image, 7, "layer4") }
        // ResNet-18's module outputs for a 48×48 image, counted by hand: the input normalised
        // (3·48²), conv1, bn1, relu at 64·24², the pool 64·12², layer1's two blocks 6 outputs each
        // (the ReLU runs twice) at 64·12², layer2–4 the same plus the downsampling conv and bn in
        // their first block, at 128·6², 256·3², 512·2², then 512 + 512 + 1000.
        let byHand = 3 * 48 * 48 + 3 * 64 * 24 * 24 + 64 * 12 * 12 + 12 * 64 * 12 * 12 + 14 * 128 * 6 * 6 + 14 * 256 * 3 * 3
            + 14 * 512 * 2 * 2 + 512 + 512 + 1000
        let perRow = try MemoryBudget.activationValues(of: network, row: image)
        #expect(perRow == byHand, "\(perRow) activations per row, \(byHand) by hand")
        // A 20 MB budget (2.9 MB a row with the gradients) gives passes of 7 rows: 8 for IG's 50 steps.
        try MemoryBudget.$smallBatchValues.withValue(0) {
            try MemoryBudget.$activationBytes.withValue(20 << 20) {
                let batch = Tensor.zeros([50, 3, 48, 48])
                #expect(try MemoryBudget.rowsPerPass(of: network, batch: batch) == (20 << 20) / (perRow * 8))
                for (method, expected) in zip(methods, whole) {
                    let parts = try method.compute(network, image, 7, "layer4")
                    let scale = expected.data.map(abs).max() ?? 1
                    #expect(maxAbsoluteDifference(parts.data, expected.data) <= 1e-6 * scale, "\(method.name): \(maxAbsoluteDifference(parts.data, expected.data) / scale)")
                }
            }
        }
    }
}
