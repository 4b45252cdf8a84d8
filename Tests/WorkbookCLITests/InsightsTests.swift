import DataFormats
import Foundation
import Imaging
import LessonSupport
import ModelZoo
import Testing
import TestSupport
import TensorEngine
@testable import WorkbookCLI

/// `workbook insights`: the page is well-formed, self-contained and deterministic, its pictures are
/// the ones `workbook explain` draws, and a real browser clicks through it without errors.
@Suite("workbook insights: the explorer page", .maintainers, .maintainers)
struct InsightsTests {
    /// Test images 0–3 plus 8 (mnist-gap misclassifies none of 0–3; the set is small so a page
    /// takes a few seconds in debug builds).
    static let indices = "0-3,8"

    static func generate(into folder: URL, extra: [String] = []) throws {
        let result = workbook(["insights", "--model", "mnist-gap", "--indices", indices, "--out", folder.path] + extra)
        #expect(result.status == 0, "insights failed: \(result.error)")
    }

    static func page(in folder: URL) throws -> (html: String, checker: HTMLChecker) {
        let html = try String(contentsOf: folder.appendingPathComponent("index.html"), encoding: .utf8)
        return (html, HTMLChecker(html))
    }

    /// The JSON the page embeds.
    static func data(_ html: String) throws -> [String: Any] {
        let start = try #require(html.range(of: "<script id=\"insights-data\" type=\"application/json\">"))
        let end = try #require(html[start.upperBound...].range(of: "</script>"))
        let json = Data(html[start.upperBound..<end.lowerBound].utf8)
        return try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    }

    @Test("the HTML is well-formed, every image has alt text, and the checker itself rejects broken pages")
    func wellFormed() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.generate(into: folder)
        let (_, checker) = try Self.page(in: folder)
        #expect(checker.problems.isEmpty, "\(checker.problems.prefix(5))")
        let images = checker.elements.filter { $0.name == "img" }
        #expect(images.count == 5 + 7)     // 5 thumbnails; input, two maps, their two colour bars, the layer maps, the channel pictures
        let scripted: Set = ["focus-primary", "focus-second", "layer-maps", "channel-images"]    // alt text set by the script
        #expect(images.filter { ($0.attributes["alt"] ?? "").isEmpty && !scripted.contains($0.attributes["id"] ?? "") }.count == 0)
        #expect(checker.elements.filter { $0.name == "button" }.count == 5 + 15)    // 5 images, 15 methods
        // The checker finds what it is meant to find.
        #expect(!HTMLChecker("<div><span></div></span>").problems.isEmpty)
        #expect(!HTMLChecker("<p class=x>a</p>").problems.isEmpty)
        #expect(!HTMLChecker("<p>fish & chips</p>").problems.isEmpty)
        #expect(!HTMLChecker("<div><p>open</div>").problems.isEmpty)
        #expect(!HTMLChecker("<a id=\"x\"></a><b id=\"x\"></b>").problems.isEmpty)
        #expect(HTMLChecker("<p>a &amp; b<br/><img src=\"x\" alt=\"\"></p><script>if (a < b && c) {}</script>").problems.isEmpty)
    }

    @Test("every referenced file exists, no reference is absolute or remote, and the data agrees with the model")
    func selfContained() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.generate(into: folder)
        let (html, checker) = try Self.page(in: folder)
        var references = checker.elements.compactMap { $0.attributes["src"] ?? $0.attributes["href"] }
        let data = try Self.data(html)
        let methods = try #require(data["methods"] as? [[String: Any]])
        let layers = try #require(data["layers"] as? [[String: Any]])
        let images = try #require(data["images"] as? [[String: Any]])
        #expect(methods.count == 15 && layers.count == 11 && images.count == 5)
        // CAM-style methods at every conv/ReLU/pooling layer with a spatial map, CAM only before the
        // global pool; channel pictures for the conv and ReLU layers, all their channels.
        let spatial = ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "conv3", "relu3"]
        for method in methods {
            let name = try #require(method["name"] as? String)
            let expected: [String]? = name == "cam" ? ["relu3"] : ["gradcam", "gradcam++", "ablation-cam", "score-cam"].contains(name) ? spatial : nil
            #expect(method["layers"] as? [String] == expected, "\(name)")
        }
        let channels = Dictionary(uniqueKeysWithValues: try layers.map { (try #require($0["name"] as? String), try #require($0["channels"] as? Int)) })
        #expect(channels == ["norm": 0, "conv1": 16, "relu1": 16, "pool1": 0, "conv2": 32, "relu2": 32, "pool2": 0, "conv3": 64, "relu3": 64, "gap": 0, "fc": 0])
        for (name, count) in channels where count > 0 { references.append("img/channels/layer-\(name).png") }
        // The files the script builds names for: every image × target × method, every layer.
        let loaded = try ModelFile.load(ModelFile.resolve("mnist-gap"))
        let test = try ModelFile.dataset(for: loaded, split: .test)
        for image in images {
            let index = try #require(image["index"] as? Int)
            let folderName = "img/" + String(format: "%05d", index)
            references.append("\(folderName)/input.png")
            // Independent of the page's code: the label from the data set, the prediction from the model.
            #expect(image["label"] as? Int == test.labels[index])
            let logits = try withNoGrad { try loaded.model(test.image(at: index)) }.data
            let predicted = logits.indices.max { logits[$0] < logits[$1] }!
            #expect(image["predicted"] as? Int == predicted)
            let targets = try #require(image["targets"] as? [Int])
            #expect(targets.count == 3 && targets.first == predicted && Set(targets).count == 3)
            for target in targets {
                for method in methods {
                    let slug = try #require(method["slug"] as? String)
                    let stems = (method["layers"] as? [String]).map { $0.map { "c\(target)-\(slug)-at-\($0)" } } ?? ["c\(target)-\(slug)"]
                    for stem in stems { references += ["\(folderName)/\(stem).png", "\(folderName)/\(stem)-alt.png"] }
                }
            }
            for layer in layers { references.append("\(folderName)/layer-\(try #require(layer["slug"] as? String)).png") }
        }
        references += ["img/colorbar-bwr.png", "img/colorbar-jet.png", "img/colorbar-gray.png"]
        // Per image: input, 3 classes × (11 methods + 3 × 8 layers + CAM) × 2 pictures, 11 layers.
        #expect(references.count > 5 * (1 + 3 * 2 * (11 + 3 * 8 + 1) + 11) + 6)
        for reference in references {
            #expect(!reference.hasPrefix("/") && !reference.contains(":") && !reference.contains(".."), "absolute or remote: \(reference)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(reference).path), "missing \(reference)")
        }
        // Nothing in the page points outside its folder or to the network.
        let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        for bad in ["http:", "https:", "file:", "//", folder.path] { #expect(!withoutNamespace.contains("src=\"\(bad)") && !withoutNamespace.contains("href=\"\(bad)")) }
        #expect(!html.contains(folder.path))
        #expect(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://"))
    }

    @Test("generating twice, on 1 thread and on the default count, writes identical files")
    func deterministic() throws {
        let first = try scratchFolder(), second = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: first); try? FileManager.default.removeItem(at: second) }
        let extra = ["--methods", "smoothgrad,gradcam,occlusion,score-cam,fgsm", "--channel-images", "8"]
        try Self.generate(into: first, extra: extra)
        try Parallel.withThreads(1) { try Self.generate(into: second, extra: extra) }
        let files = try FileManager.default.subpathsOfDirectory(atPath: first.path).sorted()
        #expect(files == (try FileManager.default.subpathsOfDirectory(atPath: second.path)).sorted())
        #expect(files.count > 50)
        var differing: [String] = []
        for file in files {
            let a = FileManager.default.contents(atPath: first.appendingPathComponent(file).path)
            let b = FileManager.default.contents(atPath: second.appendingPathComponent(file).path)
            if a != b { differing.append(file) }
        }
        #expect(differing.isEmpty, "differ: \(differing.prefix(5))")
    }

    /// Whether `small` enlarged `factor` times appears pixel for pixel inside `big`.
    static func contains(_ big: RGBAImage, _ small: RGBAImage, factor: Int) -> Bool {
        let s = small.upscaled(by: factor)
        guard s.width <= big.width, s.height <= big.height else { return false }
        for y0 in 0...(big.height - s.height) {
            for x0 in 0...(big.width - s.width) {
                // The first pixel alone rules out almost every position (cheap in a debug build).
                let first = (y0 * big.width + x0) * 4
                if big.pixels[first] != s.pixels[0] || big.pixels[first + 1] != s.pixels[1] || big.pixels[first + 2] != s.pixels[2] { continue }
                var same = true
                rows: for y in 0..<s.height {
                    let a = ((y0 + y) * big.width + x0) * 4, b = y * s.width * 4
                    if big.pixels[a..<(a + s.width * 4)] != s.pixels[b..<(b + s.width * 4)] { same = false; break rows }
                }
                if same { return true }
            }
        }
        return false
    }

    /// Runs `workbook explain` for one (image, method, target, layer) and checks the page's PNG is its
    /// panel (`layer`: the CAM-style map's layer, nil for the other methods).
    static func expectMatchesExplain(page: URL, index: Int, method: String, slug: String, target: Int, layer: String? = nil,
                                     model: String = "mnist-gap", side: Int = 28) throws {
        let explained = page.deletingLastPathComponent().appendingPathComponent("explain-\(index)-\(slug)-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: explained) }
        let result = workbook(["explain", "--model", model, "--index", "\(index)", "--method", method, "--target", "\(target)", "--out", explained.path]
                              + (layer.map { ["--layer", $0] } ?? []))
        #expect(result.status == 0, "\(result.error)")
        let panel = try PNG.readRGBA(from: explained)
        let file = "c\(target)-\(slug)" + (layer.map { "-at-\($0)" } ?? "") + ".png"
        let picture = try PNG.readRGBA(from: page.appendingPathComponent("img/" + String(format: "%05d", index) + "/" + file))
        #expect(picture.width == side && picture.height == side)
        #expect(contains(panel, picture, factor: 4), "the page's \(method) picture for image \(index), class \(target) is not explain's")
    }

    @Test("a colour model (shapes-simplenet): colour inputs, every map at 32×32, explain's pictures; no channel pictures, said once")
    func colourModel() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("page")
        let result = workbook(["insights", "--model", "shapes-simplenet", "--indices", "0-2", "--methods", "saliency,gradcam,integrated-gradients,fgsm", "--out", page.path])
        #expect(result.status == 0, "\(result.error)")
        let input = try PNG.readRGBA(from: page.appendingPathComponent("img/00000/input.png"))
        #expect(input.width == 32 && input.height == 32)
        let colourful = (0..<(32 * 32)).filter { p in
            let (r, g, b) = (Int(input.pixels[4 * p]), Int(input.pixels[4 * p + 1]), Int(input.pixels[4 * p + 2]))
            return max(r, g, b) - min(r, g, b) > 40
        }.count
        #expect(colourful > 50, "the input picture should be in colour (\(colourful) colourful pixels)")
        let targets = try #require(try Self.data(try Self.page(in: page).html)["images"] as? [[String: Any]]).first?["targets"] as? [Int]
        let target = try #require(targets?.first)
        try Self.expectMatchesExplain(page: page, index: 0, method: "saliency", slug: "saliency", target: target, model: "shapes-simplenet", side: 32)
        try Self.expectMatchesExplain(page: page, index: 0, method: "fgsm", slug: "fgsm", target: target, model: "shapes-simplenet", side: 32)
        #expect(!FileManager.default.fileExists(atPath: page.appendingPathComponent("img/channels").path))
        let refused = workbook(["insights", "--model", "shapes-simplenet", "--indices", "0", "--channel-images", "4", "--out", folder.appendingPathComponent("x").path])
        #expect(refused.status != 0 && refused.error.contains("give --channel-images 0"), "\(refused.error)")
    }

    @Test("--image DIR: every PNG and JPEG of a folder in name order (anything else skipped, said once), no labels, explain --image's input")
    func imagesOfYourOwn() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        let jpeg = UserImageTests.photo
        try FileManager.default.copyItem(at: jpeg, to: photos.appendingPathComponent("b-photo.jpg"))
        let drawn = RGBAImage(width: 40, height: 30, fill: RGBA(200, 40, 40))
        try Data(PNG.encode(drawn)).write(to: photos.appendingPathComponent("a-red.PNG"))
        try Data("not an image".utf8).write(to: photos.appendingPathComponent("notes.txt"))
        let page = folder.appendingPathComponent("page")
        let result = workbook(["insights", "--model", "shapes-simplenet", "--image", photos.path, "--methods", "saliency,gradcam", "--targets", "2", "--out", page.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(try InsightsCommand.imageFiles(at: photos, limit: 10).map(\.lastPathComponent) == ["a-red.PNG", "b-photo.jpg"])
        // A folder named like an image is not one.
        try FileManager.default.createDirectory(at: photos.appendingPathComponent("c-folder.png"), withIntermediateDirectories: true)
        #expect(try InsightsCommand.imageFiles(at: photos, limit: 10).map(\.lastPathComponent) == ["a-red.PNG", "b-photo.jpg"])
        let noParent = workbook(["insights", "--model", "shapes-simplenet", "--image", photos.path, "--out", "/missing/dir/page"])
        #expect(noParent.status != 0 && noParent.error.hasSuffix("no folder /missing/dir for page"), "\(noParent.error)")
        #expect(throws: CommandLineError.self) { try InsightsCommand.imageFiles(at: photos, limit: 1) }
        let (html, checker) = try Self.page(in: page)
        #expect(checker.problems.isEmpty, "\(checker.problems.prefix(5))")
        #expect(html.contains("2 images of your own (no labels)."))
        let images = try #require(try Self.data(html)["images"] as? [[String: Any]])
        #expect(images.map { $0["name"] as? String } == ["a-red.PNG", "b-photo.jpg"])
        #expect(images.allSatisfy { $0["label"] is NSNull })
        // What the page shows as the input is what explain --image gives the model.
        let loaded = try ModelFile.load(ModelFile.shippedURL("shapes-simplenet"))
        let user = try InputImages.load(photos.appendingPathComponent("b-photo.jpg"), shape: [3, 32, 32], invert: false)
        let input = try PNG.readRGBA(from: page.appendingPathComponent("img/00001/input.png"))
        #expect(input.pixels == (try Render.image(user.tensor.data, channels: 3, width: 32, height: 32, upscale: 1)).pixels)
        let p = try #require(images[1]["p"] as? [Double])
        let expected = try withNoGrad { try loaded.model(user.tensor).softmax() }.data
        #expect(zip(p, expected).allSatisfy { abs($0 - Double($1)) < 1e-4 })
    }

    @Test("--image refusals: with --n, --invert without --image, a folder without images, a missing path", arguments: [
        (["--image", "PHOTOS", "--n", "3"], "--image gives the images; --indices, --n and --misclassified choose test images: give one or the other"),
        (["--indices", "0", "--invert"], "--invert goes with --image FILE|DIR"),
        (["--image", "PHOTOS"], "--image: no .png, .jpg or .jpeg file in PHOTOS"),
        (["--image", "PHOTOS/missing.jpg"], "--image: no file or folder PHOTOS/missing.jpg"),
    ])
    func imageRefusals(arguments: [String], message: String) throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: photos.appendingPathComponent("readme.txt"))
        let result = workbook(["insights", "--model", "mnist-gap", "--out", folder.appendingPathComponent("page").path]
                              + arguments.map { $0.replacingOccurrences(of: "PHOTOS", with: photos.path) })
        #expect(result.status != 0)
        #expect(result.error.hasSuffix(message.replacingOccurrences(of: "PHOTOS", with: photos.path)), "\(result.error)")
        #expect(contents(folder) == ["photos"])
    }

    @Test("the methods left out by default on photo-sized inputs are methods explain has")
    func slowMethodsExist() {
        let names = ExplanationMethods.all(using: .standard).map(\.name)
        #expect(InsightsCommand.slowOnLargeInputs.allSatisfy(names.contains))
    }

    @Test("the page's picture for (image, method, class, layer) is the one workbook explain draws", arguments: [
        ("saliency", "saliency", nil), ("gradcam++", "gradcampp", "relu3"), ("gradcam++", "gradcampp", "pool1"), ("cam", "cam", "relu3"),
        ("score-cam", "score-cam", "conv2"), ("occlusion", "occlusion", nil), ("pgd", "pgd", nil),
    ] as [(String, String, String?)])
    func matchesExplain(method: String, slug: String, layer: String?) throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("page")
        #expect(workbook(["insights", "--model", "mnist-gap", "--indices", "2", "--methods", method, "--channel-images", "0", "--out", page.path]).status == 0)
        let targets = try #require(try Self.data(try Self.page(in: page).html)["images"] as? [[String: Any]]).first?["targets"] as? [Int]
        // The predicted class and the least likely of the three.
        for target in [try #require(targets?.first), try #require(targets?.last)] {
            try Self.expectMatchesExplain(page: page, index: 2, method: method, slug: slug, target: target, layer: layer)
        }
        // And the matcher is not blind: another class's picture is not the panel.
        let stem = "c\(targets![0])-\(slug)" + (layer.map { "-at-\($0)" } ?? "")
        #expect(!Self.contains(try PNG.readRGBA(from: page.appendingPathComponent("img/00002/input.png")),
                               try PNG.readRGBA(from: page.appendingPathComponent("img/00002/\(stem).png")), factor: 1))
    }

    @Test("a CAM-style method's maps differ from layer to layer, and --layer L keeps only L")
    func camLayers() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let all = folder.appendingPathComponent("all"), one = folder.appendingPathComponent("one")
        #expect(workbook(["insights", "--model", "mnist-gap", "--indices", "0", "--methods", "cam,gradcam,saliency", "--channel-images", "0", "--out", all.path]).status == 0)
        let pictures = try ["conv1", "pool1", "conv2", "relu3"].map { try Data(contentsOf: all.appendingPathComponent("img/00000/c7-gradcam-at-\($0).png")) }
        #expect(Set(pictures).count == 4)
        // The raw map has the layer's resolution: 28, 14, 14 and 7 pixels wide.
        let widths = try ["conv1", "pool1", "conv2", "relu3"].map { try PNG.readRGBA(from: all.appendingPathComponent("img/00000/c7-gradcam-at-\($0)-alt.png")).width }
        #expect(widths == [28, 14, 14, 7])
        #expect(!FileManager.default.fileExists(atPath: all.appendingPathComponent("img/channels").path))

        #expect(workbook(["insights", "--model", "mnist-gap", "--indices", "0", "--methods", "cam,gradcam,saliency", "--layer", "conv2", "--channel-images", "0", "--out", one.path]).status == 0)
        let data = try Self.data(try Self.page(in: one).html)
        let methods = try #require(data["methods"] as? [[String: Any]])
        #expect(methods.compactMap { $0["name"] as? String } == ["saliency", "gradcam"])     // CAM does not apply at conv2
        #expect(methods.last?["layers"] as? [String] == ["conv2"])
        #expect(data["layer"] as? String == "conv2")
        let files = try FileManager.default.subpathsOfDirectory(atPath: one.appendingPathComponent("img/00000").path)
        let targets = try #require((data["images"] as? [[String: Any]])?.first?["targets"] as? [Int])
        #expect(files.filter { $0.contains("-at-") }.sorted() == targets.flatMap { ["c\($0)-gradcam-at-conv2-alt.png", "c\($0)-gradcam-at-conv2.png"] }.sorted())
        #expect(try Data(contentsOf: one.appendingPathComponent("img/00000/c7-gradcam-at-conv2.png")) == pictures[2])
    }

    @Test("the channel pictures are lesson 08's: tile k of a layer's picture is workbook visualize's channel k, stretched")
    func channelPictures() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("page")
        #expect(workbook(["insights", "--model", "mnist-gap", "--indices", "0", "--methods", "saliency", "--channel-images", "5", "--out", page.path]).status == 0)
        let raw = folder.appendingPathComponent("conv2.npy")
        let result = workbook(["visualize", "--model", "mnist-gap", "--layer", "conv2", "--all-channels", "--out", folder.appendingPathComponent("conv2.png").path, "--raw", raw.path])
        #expect(result.status == 0, "\(result.error)")
        let images = try NPY.decode([UInt8](Data(contentsOf: raw)))
        #expect(images.shape == [32, 1, 28, 28])
        let values = images.floats()
        // conv2 has 32 channels: the feature maps use 6 columns, so do the 5 channel pictures.
        let grid = try PNG.readRGBA(from: page.appendingPathComponent("img/channels/layer-conv2.png"))
        #expect(grid.width == 6 * 29 + 1 && grid.height == 29 + 1)
        for k in 0..<5 {
            let tile = try Render.map(Array(values[(k * 784)..<((k + 1) * 784)]), width: 28, height: 28, colormap: .gray, upscale: 1)
            var same = true
            for y in 0..<28 { for x in 0..<28 where grid[x: 1 + k * 29 + x, y: 1 + y] != tile[x: x, y: y] { same = false } }
            #expect(same, "channel \(k) of conv2 is not visualize's")
        }
        // Not blind: channel 0's picture is not channel 1's.
        #expect(Array(values[0..<784]) != Array(values[784..<1568]))
        let data = try Self.data(try Self.page(in: page).html)
        let layers = try #require(data["layers"] as? [[String: Any]])
        #expect(layers.compactMap { $0["channels"] as? Int } == [0, 5, 5, 0, 5, 5, 0, 5, 5, 0, 0])
        #expect(try FileManager.default.contentsOfDirectory(atPath: page.appendingPathComponent("img/channels").path).sorted()
                == ["layer-conv1.png", "layer-conv2.png", "layer-conv3.png", "layer-relu1.png", "layer-relu2.png", "layer-relu3.png"])
    }

    @Test("bad options get one line and leave nothing behind", arguments: [
        (["--indices", "0-3", "--n", "5"], "give --indices or --n/--misclassified, not both"),
        (["--indices", "9990-10000"], "--indices: 10000 is outside the test set 0..<10000"),
        (["--indices", "5-2"], "--indices takes numbers and ranges like 0-199 or 3,7,10-12, got '5-2'"),
        (["--indices", "1,,2"], "--indices takes numbers and ranges like 0-199 or 3,7,10-12, got '1,,2'"),
        (["--methods", "saliency,magic"], "unknown method 'magic'; methods: all, saliency, gradient-x-input, smoothgrad, integrated-gradients, occlusion, cam, gradcam, gradcam++, ablation-cam, score-cam, guided-backprop, deconvnet, guided-gradcam, fgsm, pgd"),
        (["--n", "0"], "--n must be in 1...10000, got 0"),
        (["--channel-images", "-1"], "--channel-images must be in 0...1024, got -1"),
        (["--indices", "0", "--layer", "nope"], "no layer 'nope' in mnist-gap; layers: norm, conv1, relu1, pool1, conv2, relu2, pool2, conv3, relu3, gap, fc"),
    ])
    func refused(arguments: [String], message: String) throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("page")
        let result = workbook(["insights", "--model", "mnist-gap", "--out", out.path] + arguments)
        #expect(result.status != 0)
        #expect(result.error.hasSuffix(message), "\(result.error)")
        #expect(contents(folder).isEmpty)
    }
}
