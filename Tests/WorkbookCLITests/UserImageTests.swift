import Foundation
import Imaging
import ModelZoo
import Testing
import TensorEngine
import TestSupport
@testable import WorkbookCLI

/// `--image FILE` on `predict` and `explain`: the user's own PNG or JPEG, prepared as
/// torchvision's Resize(S) + CenterCrop(S) + ToTensor() prepare a PIL image.
@Suite("Your own image", .maintainers)
struct UserImageTests {
    /// A JPEG of the Imaging fixtures: 131×97, 4:2:0 (its pixels are libjpeg-turbo's, tested there).
    static let photo = ((try? DatasetFiles.root()) ?? URL(fileURLWithPath: ".")).appendingPathComponent("Tests/ImagingTests/Fixtures/jpeg/baseline-420-large.jpg")

    @Test("a 131×97 JPEG for a 28×28 grey model: grey, shorter side to 28 (37×28), centre 28×28 from column 4, said in one line")
    func preparedAsTorchvision() throws {
        let user = try InputImages.load(Self.photo, shape: [1, 28, 28], invert: false)
        #expect(user.tensor.shape == [1, 1, 28, 28])
        #expect(user.description == "baseline-420-large.jpg: 131×97 JPEG → grey (PIL's luminance) → resized to 37×28 (Pillow's bilinear) → centre 28×28 kept")
        // Independently: the decoded photo in grey, resized and cropped step by step.
        let rgba = try JPEG.readRGBA(from: Self.photo)
        let grey = rgba.grayscale().pixels.map { Float($0) / 255 }
        let resized = Resampling.resized(grey, channels: 1, width: 131, height: 97, toWidth: 37, toHeight: 28)
        let expected = (0..<28).flatMap { y in (0..<28).map { x in resized[y * 37 + 4 + x] } }
        #expect(maxAbsoluteDifference(user.tensor.data, expected) == 0)
        // The photo kept for drawing is the same window of the photo, in colour, at its resolution.
        #expect(user.photo.width == 99 && user.photo.height == 97)
        let inverted = try InputImages.load(Self.photo, shape: [1, 28, 28], invert: true)
        #expect(maxAbsoluteDifference(inverted.tensor.data, expected.map { 1 - $0 }) < 1e-6)
    }

    @Test("a half-black, half-white 80×40 PNG: after the centre crop the edge is in the middle, for grey and colour models")
    func centreCropKeepsTheMiddle() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var image = RGBAImage(width: 80, height: 40, fill: .black)
        for y in 0..<40 { for x in 40..<80 { image.pixels.replaceSubrange((4 * (y * 80 + x))..<(4 * (y * 80 + x) + 3), with: [255, 255, 255]) } }
        let file = folder.appendingPathComponent("half.png")
        try PNG.write(image, to: file)
        for channels in [1, 3] {
            let user = try InputImages.load(file, shape: [channels, 28, 28], invert: false)
            let row = Array(user.tensor.data[(10 * 28)..<(11 * 28)])     // row 10 of the first channel
            #expect(row[0..<12].allSatisfy { $0 < 0.01 } && row[16..<28].allSatisfy { $0 > 0.99 }, "\(row)")
        }
    }

    @Test("explain --image --all on a JPEG: the photo, what the model sees, every map over the photo; predict --image prints the top classes")
    func explainAndPredict() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("panel.png")
        let (status, error) = workbook(["explain", "--model", "mnist-gap", "--image", Self.photo.path, "--invert", "--all", "--out", out.path])
        #expect(status == 0, "\(error)")
        let panel = try PNG.readRGBA(from: out)
        #expect(panel.width > 4 * 99, "the panel's cells are drawn at the photo's size (\(panel.width) wide)")
        #expect(workbook(["explain", "--model", "mnist-gap", "--image", Self.photo.path, "--method", "gradcam", "--out", folder.appendingPathComponent("g.png").path]).status == 0)
        #expect(workbook(["predict", "--model", "mnist-gap", "--image", Self.photo.path]).status == 0)
    }

    @Test("rank --image ranks every method on one picture; --image with --n is refused")
    func rankOnePicture() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("ranking")
        let (status, error) = workbook(["rank", "--model", "mnist-gap", "--image", Self.photo.path, "--invert", "--methods", "saliency,gradcam,random", "--out", out.path])
        #expect(status == 0, "\(error)")
        let text = try String(contentsOf: out.appendingPathComponent("ranking.txt"), encoding: .utf8)
        #expect(text.hasPrefix("# mnist-gap on baseline-420-large.jpg (predicted class; one image, seed 0)"))
        #expect(text.contains("| gradcam |") && text.contains("| random |"))
        let clash = workbook(["rank", "--model", "mnist-gap", "--image", Self.photo.path, "--n", "5", "--out", out.path])
        #expect(clash.status != 0 && clash.error.contains("--n chooses test images"), "\(clash.error)")
    }

    @Test("a file that is neither PNG nor JPEG, --image with --index, --invert without --image: one line each, nothing written")
    func refusals() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let gif = folder.appendingPathComponent("a.gif")
        try Data("GIF89a and more".utf8).write(to: gif)
        let out = folder.appendingPathComponent("x.png").path
        let gifResult = workbook(["explain", "--model", "mnist-gap", "--image", gif.path, "--all", "--out", out])
        #expect(gifResult.status != 0 && gifResult.error.contains("not a PNG or a JPEG image (the file starts with 47 49 46 38)"), "\(gifResult.error)")
        let both = workbook(["explain", "--model", "mnist-gap", "--image", Self.photo.path, "--index", "3", "--all", "--out", out])
        #expect(both.status != 0 && both.error.contains("not both"), "\(both.error)")
        let invert = workbook(["explain", "--model", "mnist-gap", "--invert", "--all", "--out", out])
        #expect(invert.status != 0 && invert.error.contains("--invert goes with --image"), "\(invert.error)")
        #expect(contents(folder) == ["a.gif"])
    }
}
