import Foundation
import Imaging
import Testing
import TestSupport
@testable import WorkbookCLI

/// Headless Chromium, if installed: `$CHROMIUM`, or Debian's `chromium` (`apt-get install -y
/// chromium`), or Chrome. Without one the browser test is skipped with that advice.
enum HeadlessBrowser {
    static let path: String? = {
        let candidates = [ProcessInfo.processInfo.environment["CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser",
                          "/usr/bin/google-chrome", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Loads `url`, lets the page run (virtual time, so no sleeping), and returns the DOM it
    /// built and the browser's console lines (`INFO:CONSOLE…` on standard error).
    static func dumpDOM(_ url: String) throws -> (dom: String, console: [String]) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                             "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", "--dump-dom", url]
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-chromium-\(UUID().uuidString).out")
        let errors = output.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output); try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate(); Issue.record("chromium took longer than 120 s") }
        process.waitUntilExit()
        let dom = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        let log = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        return (dom, log.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") })
    }

    /// The value of `attribute` on the element with `id` in a dumped DOM.
    static func attribute(_ attribute: String, ofElement id: String, in dom: String) -> String? {
        guard let start = dom.range(of: "id=\"\(id)\"") else { return nil }
        let tagStart = dom[..<start.lowerBound].lastIndex(of: "<") ?? dom.startIndex
        guard let tagEnd = dom[start.upperBound...].firstIndex(of: ">") else { return nil }
        let tag = dom[tagStart..<tagEnd]
        guard let value = tag.range(of: " \(attribute)=\"") else { return nil }
        return String(tag[value.upperBound...].prefix { $0 != "\"" })
    }
}

/// Headless Firefox, if installed: `$FIREFOX`, or Debian's `firefox-esr` (`apt-get install -y
/// firefox-esr`), or Firefox. Firefox has no `--dump-dom` that runs scripts, so the tests read its
/// screenshots (`--screenshot`, taken after the load event, when the page's script has run).
enum HeadlessFirefox {
    static let path: String? = {
        let candidates = [ProcessInfo.processInfo.environment["FIREFOX"], "/usr/bin/firefox-esr", "/usr/bin/firefox",
                          "/Applications/Firefox.app/Contents/MacOS/firefox"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// A `width × height` screenshot of `url` in a fresh profile (~2 s).
    static func screenshot(_ url: String, width: Int = 1400, height: Int = 1200) throws -> RGBAImage {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("workbook-firefox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let profile = scratch.appendingPathComponent("profile"), shot = scratch.appendingPathComponent("shot.png")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = ["--headless", "--no-remote", "--profile", profile.path, "--window-size", "\(width),\(height)", "--screenshot", shot.path, url]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate(); Issue.record("firefox took longer than 120 s") }
        process.waitUntilExit()
        return try PNG.readRGBA(from: shot)
    }

    /// Whether some row holds `length` consecutive pixels of `color`: the page's error box
    /// (`#errors`, background #fdd) spans the header, where no picture has such a run.
    static func hasRun(of color: RGBA, length: Int, in image: RGBAImage) -> Bool {
        for y in 0..<image.height {
            var run = 0
            for x in 0..<image.width {
                run = image[x: x, y: y] == color ? run + 1 : 0
                if run >= length { return true }
            }
        }
        return false
    }

    static func count(of color: RGBA, in image: RGBAImage) -> Int {
        var n = 0
        for y in 0..<image.height { for x in 0..<image.width where image[x: x, y: y] == color { n += 1 } }
        return n
    }
}

@Suite("workbook insights in a real browser", .maintainers, .maintainers)
struct InsightsBrowserTests {
    @Test("Chromium loads the page without console errors; clicking an image, a method and a layer changes what is shown, and the shown picture is explain's",
          .enabled(if: HeadlessBrowser.path != nil, "no headless Chromium: apt-get install -y chromium (or set CHROMIUM=/path/to/chrome) to run this test"))
    func clickThrough() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("page")
        #expect(workbook(["insights", "--model", "mnist-gap", "--indices", InsightsTests.indices, "--out", page.path]).status == 0)
        let url = page.appendingPathComponent("index.html").absoluteString

        // As opened: the first image, the first method, the default layer; no errors.
        let opened = try HeadlessBrowser.dumpDOM(url)
        #expect(opened.console.isEmpty, "\(opened.console.prefix(3))")
        #expect(opened.dom.contains("data-ready=\"true\""))
        #expect(opened.dom.contains("data-errors=\"0\""))
        #expect(HeadlessBrowser.attribute("data-image", ofElement: "detail", in: opened.dom) == "0")
        let before = try #require(HeadlessBrowser.attribute("src", ofElement: "focus-primary", in: opened.dom))
        #expect(before.hasPrefix("img/00000/c7-saliency.png"))       // test image 0 is a 7
        let layerBefore = try #require(HeadlessBrowser.attribute("src", ofElement: "layer-maps", in: opened.dom))
        #expect(layerBefore == "img/00000/layer-relu3.png")
        #expect(HeadlessBrowser.attribute("src", ofElement: "channel-images", in: opened.dom) == "img/channels/layer-relu3.png")
        #expect(HeadlessBrowser.attribute("hidden", ofElement: "cam-layers", in: opened.dom) != nil)     // saliency has no layer

        // Clicks on test image 2 (a 1), then the Grad-CAM button, then the conv1 box of the diagram.
        let clicked = try HeadlessBrowser.dumpDOM(url + "#click=thumb-2,method-gradcam,layer-conv1")
        #expect(clicked.console.isEmpty, "\(clicked.console.prefix(3))")
        #expect(clicked.dom.contains("data-errors=\"0\""))
        let after = try #require(HeadlessBrowser.attribute("src", ofElement: "focus-primary", in: clicked.dom))
        #expect(after == "img/00002/c1-gradcam-at-conv1.png")
        #expect(after != before)
        #expect(HeadlessBrowser.attribute("data-method", ofElement: "detail", in: clicked.dom) == "gradcam")
        #expect(HeadlessBrowser.attribute("data-cam-layer", ofElement: "detail", in: clicked.dom) == "conv1")   // the diagram's conv1 is a CAM layer
        #expect(HeadlessBrowser.attribute("src", ofElement: "layer-maps", in: clicked.dom) == "img/00002/layer-conv1.png")
        #expect(HeadlessBrowser.attribute("aria-pressed", ofElement: "thumb-2", in: clicked.dom) == "true")
        #expect(HeadlessBrowser.attribute("aria-pressed", ofElement: "thumb-0", in: clicked.dom) == "false")
        // The picture the browser shows is the panel `workbook explain --index 2 --method gradcam` draws.
        try InsightsTests.expectMatchesExplain(page: page, index: 2, method: "gradcam", slug: "gradcam", target: 1, layer: "conv1")

        // A CAM-style method opens at the last feature layer; its layer picker offers the 8 spatial
        // layers; clicking conv1's button changes the map (and selects conv1 in the diagram too).
        let gradcam = try HeadlessBrowser.dumpDOM(url + "#image=2&method=gradcam")
        #expect(gradcam.console.isEmpty && gradcam.dom.contains("data-errors=\"0\""), "\(gradcam.console.prefix(3))")
        #expect(HeadlessBrowser.attribute("src", ofElement: "focus-primary", in: gradcam.dom) == "img/00002/c1-gradcam-at-relu3.png")
        #expect(HeadlessBrowser.attribute("aria-pressed", ofElement: "camlayer-relu3", in: gradcam.dom) == "true")
        #expect(HeadlessBrowser.attribute("aria-pressed", ofElement: "camlayer-conv1", in: gradcam.dom) == "false")
        #expect(gradcam.dom.components(separatedBy: "class=\"cam-layer\"").count - 1 == 8)
        // Each button shows the map at its layer, with alt text.
        #expect(gradcam.dom.contains("<img src=\"img/00002/c1-gradcam-at-conv1.png\" width=\"42\" height=\"42\" alt=\"gradcam at layer conv1 (16×28×28) for test image 2, class 1\">"))
        let picked = try HeadlessBrowser.dumpDOM(url + "#image=2&method=gradcam&click=camlayer-conv1")
        #expect(picked.console.isEmpty && picked.dom.contains("data-errors=\"0\""), "\(picked.console.prefix(3))")
        let conv1 = try #require(HeadlessBrowser.attribute("src", ofElement: "focus-primary", in: picked.dom))
        #expect(conv1 == "img/00002/c1-gradcam-at-conv1.png")
        #expect(HeadlessBrowser.attribute("src", ofElement: "focus-second", in: picked.dom) == "img/00002/c1-gradcam-at-conv1-alt.png")
        #expect(HeadlessBrowser.attribute("data-cam-layer", ofElement: "detail", in: picked.dom) == "conv1")
        #expect(HeadlessBrowser.attribute("aria-pressed", ofElement: "camlayer-conv1", in: picked.dom) == "true")
        #expect(HeadlessBrowser.attribute("src", ofElement: "layer-maps", in: picked.dom) == "img/00002/layer-conv1.png")
        #expect(HeadlessBrowser.attribute("src", ofElement: "channel-images", in: picked.dom) == "img/channels/layer-conv1.png")
        // The map really changed: the two files differ, and each is explain's at its layer.
        #expect(try Data(contentsOf: page.appendingPathComponent(conv1)) != (try Data(contentsOf: page.appendingPathComponent("img/00002/c1-gradcam-at-relu3.png"))))
        try InsightsTests.expectMatchesExplain(page: page, index: 2, method: "gradcam", slug: "gradcam", target: 1, layer: "conv1")
        // CAM is only defined before the global pool: at conv1 it stays at relu3 and says so.
        let cam = try HeadlessBrowser.dumpDOM(url + "#image=2&method=cam&layer=conv1")
        #expect(HeadlessBrowser.attribute("src", ofElement: "focus-primary", in: cam.dom) == "img/00002/c1-cam-at-relu3.png")
        #expect(cam.dom.contains("cam is not computed at conv1; shown at relu3."))
        // A layer without channel pictures hides them.
        let pool = try HeadlessBrowser.dumpDOM(url + "#click=layer-pool1")
        #expect(HeadlessBrowser.attribute("src", ofElement: "channel-images", in: pool.dom) == nil)
        #expect(pool.dom.contains("No channel pictures for pool1"))

        // The error record works: a click on a missing element is reported, not ignored.
        let filtered = try HeadlessBrowser.dumpDOM(url + "#click=nothing-here")
        #expect(filtered.dom.contains("data-errors=\"1\""))
        #expect(filtered.dom.contains("no element #nothing-here to click"))
    }

    @Test("Chromium runs the explorer of a colour model (shapes-simplenet) without errors; a click shows explain's colour map",
          .enabled(if: HeadlessBrowser.path != nil, "no headless Chromium: apt-get install -y chromium (or set CHROMIUM=/path/to/chrome) to run this test"))
    func colourModel() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("page")
        #expect(workbook(["insights", "--model", "shapes-simplenet", "--indices", "0-3", "--methods", "saliency,gradcam", "--out", page.path]).status == 0)
        let url = page.appendingPathComponent("index.html").absoluteString
        let opened = try HeadlessBrowser.dumpDOM(url)
        #expect(opened.console.isEmpty, "\(opened.console.prefix(3))")
        #expect(opened.dom.contains("data-ready=\"true\"") && opened.dom.contains("data-errors=\"0\""))
        let clicked = try HeadlessBrowser.dumpDOM(url + "#click=thumb-2,method-gradcam")
        #expect(clicked.console.isEmpty && clicked.dom.contains("data-errors=\"0\""), "\(clicked.console.prefix(3))")
        let shown = try #require(HeadlessBrowser.attribute("src", ofElement: "focus-primary", in: clicked.dom))
        #expect(shown.hasPrefix("img/00002/c") && shown.contains("-gradcam-at-"), "\(shown)")
        #expect(HeadlessBrowser.attribute("aria-pressed", ofElement: "thumb-2", in: clicked.dom) == "true")
    }

    @Test("Chromium runs the explorer of an imported ResNet-18 on a photo: picking a residual block for Grad-CAM shows its map, the diagram its stage, the top 10 of 1000 classes",
          .enabled(if: HeadlessBrowser.path != nil, "no headless Chromium: apt-get install -y chromium (or set CHROMIUM=/path/to/chrome) to run this test"))
    func photoSizedNetwork() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try ImportCommandTests.importedResNet18(in: folder)
        let page = folder.appendingPathComponent("page")
        let result = workbook(["insights", "--model", model.path, "--image", ImportCommandTests.photo.path, "--methods", "saliency,gradcam", "--targets", "1", "--out", page.path])
        try #require(result.status == 0, "\(result.error)")
        let url = page.appendingPathComponent("index.html").absoluteString
        let clicked = try HeadlessBrowser.dumpDOM(url + "#click=method-gradcam,camlayer-layer3_0")
        #expect(clicked.console.isEmpty && clicked.dom.contains("data-errors=\"0\""), "\(clicked.console.prefix(3))")
        #expect(clicked.dom.contains("data-ready=\"true\""))
        let shown = try #require(HeadlessBrowser.attribute("src", ofElement: "focus-primary", in: clicked.dom))
        #expect(shown.hasPrefix("img/00000/c") && shown.hasSuffix("-gradcam-at-layer3_0.png"), "\(shown)")
        #expect(HeadlessBrowser.attribute("data-cam-layer", ofElement: "detail", in: clicked.dom) == "layer3.0")
        #expect(HeadlessBrowser.attribute("src", ofElement: "layer-maps", in: clicked.dom) == "img/00000/layer-layer3.png")
        #expect(clicked.dom.contains("top 10 of 1000 classes"))
        #expect(clicked.dom.contains("chelsea.jpg: predicted "))
    }

    @Test("Firefox runs the page without errors, and picking conv1 for Grad-CAM (a click, or layer= in the address) shows explain's conv1 map",
          .enabled(if: HeadlessFirefox.path != nil, "no headless Firefox: apt-get install -y firefox-esr (or set FIREFOX=/path/to/firefox) to run this test"))
    func firefox() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("page")
        #expect(workbook(["insights", "--model", "mnist-gap", "--indices", InsightsTests.indices, "--channel-images", "4", "--out", page.path]).status == 0)
        let url = page.appendingPathComponent("index.html").absoluteString
        let errorBox = RGBA(0xff, 0xdd, 0xdd), highlight = RGBA(0x1a, 0x73, 0xe8)

        // As opened: the script ran (only it draws the blue outline of the selected thumbnail, method
        // and layer) and recorded no error (no error box); the error box does show when there is one.
        let opened = try HeadlessFirefox.screenshot(url)
        #expect(opened.width == 1400 && opened.height == 1200)
        #expect(HeadlessFirefox.count(of: highlight, in: opened) > 100)
        #expect(!HeadlessFirefox.hasRun(of: errorBox, length: 300, in: opened))
        let broken = try HeadlessFirefox.screenshot(url + "#click=nothing-here")
        #expect(HeadlessFirefox.hasRun(of: errorBox, length: 300, in: broken))

        // A click on the conv1 button of Grad-CAM's layer picker gives the same page as the address
        // layer=conv1, and another one than the default layer (relu3).
        let clicked = try HeadlessFirefox.screenshot(url + "#image=2&method=gradcam&click=camlayer-conv1")
        let addressed = try HeadlessFirefox.screenshot(url + "#image=2&method=gradcam&layer=conv1")
        let relu3 = try HeadlessFirefox.screenshot(url + "#image=2&method=gradcam")
        // (Compared into a Bool first: a failed `#expect(a == b)` on two 6.7-million-byte arrays
        // would have Swift Testing compute their difference, which takes hours.)
        let sameAsAddressed = clicked.pixels == addressed.pixels, sameAsRelu3 = clicked.pixels == relu3.pixels
        #expect(sameAsAddressed, "clicking conv1 and the address layer=conv1 show different pages")
        #expect(!sameAsRelu3, "clicking conv1 changed nothing")
        #expect(!HeadlessFirefox.hasRun(of: errorBox, length: 300, in: clicked))
        // The big picture is the page's conv1 map enlarged 8× (224 px, pixelated), pixel for pixel;
        // before the click it was the relu3 map.
        let conv1 = try PNG.readRGBA(from: page.appendingPathComponent("img/00002/c1-gradcam-at-conv1.png"))
        let relu3Map = try PNG.readRGBA(from: page.appendingPathComponent("img/00002/c1-gradcam-at-relu3.png"))
        #expect(InsightsTests.contains(clicked, conv1, factor: 8))
        #expect(!InsightsTests.contains(relu3, conv1, factor: 8))
        #expect(InsightsTests.contains(relu3, relu3Map, factor: 8))
    }
}
