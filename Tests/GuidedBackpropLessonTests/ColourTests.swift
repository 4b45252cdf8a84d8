import Foundation
import LessonSupport
#if canImport(GuidedBackpropSolutions)
import GuidedBackpropSolutions
#endif
import Testing
import TensorEngine
import TestSupport

/// Lesson 06 on colour images: the seeded 3-channel model of `Datasets/colour`, against captum's
/// GuidedBackprop and Deconvolution (`Tests/ColourFixtures/colour-reference.json`).
@Suite("Lesson 06 — colour images", .graded(Exercises.lesson))
struct GuidedBackpropColourTests {
    @Test("Exercise 6.1: guided backpropagation of a colour image, every channel, as captum's GuidedBackprop")
    func guidedColour() throws {
        let reference = try ColourReference.shared.get()
        let received = try Graded.guidedBackprop(of: try ColourReference.model(), images: try ColourReference.images(), targets: reference.targets)
        try reference.expectMatch(received, "guided_backprop", "guided backpropagation of a colour image [2, 3, 32, 32]")
    }

    @Test("Exercise 6.2: the deconvnet rule on a colour image, as captum's Deconvolution")
    func deconvnetColour() throws {
        let reference = try ColourReference.shared.get()
        let received = try Graded.deconvnet(of: try ColourReference.model(), images: try ColourReference.images(), targets: reference.targets)
        try reference.expectMatch(received, "deconvolution", "the deconvnet rule on a colour image [2, 3, 32, 32]")
    }

    @Test("Exercise 6.3: guided Grad-CAM of a colour image: the one upsampled map multiplies all three channels")
    func guidedGradCAMColour() throws {
        let reference = try ColourReference.shared.get()
        let received = try Graded.guidedGradCAM(of: try ColourReference.model(), images: try ColourReference.images(), targets: reference.targets, layer: "relu3")
        try reference.expectMatch(received, "guided_gradcam",
                                  "guided Grad-CAM of a colour image [2, 3, 32, 32] (guided backprop × the min-max scaled bilinear Grad-CAM, the same map for every channel)")
    }
}
