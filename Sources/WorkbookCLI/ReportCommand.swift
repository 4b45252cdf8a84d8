import Course
import Foundation
import Imaging
import LessonSupport
import ModelZoo
import TensorEngine

/// `workbook report`: a handout per lesson — what a student hands in. Each is one HTML page with
/// the lesson's title, the score `workbook grade` gave each exercise, and the lesson README's
/// "Figures" section (its text says what to notice) where every reference figure stands beside
/// the student's own figure of the same name. The figures are copied next to the pages, so the
/// folder can be zipped and handed in. Beside each page the same handout as a PDF (`NN-Topic.pdf`,
/// written by `PDFDocument`: Helvetica text, the figures' PNGs embedded as they are), for courses
/// that ask for a PDF; both are always written, so there is no option to forget.
///
/// With `--image FILE` (a PNG or JPEG of your own, prepared as `explain --image` prepares it) each
/// handout of a lesson whose methods `explain` runs (02–07, 10) also shows that lesson's methods
/// on your image — by the code `--implementation` names: yours in the student edition.
enum ReportCommand: Command {
    static let name = "report"
    static let summary = "Handouts: per lesson an HTML page with the score, the lesson's figures text, your figures beside the reference."
    static let options = [
        OptionSpecification(name: "lesson", valueName: "N", help: "only lesson N", integers: 1...99),
        OptionSpecification(name: "grades", valueName: "DIR", help: "the folder workbook grade wrote (default grade-report): results.json and student-figures/"),
        OptionSpecification(name: "out", valueName: "DIR", help: "where the handouts go", required: true),
        OptionSpecification(name: "image", valueName: "FILE", help: "your own PNG or JPEG: each lesson's methods on it, in its handout"),
        OptionSpecification(name: "model", valueName: "M", help: "with --image: the model explained (default mnist-gap; a shipped name or a file)"),
        OptionSpecification(name: "invert", valueName: nil, help: "with --image: invert it first (MNIST models expect white digits on black)"),
        Implementations.option,
    ]

    /// The methods of `explain` each lesson teaches (the rest have none to run on an image).
    static let methodsOfLesson: [Int: [String]] = [
        2: ["saliency", "gradient-x-input", "smoothgrad", "integrated-gradients"], 3: ["occlusion"], 4: ["cam"],
        5: ["gradcam", "gradcam++"], 6: ["guided-backprop", "deconvnet", "guided-gradcam"], 7: ["fgsm", "pgd"],
        10: ["ablation-cam", "score-cam"],
    ]

    /// A lesson's methods on the user's image: the panel's PNG and the lines that say what it shows.
    struct YourImage {
        let path: String, png: Data, text: String
    }

    static func run(_ options: ParsedOptions) throws {
        let lessons = try Course.selected(try options.int("lesson"))
        let grades = URL(fileURLWithPath: options.string("grades") ?? "grade-report")
        let out = URL(fileURLWithPath: try options.requiredString("out"))
        let root = try DatasetFiles.root()
        let statuses = try readStatuses(grades.appendingPathComponent("results.json"))
        if options.string("image") == nil {
            if options.string("model") != nil { throw CommandLineError(message: "--model goes with --image FILE") }
            if options.has("invert") { throw CommandLineError(message: "--invert goes with --image FILE") }
            if options.string("implementation") != nil { throw CommandLineError(message: "--implementation goes with --image FILE") }
        } else if !lessons.contains(where: { methodsOfLesson[$0.number] != nil }) {
            throw CommandLineError(message: "--image draws a lesson's methods on your image; lesson \(lessons.map { String($0.number) }.joined(separator: ", ")) has none (lessons 2–7 and 10 do)")
        }
        try InsightsCommand.requireOutputFolder(out)
        let explained = try options.string("image").map { path in
            try ImageUnderExplanation(path: path, model: options.string("model") ?? "mnist-gap", invert: options.has("invert"),
                                      code: try Implementations.named(options.string("implementation")))
        }
        var files: [(url: URL, data: Data)] = []
        var index = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>Workbook handouts</title></head><body>\n<h1>Workbook handouts</h1>\n<ul>\n"
        for lesson in lessons {
            let readme = try String(contentsOf: root.appendingPathComponent(lesson.readme), encoding: .utf8)
            var copies: [(url: URL, data: Data)] = []
            var pictures: [String: Data] = [:]
            let yourImage = try explained.flatMap { explained in
                try methodsOfLesson[lesson.number].map { names in
                    let (png, text) = try explained.panel(methods: names)
                    return YourImage(path: "figures/\(lesson.folder)/your-image.png", png: png, text: text)
                }
            }
            if let yourImage { files.append((out.appendingPathComponent(yourImage.path), yourImage.png)) }
            let page = handout(lesson, readme: readme, statuses: statuses, yourImage: yourImage) { kind, name in
                // The figure's copy next to the page: figures/LESSON/{reference,yours}-NAME.
                let source = kind == "reference" ? root.appendingPathComponent("Lessons/\(lesson.folder)/figures/\(name)")
                    : grades.appendingPathComponent("student-figures/\(lesson.folder)/\(name)")
                // A figure is a regular file in its folder: a symbolic link (which could point at
                // anything on the disk) is left out, never followed.
                guard let type = try? FileManager.default.attributesOfItem(atPath: source.path)[.type] as? FileAttributeType,
                      type == .typeRegular, let data = FileManager.default.contents(atPath: source.path) else { return nil }
                let path = "figures/\(lesson.folder)/\(kind)-\(name)"
                copies.append((out.appendingPathComponent(path), data))
                pictures[path] = data
                return path
            }
            files += copies
            files.append((out.appendingPathComponent("\(lesson.folder).html"), Data(page.utf8)))
            let pdf = pdfHandout(lesson, readme: readme, statuses: statuses, yourImage: yourImage) { kind, name in
                pictures["figures/\(lesson.folder)/\(kind)-\(name)"]
            }
            files.append((out.appendingPathComponent("\(lesson.folder).pdf"), Data(pdf)))
            index += "<li><a href=\"\(HTMLText.escape(lesson.folder)).html\">\(HTMLText.escape(lesson.folder))</a> (<a href=\"\(HTMLText.escape(lesson.folder)).pdf\">PDF</a>)</li>\n"
        }
        files.append((out.appendingPathComponent("index.html"), Data((index + "</ul>\n</body></html>\n").utf8)))
        try AtomicFiles.writeTree(files, folder: out)
        print("wrote \(lessons.count) handout\(lessons.count == 1 ? "" : "s") (HTML and PDF) to \(out.path)"
              + (statuses.isEmpty ? " (no \(grades.path)/results.json: run workbook grade first for the scores)" : ""))
    }

    /// Exercise number → status, from the results.json `workbook grade` writes (empty if absent).
    static func readStatuses(_ url: URL) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [:] }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let tests = json["tests"] as? [[String: Any]] else {
            throw CommandLineError(message: "\(url.path) is not the results.json workbook grade writes")
        }
        var statuses: [String: String] = [:]
        for test in tests {
            guard let name = test["name"] as? String, let range = name.range(of: "Exercise "), let output = test["output"] as? String else { continue }
            let number = String(name[range.upperBound...].prefix { $0 != ":" })
            statuses[number] = String(output.prefix { $0 != "\n" })
        }
        return statuses
    }

    /// One lesson's page. `figure(kind, name)` copies a figure and returns its relative path, or nil.
    static func handout(_ lesson: LessonDeclaration, readme: String, statuses: [String: String], yourImage: YourImage? = nil,
                        figure: (_ kind: String, _ name: String) -> String?) -> String {
        let e = HTMLText.escape
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let title = lines.first.map { String($0.drop { $0 == "#" || $0 == " " }) } ?? lesson.folder
        let done = lesson.exercises.filter { statuses[$0.number] == "done" }.count
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"/><title>\(e(title))</title>
        <style>
        body { font-family: Helvetica, Arial, sans-serif; margin: 2em; max-width: 64em; color: #222; line-height: 1.4; }
        .pair { display: flex; gap: 1em; align-items: flex-start; flex-wrap: wrap; margin: .5em 0 1.2em; }
        .pair figure { margin: 0; text-align: center; font-size: .9em; }
        .pair img { image-rendering: pixelated; max-width: 30em; border: 1px solid #ccc; }
        .missing { width: 16em; padding: 2em 1em; border: 1px dashed #aaa; color: #777; }
        .done { color: #080; } .other { color: #b00; }
        @media print { body { margin: 0; } }
        </style></head><body>
        <h1>\(e(title))</h1>

        """
        if statuses.isEmpty {
            html += "<p>No grades yet: run <code>workbook grade</code>, then this command again.</p>\n"
        } else {
            html += "<p><b>Score: \(done) of \(lesson.exercises.count) exercises done.</b></p>\n<ul>\n"
            for exercise in lesson.exercises {
                let status = statuses[exercise.number] ?? "not graded"
                html += "<li>\(e(exercise.number)) \(e(exercise.title)): <span class=\"\(status == "done" ? "done" : "other")\">\(e(status))</span></li>\n"
            }
            html += "</ul>\n"
        }
        if let yourImage {
            html += "<h2>Your image</h2>\n<p>" + yourImage.text.split(separator: "\n").map { e(String($0)) }.joined(separator: "<br/>") + "</p>\n"
            html += "<div class=\"pair\"><figure><img src=\"\(e(yourImage.path))\" alt=\"this lesson's methods on your image\"/></figure></div>\n"
        }
        // The README's Figures section: its paragraphs, and each reference figure beside yours.
        guard let (start, end) = figuresSection(lines) else { return html + "</body></html>\n" }
        html += "<h2>Figures: what to notice</h2>\n"
        var paragraph: [String] = []
        func flush() {
            if !paragraph.isEmpty { html += "<p>" + inline(paragraph.joined(separator: " ")) + "</p>\n" }
            paragraph = []
        }
        for line in lines[(start + 1)..<end] {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("!["), let open = trimmed.range(of: "]("), trimmed.hasSuffix(")") {
                flush()
                let alt = String(trimmed[trimmed.index(trimmed.startIndex, offsetBy: 2)..<open.lowerBound])
                let target = String(trimmed[open.upperBound..<trimmed.index(before: trimmed.endIndex)])
                let name = (target as NSString).lastPathComponent
                html += "<div class=\"pair\">"
                for kind in ["yours", "reference"] {
                    if let path = figure(kind, name) {
                        html += "<figure><img src=\"\(e(path))\" alt=\"\(kind == "yours" ? "your" : "the reference") \(e(alt))\"/><figcaption>\(kind == "yours" ? "yours" : "reference"): \(e(name))</figcaption></figure>"
                    } else {
                        html += "<figure><div class=\"missing\">\(kind == "yours" ? "not drawn yet: your " + e(name) + " appears once its exercise runs under workbook grade" : "no reference " + e(name))</div></figure>"
                    }
                }
                html += "</div>\n"
            } else if trimmed.isEmpty {
                flush()
            } else {
                paragraph.append(trimmed)
            }
        }
        flush()
        return html + "</body></html>\n"
    }

    /// The README's figures section: the heading's line and the next heading's (or the end).
    /// Lessons name it "## Figures", "## The figures" or, with one figure, "## The figure".
    static func figuresSection(_ lines: [String]) -> (start: Int, end: Int)? {
        guard let start = lines.firstIndex(where: { ["## Figures", "## The figures", "## The figure"].contains($0) }) else { return nil }
        return (start, lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.count)
    }

    /// The same handout as a PDF: title, score, then the Figures section's paragraphs (Markdown's
    /// markers removed) with, for each figure, yours and then the reference, each scaled to the
    /// text block's width. `figure(kind, name)` gives a figure's PNG bytes, or nil if absent; a
    /// figure that cannot be embedded (not an 8-bit PNG) is named with the reason instead.
    static func pdfHandout(_ lesson: LessonDeclaration, readme: String, statuses: [String: String], yourImage: YourImage? = nil,
                           figure: (_ kind: String, _ name: String) -> Data?) -> [UInt8] {
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let title = lines.first.map { String($0.drop { $0 == "#" || $0 == " " }) } ?? lesson.folder
        var pdf = PDFDocument(title: title)
        pdf.heading(title)
        if statuses.isEmpty {
            pdf.paragraph("No grades yet: run workbook grade, then this command again.")
        } else {
            let done = lesson.exercises.filter { statuses[$0.number] == "done" }.count
            pdf.paragraph("Score: \(done) of \(lesson.exercises.count) exercises done.", bold: true)
            for exercise in lesson.exercises {
                pdf.paragraph("\(exercise.number) \(exercise.title): \(statuses[exercise.number] ?? "not graded")")
            }
        }
        if let yourImage {
            pdf.heading("Your image", level: 2)
            for line in yourImage.text.split(separator: "\n") { pdf.paragraph(String(line)) }
            do {
                try pdf.image(png: [UInt8](yourImage.png), caption: "this lesson's methods on your image")
            } catch {
                pdf.paragraph("your image could not be embedded: \(error)")
            }
        }
        guard let (start, end) = figuresSection(lines) else { return pdf.bytes() }
        pdf.heading("Figures: what to notice", level: 2)
        var paragraph: [String] = []
        func flush() {
            if !paragraph.isEmpty {
                pdf.paragraph(paragraph.joined(separator: " ").replacingOccurrences(of: "`", with: "").replacingOccurrences(of: "**", with: ""))
            }
            paragraph = []
        }
        for line in lines[(start + 1)..<end] {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("!["), let open = trimmed.range(of: "]("), trimmed.hasSuffix(")") {
                flush()
                let name = (String(trimmed[open.upperBound..<trimmed.index(before: trimmed.endIndex)]) as NSString).lastPathComponent
                for kind in ["yours", "reference"] {
                    let label = kind == "yours" ? "yours" : "reference"
                    guard let data = figure(kind, name) else {
                        pdf.paragraph(kind == "yours" ? "yours: \(name) not drawn yet (it appears once its exercise runs under workbook grade)"
                                                      : "no reference \(name)")
                        continue
                    }
                    do {
                        try pdf.image(png: [UInt8](data), caption: "\(label): \(name)")
                    } catch {
                        pdf.paragraph("\(label): \(name) could not be embedded: \(error)")
                    }
                }
            } else if trimmed.isEmpty {
                flush()
            } else {
                paragraph.append(trimmed)
            }
        }
        flush()
        return pdf.bytes()
    }

    /// Markdown's inline code and emphasis in a paragraph, the rest escaped.
    static func inline(_ text: String) -> String {
        var html = "", code = false, bold = false
        var rest = Substring(text)
        while let c = rest.first {
            if c == "`" { html += code ? "</code>" : "<code>"; code.toggle(); rest = rest.dropFirst(); continue }
            if !code, rest.hasPrefix("**") { html += bold ? "</b>" : "<b>"; bold.toggle(); rest = rest.dropFirst(2); continue }
            html += HTMLText.escape(String(c))
            rest = rest.dropFirst()
        }
        if code { html += "</code>" }
        if bold { html += "</b>" }
        return html
    }
}

/// The image `report --image` explains: loaded once, then each lesson's methods drawn on it as
/// `explain --image --method M` draws them (the photo, what the model sees, one map per method).
struct ImageUnderExplanation {
    let loaded: ModelFile.Loaded
    let user: InputImages.UserImage
    let name: String
    let code: Implementations
    let target: Int, layer: String

    init(path: String, model: String, invert: Bool, code: Implementations) throws {
        loaded = try ModelFile.load(ModelFile.resolve(model))
        let url = URL(fileURLWithPath: path)
        user = try InputImages.load(url, shape: loaded.architecture.inputShape, resizeTo: loaded.architecture.resizeTo, invert: invert)
        name = url.lastPathComponent
        self.code = code
        let (model, image, file) = (loaded.model, user.tensor, url.lastPathComponent)
        try FiniteValues.requireOutputs(of: model, images: image) { _ in file }
        target = try withNoGrad { try model(image).softmax() }.argmax()[0]
        layer = try ExplainCommand.defaultLayer(of: loaded, input: image)
    }

    /// The panel of `methods` (names of `ExplanationMethods.all`) and what it shows, in lines.
    /// A method whose exercise is not started is named, not drawn; CAM where it does not apply is left out.
    func panel(methods names: [String]) throws -> (png: Data, text: String) {
        let model = loaded.model
        let input = try ExplainCommand.InputPicture(user.tensor, mask: nil)
        let upscale = max(1, user.photo.width / input.width)
        var cells: [(image: RGBAImage, caption: String)] = [
            (user.photo, "your image"),
            (try Render.image(input.pixels, channels: input.channels, width: input.width, height: input.height, upscale: upscale), "what the model sees"),
        ]
        var notes: [String] = []
        let shape = loaded.architecture.inputShape
        let large = shape.count == 3 && (shape[1] > InsightsCommand.maxSide || shape[2] > InsightsCommand.maxSide)
        for method in ExplanationMethods.all(using: code) where names.contains(method.name) {
            if method.name == "cam" && !ExplanationMethods.camApplies(model, layer: layer) {
                notes.append("cam is left out: \(loaded.architecture.name) has no global average pooling right after \(layer.isEmpty ? "a feature layer" : layer)")
                continue
            }
            if (method.kind == .layerSpace || method.name == "guided-gradcam") && layer.isEmpty {
                notes.append("\(method.name) is left out: \(loaded.architecture.name) has no layer with spatial feature maps")
                continue
            }
            if large && InsightsCommand.slowOnLargeInputs.contains(method.name) {
                notes.append("\(method.name) is left out at \(shape[1])×\(shape[2]): thousands of forward passes (workbook explain --image --method \(method.name) draws it)")
                continue
            }
            // The exercises send all 50 steps (samples) through the network at once; the reference
            // splits them within MemoryBudget. A student's at 224×224 could need gigabytes.
            if large && code.name != "reference" && ["integrated-gradients", "smoothgrad"].contains(method.name) {
                let bytes = Double(try MemoryBudget.activationValues(of: model, row: user.tensor)) * 50 * 8
                if bytes > 4e9 {
                    notes.append(String(format: "\(method.name) is left out: 50 steps at once through \(loaded.architecture.name) would hold about %.0f GB", bytes / 1e9))
                    continue
                }
            }
            do {
                let map = try method.compute(model, user.tensor, target, layer)
                cells.append((try ExplainCommand.picture(of: map, method: method, input: input, code: code, photo: user.photo), method.name))
            } catch let failure as ExerciseNotStartedFailure {
                notes.append("\(method.name) is not drawn: \(failure)")
            }
        }
        let classes = loaded.architecture.classNames
        let className = target < classes.count ? classes[target] : "\(target)"
        let usesLayer = ExplanationMethods.all(using: code).contains { names.contains($0.name) && ($0.kind == .layerSpace || $0.name == "guided-gradcam") }
        let text = ([user.description,
                     "\(loaded.architecture.name) predicts \(className); each map explains that class"
                        + (usesLayer && !layer.isEmpty ? ", CAM-style maps at \(layer)" : "") + ", computed by the \(code.name) code."]
                    + notes).joined(separator: "\n")
        return (Data(PNG.encode(ImageGrid.render(cells, columns: min(cells.count, 4), title: nil))), text)
    }
}
