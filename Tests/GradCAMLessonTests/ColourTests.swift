import Foundation
import LessonSupport
#if canImport(GradCAMSolutions)
import GradCAMSolutions
#endif
import Testing
import TensorEngine
import TestSupport

/// Lesson 05 on colour images: the seeded 3-channel model of `Datasets/colour`, against
/// pytorch-grad-cam 1.5.7 at `relu3` (`Tests/ColourFixtures/colour-reference.json`).
@Suite("Lesson 05 — colour images", .graded(Exercises.lesson))
struct GradCAMColourTests {
    @Test("Exercise 5.2: Grad-CAM of a colour model at relu3, as pytorch-grad-cam's get_cam_image")
    func gradCAMColour() throws {
        let reference = try ColourReference.shared.get()
        let received = try Graded.gradCAM(of: try ColourReference.model(), images: try ColourReference.images(), targets: reference.targets, layer: "relu3")
        try reference.expectMatch(received, "gradcam_raw", "Grad-CAM of the colour model [2, 1, 8, 8]")
    }

    @Test("Exercise 5.3: the colour model's maps resized to its 32×32 input and scaled, as pytorch-grad-cam returns them")
    func upsampledColour() throws {
        let reference = try ColourReference.shared.get()
        for (raw, final) in [("gradcam_raw", "gradcam"), ("gradcampp_raw", "gradcampp")] {
            let received = try Graded.upsampledAndNormalized(try reference.array(raw), height: 32, width: 32)
            try reference.expectMatch(received, final, "\(raw) resized to 32×32 and scaled to [0, 1]")
        }
    }

    @Test("Exercise 5.4: Grad-CAM++ of a colour model at relu3, as pytorch-grad-cam")
    func gradCAMPlusPlusColour() throws {
        let reference = try ColourReference.shared.get()
        let received = try Graded.gradCAMPlusPlus(of: try ColourReference.model(), images: try ColourReference.images(), targets: reference.targets, layer: "relu3")
        try reference.expectMatch(received, "gradcampp_raw", "Grad-CAM++ of the colour model [2, 1, 8, 8]")
    }
}
