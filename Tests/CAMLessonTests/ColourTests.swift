import Foundation
import LessonSupport
#if canImport(CAMSolutions)
import CAMSolutions
#endif
import Testing
import TensorEngine
import TestSupport

/// Lesson 04 on colour images: the seeded 3-channel model of `Datasets/colour` (a GAP network on
/// 32×32 RGB), against PyTorch (`Tests/ColourFixtures/colour-reference.json`).
@Suite("Lesson 04 — colour images", .graded(Exercises.lesson))
struct CAMColourTests {
    @Test("Exercise 4.1: the CAM of a colour model at relu3 (8×8 for a 32×32 input), as PyTorch computes Σₖ wₖᶜ Aₖ")
    func camColour() throws {
        let reference = try ColourReference.shared.get()
        let received = try Graded.classActivationMap(of: try ColourReference.model(), images: try ColourReference.images(),
                                                     targets: reference.targets, featureLayer: "relu3", classifier: "fc")
        try reference.expectMatch(received, "cam", "CAM of the colour model [2, 1, 8, 8]")
    }

    @Test("Exercise 4.2: the colour model's 8×8 CAM upsampled to its 32×32 input, as F.interpolate(bilinear, align_corners=False)")
    func upsampleColour() throws {
        let reference = try ColourReference.shared.get()
        let received = try Graded.upsampleBilinear(try reference.array("cam"), height: 32, width: 32)
        try reference.expectMatch(received, "cam_upsampled", "the colour model's CAM resized from 8×8 to 32×32")
    }
}
