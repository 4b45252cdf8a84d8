import Foundation
import Imaging
import LessonSupport
import TensorEngine

/// The explorer page `workbook insights` writes: one `index.html` with its CSS, JavaScript and
/// data inline, and PNGs under `img/` referenced by relative paths. No network access, no
/// server (data is inline, not fetched: browsers refuse `fetch` of `file://` URLs), no package.
///
/// Layout of the folder:
/// - `img/NNNNN/input.png` the test image NNNNN (or the NNNNN-th image of your own, as the model sees it); `img/NNNNN/cC-METHOD.png` the picture `workbook
///   explain --index NNNNN --method METHOD --target C` draws in its panel (one pixel per input
///   pixel; the page enlarges it, pixelated), `…-alt.png` the second
///   picture (|map| over the image, the raw layer map, or the perturbation); CAM-style methods
///   once per layer, `img/NNNNN/cC-METHOD-at-LAYER.png` (`explain … --layer LAYER`);
/// - `img/NNNNN/layer-NAME.png` the image's feature maps at each layer;
/// - `img/channels/layer-NAME.png` lesson 08's channel pictures of a conv/ReLU layer (one per page);
/// - `img/colorbar-{bwr,jet,gray}.png` the colour bars.
///
/// The page honours `#image=INDEX&target=C&method=M&layer=L&click=ID,ID` (what the browser tests
/// drive) and records load and script errors in `<html data-errors>`. One layer choice serves
/// both views: `layer=L`, a click on a diagram box or on a CAM layer button selects L in the
/// diagram (its feature maps and channel pictures) and, when CAM-style maps exist at L, as the
/// layer of the CAM-style methods; choosing a layer without such maps (norm, gap, fc) leaves the
/// CAM layer where it was. A method not computed at the chosen layer (CAM: only before the global
/// pool) is shown at the page's default layer if it has it, else at its last layer, and says so.
struct InsightsPage {
    struct MapRecord {
        let target: Int
        let method: String
        /// The layer of a CAM-style map, nil for the other methods.
        let layer: String?
        /// The values the two ends of each picture's colour bar stand for.
        let primary: (Float, Float)
        let second: (Float, Float)
        /// For attacks: the adversarial image's predicted class and its probability.
        let adversarial: (Int, Float)?
    }

    struct ImageRecord {
        /// A test image's index and label, or for an image of your own its position and file name (no label).
        let index: Int, label: Int?
        var name: String? = nil
        let predicted: Int
        let probabilities: [Float]
        let targets: [Int]
        let maps: [MapRecord]
    }

    let model: String
    let classNames: [String]
    let methods: [ExplanationMethod]
    /// The layers each CAM-style method was computed at, in the network's order.
    let layersOf: [String: [String]]
    /// The layer the page opens at (diagram and CAM-style methods), and every layer's output shape.
    let layer: String
    let layers: [(name: String, shape: [Int])]
    /// CAM layers inside a top-level layer (`features.28`, `layer4.1`) and their output shapes:
    /// in the layer picker, not in the diagram (which shows the top-level layer holding them).
    var nestedLayers: [(name: String, shape: [Int])] = []
    /// How many channel pictures each conv/ReLU layer has (absent: none).
    let channelImages: [String: Int]
    let images: [ImageRecord]
    let diagram: String

    static func folder(of index: Int) -> String { "img/" + String(format: "%05d", index) }

    /// The file name (without `.png`) of a map inside an image's folder: `c7-saliency`, `c7-gradcam-at-conv1`.
    static func mapStem(target: Int, method: String, layer: String?) -> String {
        "c\(target)-\(slug(method))" + (layer.map { "-at-" + slug($0) } ?? "")
    }

    /// The channel pictures of a layer, relative to the page.
    static func channelFile(of layer: String) -> String { "img/channels/layer-\(slug(layer)).png" }

    /// A file-name-safe spelling of a method or layer name (`gradcam++` → `gradcampp`).
    static func slug(_ name: String) -> String {
        String(name.map { $0 == "+" ? "p" : ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
    }

    /// Every layer's output shape (without the batch axis) for one input.
    static func layerShapes(_ model: Sequential, input: Tensor) throws -> [(name: String, shape: [Int])] {
        var shapes: [(String, [Int])] = []
        let handles = model.children.map { name, module in module.registerForwardHook { _, _, output in shapes.append((name, Array(output.shape.dropFirst()))) } }
        defer { handles.forEach { $0.remove() } }
        _ = try withNoGrad { try model(input) }
        return shapes
    }

    /// The output shapes (without the batch axis) of the modules named `names`, at any depth
    /// (`features.28`, `layer4.1`), in the order given, from one forward pass. A module run more
    /// than once (a ResNet block's shared ReLU) keeps its last output's shape.
    static func nestedShapes(_ model: Sequential, names: [String], input: Tensor) throws -> [(name: String, shape: [Int])] {
        guard !names.isEmpty else { return [] }
        var found: [String: [Int]] = [:]
        let handles = try names.map { name in
            try model.module(named: name).registerForwardHook { _, _, output in found[name] = Array(output.shape.dropFirst()) }
        }
        defer { handles.forEach { $0.remove() } }
        _ = try withNoGrad { try model(input) }
        return try names.map { name in
            guard let shape = found[name] else { throw CommandLineError(message: "layer \(name) does not run in a forward pass: no map can be drawn there") }
            return (name, shape)
        }
    }

    /// 256×12 pictures of the three colormaps the page uses, left = low end.
    static func colourBars() -> [(path: String, data: Data)] {
        let ramp = (0..<12).flatMap { _ in (0..<256).map { Float($0) / 255 } }
        return [Colormap.bwr, .jet, .gray].map { map in
            ("img/colorbar-\(map.name).png", Data(PNG.encode(map.image(of: ramp, width: 256, height: 12))))
        }
    }

    func kind(_ method: ExplanationMethod) -> String {
        switch method.kind {
        case .inputSpace: return "input"
        case .layerSpace: return "layer"
        case .attack: return "attack"
        }
    }

    /// The data the script reads, as JSON with a fixed key order and number format.
    func json() -> String {
        let s = HTMLText.jsonString
        var text = "{\"model\":\(s(model)),\"layer\":\(s(layer)),\"channelSteps\":\(AscentSettings.regularised.steps),\"classes\":[" + classNames.map(s).joined(separator: ",") + "],\n"
        text += "\"methods\":[" + methods.map { m in
            let at = m.kind == .layerSpace ? ",\"layers\":[" + (layersOf[m.name] ?? []).map(s).joined(separator: ",") + "]" : ""
            return "{\"name\":\(s(m.name)),\"slug\":\(s(Self.slug(m.name))),\"kind\":\(s(kind(m)))\(at),\"summary\":\(s(m.summary))}"
        }.joined(separator: ",\n") + "],\n"
        text += "\"layers\":[" + (layers.map { ($0, false) } + nestedLayers.map { ($0, true) }).map { l, nested in
            "{\"name\":\(s(l.name)),\"slug\":\(s(Self.slug(l.name))),\"shape\":[" + l.shape.map(String.init).joined(separator: ",") + "]"
                + ",\"channels\":\(channelImages[l.name] ?? 0)" + (nested ? ",\"nested\":true" : "") + "}"
        }.joined(separator: ",") + "],\n"
        text += "\"images\":[\n" + images.map { image in
            var maps: [String] = []
            for target in image.targets {
                // A method's four colour-bar ends (and an attack's prediction); CAM-style methods one
                // such array per layer.
                func values(_ m: MapRecord) -> String {
                    var values = [m.primary.0, m.primary.1, m.second.0, m.second.1]
                    if let (c, p) = m.adversarial { values += [Float(c), p] }
                    return HTMLText.numbers(values)
                }
                let ofTarget = image.maps.filter { $0.target == target }
                var entries: [String] = []
                for method in methods {
                    let records = ofTarget.filter { $0.method == method.name }
                    if method.kind == .layerSpace {
                        entries.append("\(s(method.name)):{" + records.map { "\(s($0.layer ?? "")):" + values($0) }.joined(separator: ",") + "}")
                    } else if let record = records.first {
                        entries.append("\(s(method.name)):" + values(record))
                    }
                }
                maps.append("\"\(target)\":{" + entries.joined(separator: ",") + "}")
            }
            return "{\"index\":\(image.index),\"label\":\(image.label.map(String.init) ?? "null"),"
                + (image.name.map { "\"name\":\(s($0))," } ?? "") + "\"predicted\":\(image.predicted),"
                + "\"p\":" + HTMLText.numbers(image.probabilities) + ",\"targets\":[" + image.targets.map(String.init).joined(separator: ",")
                + "],\"maps\":{" + maps.joined(separator: ",") + "}}"
        }.joined(separator: ",\n") + "]}"
        return text
    }

    /// The diagram with each layer's box in a focusable, clickable `<g class="layer">`.
    func clickableDiagram() -> String {
        let marker = "font-weight=\"bold\">"
        return diagram.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard let start = line.range(of: marker), let end = line[start.upperBound...].range(of: "</text>") else { return String(line) }
            let escapedName = String(line[start.upperBound..<end.lowerBound])
            let name = escapedName.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&amp;", with: "&")
            guard layers.contains(where: { $0.name == name }) else { return String(line) }
            return "<g class=\"layer\" id=\"layer-\(Self.slug(name))\" data-layer=\"\(HTMLText.escape(name))\" tabindex=\"0\" role=\"button\" "
                + "aria-label=\"layer \(HTMLText.escape(name)): show its feature maps\">" + line + "</g>"
        }.joined(separator: "\n").replacingOccurrences(of: "<svg ", with: "<svg role=\"group\" aria-label=\"the architecture; click a layer\" ")
    }

    func html() -> String {
        let e = HTMLText.escape
        let labelled = images.contains { $0.label != nil }
        let correct = images.filter { $0.label == $0.predicted }.count
        var thumbs = ""
        for (position, image) in images.enumerated() {
            let confidence = String(format: "%.2f", image.probabilities[image.predicted])
            let wrong = image.label.map { $0 != image.predicted } ?? false
            let description: String, text: String
            if let label = image.label {
                description = "test image \(image.index), true \(classNames[label]), predicted \(classNames[image.predicted]) (\(confidence))"
                text = "#\(image.index) \(classNames[label])→\(classNames[image.predicted])\(wrong ? " ✗" : "") \(confidence)"
            } else {
                description = "\(image.name ?? "image \(image.index)"), predicted \(classNames[image.predicted]) (\(confidence))"
                text = "\(image.name ?? "#\(image.index)") →\(classNames[image.predicted]) \(confidence)"
            }
            thumbs += "<button type=\"button\" class=\"thumb\(wrong ? " wrong" : "")\" id=\"thumb-\(image.index)\" data-pos=\"\(position)\" "
                + "data-label=\"\(image.label.map(String.init) ?? "")\" data-predicted=\"\(image.predicted)\" aria-pressed=\"false\" title=\"\(e(description))\">"
                + "<img src=\"\(Self.folder(of: image.index))/input.png\" width=\"56\" height=\"56\" alt=\"\(e(description))\"/>"
                + "<span>\(e(text))</span></button>\n"
        }
        let summary = labelled ? "\(images.count) test images, \(correct) classified correctly."
            : "\(images.count) image\(images.count == 1 ? "" : "s") of your own (no labels)."
        let wrongFilter = labelled ? "<label><input type=\"checkbox\" id=\"filter-wrong\"/> wrong only</label>"
            : "<input type=\"checkbox\" id=\"filter-wrong\" hidden=\"hidden\"/>"
        let classOptions = classNames.enumerated().map { "<option value=\"\($0.offset)\">\(e($0.element))</option>" }.joined()
        let methodButtons = methods.map { m in
            "<button type=\"button\" class=\"method\" id=\"method-\(Self.slug(m.name))\" data-method=\"\(e(m.name))\" aria-pressed=\"false\" title=\"\(e(m.summary))\">\(e(m.name))</button>"
        }.joined(separator: "\n")
        return """
        <!DOCTYPE html>
        <html lang="en" data-errors="0">
        <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>Insights: \(e(model))</title>
        <style>
        \(Self.css)
        </style>
        </head>
        <body>
        <header>
        <h1>Insights: \(e(model))</h1>
        <p>\(summary) Keys: ← → image, [ ] method, 1–\(images.map(\.targets.count).max() ?? 1) class to explain, comma and full stop the layer of a CAM-style method, Tab to move between controls.</p>
        <pre id="errors" hidden="hidden"></pre>
        </header>
        <main>
        <section id="browser" aria-label="\(labelled ? "test images" : "your images")">
        <div class="filters">
        <label>class <select id="filter-class"><option value="all">all</option>\(classOptions)</select></label>
        \(wrongFilter)
        <span id="shown-count" aria-live="polite"></span>
        </div>
        <div id="grid">
        \(thumbs)</div>
        </section>
        <section id="detail" aria-label="the selected image">
        <h2 id="detail-title">Test image</h2>
        <div class="row">
        <figure><img id="detail-input" width="112" height="112" alt="the selected test image"/><figcaption>input</figcaption></figure>
        <div id="probabilities" role="img" aria-label="class probabilities"></div>
        </div>
        <fieldset id="targets"><legend>class to explain (top \(images.map(\.targets.count).max() ?? 1))</legend><div id="target-list"></div></fieldset>
        <div id="methods" role="toolbar" aria-label="methods">
        \(methodButtons)
        </div>
        <div id="cam-layers" role="toolbar" aria-label="the layer of the CAM-style method"></div>
        <div id="focus" class="row">
        <figure><img id="focus-primary" width="224" height="224" alt=""/><figcaption id="focus-primary-caption"></figcaption>
        <div class="colorbar"><img id="focus-primary-bar" alt="colour bar"/><span id="focus-primary-low"></span><span id="focus-primary-high"></span></div></figure>
        <figure><img id="focus-second" width="224" height="224" alt=""/><figcaption id="focus-second-caption"></figcaption>
        <div class="colorbar"><img id="focus-second-bar" alt="colour bar"/><span id="focus-second-low"></span><span id="focus-second-high"></span></div></figure>
        <p id="focus-summary"></p>
        </div>
        <h3>Every method</h3>
        <div id="all-methods"></div>
        <h3>Adversarial images</h3>
        <div id="adversarial" class="row"></div>
        <h3>Architecture: click a layer to see its feature maps</h3>
        <div class="row">
        <div id="diagram">
        \(clickableDiagram())
        </div>
        <div id="layer-view">
        <figure id="layer-figure"><img id="layer-maps" alt=""/><figcaption id="layer-caption"></figcaption></figure>
        <figure id="channel-figure"><img id="channel-images" alt=""/><figcaption id="channel-caption"></figcaption></figure>
        </div>
        </div>
        </section>
        </main>
        <script id="insights-data" type="application/json">
        \(json())
        </script>
        <script>
        \(Self.script)
        </script>
        </body>
        </html>

        """
    }

    static let css = """
    body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #222; background: #fafafa; }
    header { padding: 8px 16px; background: #24405f; color: white; }
    header h1 { margin: 4px 0; font-size: 22px; }
    header p { margin: 4px 0; font-size: 14px; }
    #errors { background: #fdd; color: #900; padding: 6px; }
    main { display: flex; align-items: flex-start; gap: 16px; padding: 12px; }
    #browser { width: 360px; flex: none; }
    .filters { display: flex; gap: 10px; align-items: center; margin-bottom: 8px; font-size: 14px; flex-wrap: wrap; }
    #grid { display: grid; grid-template-columns: repeat(4, 84px); gap: 4px; max-height: 85vh; overflow-y: auto; }
    .thumb { border: 2px solid #ccc; background: white; padding: 2px; cursor: pointer; font-size: 10px; }
    .thumb img { display: block; margin: 0 auto; image-rendering: pixelated; }
    .thumb.wrong { border-color: #d33; background: #fee; }
    .thumb[aria-pressed="true"] { outline: 3px solid #1a73e8; }
    .thumb:focus-visible, .method:focus-visible, .layer:focus { outline: 3px solid #f90; }
    #detail { flex: 1; min-width: 0; }
    .row { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }
    figure { margin: 0; text-align: center; font-size: 13px; }
    figure img { image-rendering: pixelated; }
    #probabilities { min-width: 320px; font-size: 13px; }
    .bar-row { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
    .bar-label { width: 150px; text-align: right; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
    .bar { width: 200px; height: 14px; background: #eee; }
    .bar-fill { height: 100%; background: #7a9cc6; }
    .bar-row.predicted .bar-fill { background: #24405f; }
    .bar-row.true .bar-label { font-weight: bold; }
    fieldset { border: 1px solid #ccc; margin: 8px 0; }
    #methods { display: flex; flex-wrap: wrap; gap: 4px; margin: 8px 0; }
    .method { padding: 4px 8px; border: 1px solid #999; background: white; cursor: pointer; }
    .method[aria-pressed="true"] { background: #24405f; color: white; }
    .colorbar { display: grid; grid-template-columns: 1fr 1fr; width: 224px; margin: 4px auto; font-size: 11px; }
    .colorbar img { grid-column: 1 / 3; width: 224px; height: 12px; image-rendering: auto; }
    .colorbar span:last-child { text-align: right; }
    .colorbar span:nth-child(2) { text-align: left; }
    #focus-summary { max-width: 260px; font-size: 13px; }
    #all-methods { display: flex; flex-wrap: wrap; gap: 8px; }
    #all-methods button { border: 2px solid transparent; background: none; padding: 2px; cursor: pointer; font-size: 11px; }
    #all-methods button[aria-pressed="true"] { border-color: #1a73e8; }
    #all-methods img { display: block; image-rendering: pixelated; }
    #diagram svg { max-width: 100%; height: auto; }
    .layer { cursor: pointer; }
    .layer.selected rect { stroke: #1a73e8; stroke-width: 4; }
    #layer-view { display: flex; flex-direction: column; gap: 12px; }
    #layer-maps, #channel-images { image-rendering: pixelated; width: 360px; height: auto; }
    #layer-caption, #channel-caption { max-width: 360px; }
    #cam-layers { display: flex; flex-wrap: wrap; gap: 4px; align-items: flex-end; margin: 4px 0 8px; font-size: 11px; }
    #cam-layers[hidden] { display: none; }
    #cam-layers .cam-layer { border: 2px solid #ccc; background: white; padding: 2px; cursor: pointer; font-size: 11px; }
    #cam-layers .cam-layer[aria-pressed="true"] { border-color: #1a73e8; background: #e8f0fe; }
    #cam-layers .cam-layer:focus-visible { outline: 3px solid #f90; }
    #cam-layers img { display: block; margin: 0 auto; image-rendering: pixelated; }
    #cam-layers .note { align-self: center; max-width: 260px; }
    """

    static let script = #"""
    "use strict";
    (function () {
      var errors = [];
      function noteError(message) {
        errors.push(message);
        document.documentElement.setAttribute("data-errors", String(errors.length));
        var box = document.getElementById("errors");
        box.hidden = false;
        box.textContent = "Errors on this page:\n" + errors.join("\n");
      }
      window.addEventListener("error", function (event) {
        var t = event.target;
        if (t && t !== window && t.tagName) { noteError("could not load " + (t.getAttribute("src") || t.tagName)); }
        else { noteError(String(event.message)); }
      }, true);

      var D = JSON.parse(document.getElementById("insights-data").textContent);
      var $ = function (id) { return document.getElementById(id); };
      // layer: the diagram's selection; camLayer: the layer of the CAM-style maps (see camLayerOf).
      var state = { pos: 0, target: D.images[0].targets[0], method: D.methods[0].name, layer: D.layer, camLayer: D.layer };
      var thumbs = Array.prototype.slice.call(document.querySelectorAll(".thumb"));
      var methodButtons = Array.prototype.slice.call(document.querySelectorAll(".method"));
      var layerBoxes = Array.prototype.slice.call(document.querySelectorAll("g.layer"));

      function folder(image) { return "img/" + ("0000" + image.index).slice(-5) + "/"; }
      function method(name) { return D.methods.filter(function (m) { return m.name === name; })[0]; }
      function layer(name) { return D.layers.filter(function (l) { return l.name === name; })[0]; }
      function cls(c) { return D.classes[c]; }
      // A test image by its index, an image of your own by its file name.
      function imageName(image) { return image.label === null ? (image.name || "image " + image.index) : "test image " + image.index; }
      // The diagram's layer for a layer name: itself, or the top-level layer holding a nested one
      // (features.28 → features, layer4.1 → layer4).
      function diagramLayer(name) {
        var l = layer(name);
        if (l && !l.nested) { return l; }
        return D.layers.filter(function (t) { return !t.nested && name.indexOf(t.name + ".") === 0; })[0] || D.layers[0];
      }
      function fmt(x) {
        var a = Math.abs(x);
        if (a !== 0 && (a < 0.001 || a >= 10000)) { return x.toExponential(2); }
        return String(Number(x.toPrecision(3)));
      }
      // The layer a CAM-style method is shown at: the chosen CAM layer when the method has it,
      // else the page's default layer when it has that, else its last layer (CAM: before the pool).
      function camLayerOf(m) {
        if (m.kind !== "layer") { return null; }
        if (m.layers.indexOf(state.camLayer) >= 0) { return state.camLayer; }
        if (m.layers.indexOf(D.layer) >= 0) { return D.layer; }
        return m.layers[m.layers.length - 1];
      }
      function isCamLayer(name) { return D.methods.some(function (m) { return m.kind === "layer" && m.layers.indexOf(name) >= 0; }); }
      function mapFile(image, target, m, second, at) {
        if (m.kind === "layer" && at === undefined) { at = camLayerOf(m); }
        return folder(image) + "c" + target + "-" + m.slug + (m.kind === "layer" ? "-at-" + layer(at).slug : "") + (second ? "-alt" : "") + ".png";
      }
      function mapValues(image, m, at) {
        var values = image.maps[String(state.target)][m.name];
        if (m.kind === "layer") { values = values[at === undefined ? camLayerOf(m) : at]; }
        return values;
      }
      // What each picture shows and which colour bar goes with it.
      function describe(m, second) {
        if (m.kind === "input") { return second ? ["|map| over the image", "jet"] : ["signed map, blue < 0 < red", "bwr"]; }
        if (m.kind === "layer") { return second ? ["raw map at the layer's resolution", "jet"] : ["upsampled map over the image", "jet"]; }
        return second ? ["perturbation x′ − x", "bwr"] : ["adversarial image x′", "gray"];
      }
      function element(tag, attributes, text) {
        var node = document.createElement(tag);
        Object.keys(attributes || {}).forEach(function (k) { node.setAttribute(k, attributes[k]); });
        if (text !== undefined) { node.textContent = text; }
        return node;
      }

      function visiblePositions() {
        return thumbs.filter(function (b) { return !b.hidden; }).map(function (b) { return Number(b.getAttribute("data-pos")); });
      }
      function applyFilters() {
        var c = $("filter-class").value, wrongOnly = $("filter-wrong").checked;
        thumbs.forEach(function (b) {
          var show = (c === "all" || b.getAttribute("data-label") === c || b.getAttribute("data-predicted") === c)
            && (!wrongOnly || b.classList.contains("wrong"));
          b.hidden = !show;
        });
        $("shown-count").textContent = visiblePositions().length + " of " + thumbs.length + " shown";
      }

      function renderProbabilities(image) {
        var box = $("probabilities");
        box.textContent = "";
        // Every class as a bar for a few classes; the top ones (and the true class) for many.
        var shown = image.p.map(function (p, c) { return c; });
        if (shown.length > 10) {
          shown.sort(function (a, b) { return image.p[b] - image.p[a] || a - b; });
          shown = shown.slice(0, 10);
          if (image.label !== null && shown.indexOf(image.label) < 0) { shown.push(image.label); }
          box.appendChild(element("div", { "class": "note" }, "top 10 of " + image.p.length + " classes" + (shown.length > 10 ? ", and the true class" : "")));
        }
        box.setAttribute("aria-label", "class probabilities: " + shown.map(function (c) { return cls(c) + " " + image.p[c].toFixed(3); }).join(", "));
        shown.forEach(function (c) {
          var p = image.p[c];
          var row = element("div", { "class": "bar-row" + (c === image.predicted ? " predicted" : "") + (c === image.label ? " true" : "") });
          row.appendChild(element("span", { "class": "bar-label", "title": cls(c) }, cls(c) + (c === image.label ? " (true)" : "")));
          var bar = element("div", { "class": "bar" });
          var fill = element("div", { "class": "bar-fill" });
          fill.style.width = (100 * p).toFixed(1) + "%";
          bar.appendChild(fill);
          row.appendChild(bar);
          row.appendChild(element("span", { "class": "bar-value" }, p.toFixed(3)));
          box.appendChild(row);
        });
      }

      function renderTargets(image) {
        var list = $("target-list");
        list.textContent = "";
        image.targets.forEach(function (t, k) {
          var label = element("label", {});
          var radio = element("input", { "type": "radio", "name": "target", "id": "target-" + t, "value": String(t) });
          radio.checked = t === state.target;
          radio.addEventListener("change", function () { state.target = t; render(); });
          label.appendChild(radio);
          label.appendChild(document.createTextNode(" " + (k + 1) + ": " + cls(t) + " (" + image.p[t].toFixed(3) + ")  "));
          list.appendChild(label);
        });
      }

      function showPicture(prefix, image, m, second) {
        var values = mapValues(image, m);
        var what = describe(m, second);
        var at = m.kind === "layer" ? " at " + camLayerOf(m) : "";
        var img = $(prefix);
        img.src = mapFile(image, state.target, m, second);
        img.alt = m.name + at + ", " + what[0] + ", " + imageName(image) + ", class " + cls(state.target);
        $(prefix + "-caption").textContent = m.name + at + ": " + what[0];
        $(prefix + "-bar").src = "img/colorbar-" + what[1] + ".png";
        $(prefix + "-low").textContent = fmt(values[second ? 2 : 0]);
        $(prefix + "-high").textContent = fmt(values[second ? 3 : 1]);
      }

      function renderAllMethods(image) {
        var box = $("all-methods");
        box.textContent = "";
        D.methods.forEach(function (m) {
          var button = element("button", { "type": "button", "id": "all-" + m.slug, "aria-pressed": String(m.name === state.method), "title": m.summary });
          var at = m.kind === "layer" ? " at " + camLayerOf(m) : "";
          button.appendChild(element("img", { "src": mapFile(image, state.target, m, false), "width": "84", "height": "84",
            "alt": m.name + at + " for " + imageName(image) + ", class " + cls(state.target) }));
          button.appendChild(document.createTextNode(m.name + at));
          button.addEventListener("click", function () { state.method = m.name; render(); });
          box.appendChild(button);
        });
      }

      function renderAdversarial(image) {
        var box = $("adversarial");
        box.textContent = "";
        D.methods.filter(function (m) { return m.kind === "attack"; }).forEach(function (m) {
          var values = mapValues(image, m);
          var figure = element("figure", { "id": "adversarial-" + m.slug });
          figure.appendChild(element("img", { "src": mapFile(image, state.target, m, false), "width": "112", "height": "112",
            "alt": m.name + " adversarial image of " + imageName(image) }));
          figure.appendChild(element("figcaption", {}, m.name + " (away from " + cls(state.target) + "): predicted "
            + cls(values[4]) + " (" + values[5].toFixed(3) + ")" + (values[4] !== state.target ? " — fooled" : " — held")));
          box.appendChild(figure);
        });
        if (!box.firstChild) { box.appendChild(element("p", {}, "no attack among the chosen methods")); }
      }

      function renderLayer(image) {
        var l = diagramLayer(state.layer);
        layerBoxes.forEach(function (g) { g.classList.toggle("selected", g.getAttribute("data-layer") === l.name); });
        var img = $("layer-maps");
        img.src = folder(image) + "layer-" + l.slug + ".png";
        img.alt = "feature maps of layer " + l.name + " for " + imageName(image);
        $("layer-caption").textContent = l.name + ": output " + l.shape.join("×") + (l.shape.length === 3 ? ", one tile per channel, each scaled min–max" : ", one cell per unit");
        var pictures = $("channel-images"), caption = $("channel-caption");
        if (l.channels > 0) {
          pictures.hidden = false;
          pictures.src = "img/channels/layer-" + l.slug + ".png";
          var which = l.channels < l.shape[0] ? "channels 0–" + (l.channels - 1) + " of " + l.shape[0] : "all " + l.channels + " channels";
          pictures.alt = "what each channel of layer " + l.name + " responds to most: " + which + ", in the order of the feature maps above";
          caption.textContent = "What each channel responds to most (lesson 08, " + which + ", same order as the tiles above): "
            + "the input that maximises the channel's mean activation, " + D.channelSteps + " regularised ascent steps from grey, seed 0, "
            + "as workbook visualize --layer " + l.name + " --all-channels draws it; each stretched to its range. The same for every image.";
        } else {
          pictures.hidden = true;
          pictures.removeAttribute("src");
          pictures.alt = "";
          caption.textContent = l.shape.length === 3 ? "No channel pictures for " + l.name + ": only convolution and ReLU layers get them." : "";
        }
      }

      // The layer picker of CAM-style methods: one button per layer the method was computed at,
      // each with the map at that layer; hidden for the other methods.
      function renderCamLayers(image, m) {
        var box = $("cam-layers");
        box.textContent = "";
        if (m.kind !== "layer") { box.hidden = true; return; }
        box.hidden = false;
        var shown = camLayerOf(m);
        box.appendChild(element("span", { "class": "note" }, "layer of " + m.name + ":"));
        m.layers.forEach(function (name) {
          var l = layer(name);
          var label = m.name + " at layer " + name + " (" + l.shape.join("×") + ") for " + imageName(image) + ", class " + cls(state.target);
          var button = element("button", { "type": "button", "class": "cam-layer", "id": "camlayer-" + l.slug, "data-layer": name,
            "aria-pressed": String(name === shown), "title": "show " + m.name + " at " + name });
          button.appendChild(element("img", { "src": mapFile(image, state.target, m, false, name), "width": "42", "height": "42", "alt": label }));
          button.appendChild(document.createTextNode(name + " " + l.shape.slice(1).join("×")));
          button.addEventListener("click", function () { state.camLayer = name; state.layer = name; render(); });
          box.appendChild(button);
        });
        if (shown !== state.camLayer && isCamLayer(state.camLayer)) {
          box.appendChild(element("span", { "class": "note" }, m.name + " is not computed at " + state.camLayer + "; shown at " + shown + "."));
        }
      }

      function render() {
        var image = D.images[state.pos];
        if (image.targets.indexOf(state.target) < 0) { state.target = image.targets[0]; }
        if (!method(state.method)) { state.method = D.methods[0].name; }
        var m = method(state.method);
        thumbs.forEach(function (b) { b.setAttribute("aria-pressed", String(Number(b.getAttribute("data-pos")) === state.pos)); });
        methodButtons.forEach(function (b) { b.setAttribute("aria-pressed", String(b.getAttribute("data-method") === state.method)); });
        var predicted = "predicted " + cls(image.predicted) + " (" + image.p[image.predicted].toFixed(3) + ")";
        $("detail-title").textContent = image.label === null ? imageName(image) + ": " + predicted
          : "Test image " + image.index + ": true " + cls(image.label) + ", " + predicted + (image.label !== image.predicted ? " — misclassified" : "");
        var input = $("detail-input");
        input.src = folder(image) + "input.png";
        input.alt = image.label === null ? imageName(image) : "test image " + image.index + ", true class " + cls(image.label);
        renderProbabilities(image);
        renderTargets(image);
        renderCamLayers(image, m);
        showPicture("focus-primary", image, m, false);
        showPicture("focus-second", image, m, true);
        $("focus-summary").textContent = m.summary;
        renderAllMethods(image);
        renderAdversarial(image);
        renderLayer(image);
        var detail = $("detail");
        detail.setAttribute("data-image", String(image.index));
        detail.setAttribute("data-target", String(state.target));
        detail.setAttribute("data-method", state.method);
        detail.setAttribute("data-layer", state.layer);
        detail.setAttribute("data-cam-layer", m.kind === "layer" ? camLayerOf(m) : "");
      }

      thumbs.forEach(function (b) {
        b.addEventListener("click", function () { state.pos = Number(b.getAttribute("data-pos")); render(); });
      });
      methodButtons.forEach(function (b) {
        b.addEventListener("click", function () { state.method = b.getAttribute("data-method"); render(); });
      });
      layerBoxes.forEach(function (g) {
        var choose = function () {
          state.layer = g.getAttribute("data-layer");
          if (isCamLayer(state.layer)) { state.camLayer = state.layer; }
          render();
        };
        g.addEventListener("click", choose);
        g.addEventListener("keydown", function (event) {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(); }
        });
      });
      $("filter-class").addEventListener("change", applyFilters);
      $("filter-wrong").addEventListener("change", applyFilters);

      document.addEventListener("keydown", function (event) {
        var tag = event.target && event.target.tagName;
        if (tag === "SELECT" || (tag === "INPUT" && event.target.type !== "radio")) { return; }
        var image = D.images[state.pos];
        if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
          var shown = visiblePositions();
          if (shown.length === 0) { return; }
          var here = shown.indexOf(state.pos);
          var next = event.key === "ArrowRight" ? Math.min(here + 1, shown.length - 1) : Math.max(here - 1, 0);
          if (here < 0) { next = 0; }
          state.pos = shown[next];
          render();
          $("thumb-" + D.images[state.pos].index).focus();
          event.preventDefault();
        } else if (event.key === "]" || event.key === "[") {
          var names = D.methods.map(function (m) { return m.name; });
          var i = names.indexOf(state.method) + (event.key === "]" ? 1 : -1);
          state.method = names[(i + names.length) % names.length];
          render();
        } else if ((event.key === "," || event.key === ".") && method(state.method).kind === "layer") {
          var m = method(state.method), j = m.layers.indexOf(camLayerOf(m)) + (event.key === "." ? 1 : -1);
          state.camLayer = m.layers[Math.min(Math.max(j, 0), m.layers.length - 1)];
          state.layer = state.camLayer;
          render();
        } else if (/^[1-9]$/.test(event.key) && Number(event.key) <= image.targets.length) {
          state.target = image.targets[Number(event.key) - 1];
          render();
        }
      });

      // The address: #image=INDEX&target=C&method=M&layer=L&click=ID,ID (clicks happen in order).
      var clicks = [];
      location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
        var parts = pair.split("=");
        if (parts.length !== 2) { return; }
        var key = parts[0], value = decodeURIComponent(parts[1]);
        if (key === "image") {
          D.images.forEach(function (image, pos) { if (String(image.index) === value) { state.pos = pos; } });
        } else if (key === "target") { state.target = Number(value); }
        else if (key === "method") { state.method = value; }
        else if (key === "layer") { state.layer = value; if (isCamLayer(value)) { state.camLayer = value; } }
        else if (key === "click") { clicks = value.split(","); }
      });
      applyFilters();
      render();
      clicks.forEach(function (id) {
        var target = $(id);
        if (!target) { noteError("no element #" + id + " to click"); return; }
        target.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      });
      document.documentElement.setAttribute("data-ready", "true");
    })();
    """#
}
