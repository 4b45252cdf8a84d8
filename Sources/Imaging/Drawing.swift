/// Simple raster drawing on `RGBAImage`: rectangles, lines, dots, text and pasting images.
/// Everything is clipped to the image, so callers may draw partly outside it. Colours replace
/// pixels (no blending), which keeps output exact and golden tests stable.
extension RGBAImage {
    /// Sets one pixel if it lies inside the image.
    @inline(__always)
    public mutating func setPixel(x: Int, y: Int, to color: RGBA) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        self[x: x, y: y] = color
    }

    public mutating func fillRectangle(x: Int, y: Int, width rectangleWidth: Int, height rectangleHeight: Int, color: RGBA) {
        for row in max(0, y)..<max(max(0, y), min(height, y + rectangleHeight)) {
            for column in max(0, x)..<max(max(0, x), min(width, x + rectangleWidth)) {
                self[x: column, y: row] = color
            }
        }
    }

    /// A 1-pixel outline.
    public mutating func strokeRectangle(x: Int, y: Int, width w: Int, height h: Int, color: RGBA) {
        fillRectangle(x: x, y: y, width: w, height: 1, color: color)
        fillRectangle(x: x, y: y + h - 1, width: w, height: 1, color: color)
        fillRectangle(x: x, y: y, width: 1, height: h, color: color)
        fillRectangle(x: x + w - 1, y: y, width: 1, height: h, color: color)
    }

    /// A straight line (Bresenham's algorithm), `thickness` pixels wide (drawn as squares).
    public mutating func drawLine(from start: (x: Int, y: Int), to end: (x: Int, y: Int), color: RGBA, thickness: Int = 1) {
        var (x, y) = start
        let dx = abs(end.x - x), dy = -abs(end.y - y)
        let stepX = x < end.x ? 1 : -1, stepY = y < end.y ? 1 : -1
        var error = dx + dy
        let offset = (thickness - 1) / 2
        while true {
            fillRectangle(x: x - offset, y: y - offset, width: thickness, height: thickness, color: color)
            if x == end.x && y == end.y { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += stepX }
            if doubled <= dx { error += dx; y += stepY }
        }
    }

    /// A filled disc of the given radius (radius 0 is a single pixel).
    public mutating func fillCircle(centerX: Int, centerY: Int, radius: Int, color: RGBA) {
        for dy in -radius...radius {
            for dx in -radius...radius where dx * dx + dy * dy <= radius * radius + radius {
                setPixel(x: centerX + dx, y: centerY + dy, to: color)
            }
        }
    }

    /// Draws `text` with its top-left corner at (x, y) using `BitmapFont`; `\n` starts a new line.
    public mutating func drawText(_ text: String, x: Int, y: Int, color: RGBA = .black, scale: Int = 1) {
        var penX = x, penY = y
        for character in text {
            if character == "\n" {
                penX = x
                penY += BitmapFont.lineHeight * scale
                continue
            }
            for (row, bits) in BitmapFont.rows(for: character).enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                    fillRectangle(x: penX + column * scale, y: penY + row * scale, width: scale, height: scale, color: color)
                }
            }
            penX += BitmapFont.advance * scale
        }
    }

    /// Draws `text` centred horizontally on `centerX`.
    public mutating func drawText(_ text: String, centeredAt centerX: Int, y: Int, color: RGBA = .black, scale: Int = 1) {
        drawText(text, x: centerX - BitmapFont.width(of: text, scale: scale) / 2, y: y, color: color, scale: scale)
    }

    /// Draws `text` turned 90° anticlockwise, read from bottom to top (matplotlib's `rotation=90`):
    /// the line's first character sits at the bottom, with its left edge at `bottom`, and the
    /// glyphs' tops face `x`. It occupies `BitmapFont.glyphHeight · scale` pixels across and
    /// `BitmapFont.width(of: text)` pixels up. Used for axis labels too long to write across.
    public mutating func drawTextRotated(_ text: String, x: Int, bottom: Int, color: RGBA = .black, scale: Int = 1) {
        for (index, character) in text.enumerated() {
            for (row, bits) in BitmapFont.rows(for: character).enumerated() {
                for column in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                    let along = index * BitmapFont.advance + column
                    fillRectangle(x: x + row * scale, y: bottom - (along + 1) * scale + 1, width: scale, height: scale, color: color)
                }
            }
        }
    }

    /// Draws `text` turned 90° anticlockwise, centred vertically on `centerY`.
    public mutating func drawTextRotated(_ text: String, x: Int, centeredAtY centerY: Int, color: RGBA = .black, scale: Int = 1) {
        drawTextRotated(text, x: x, bottom: centerY + BitmapFont.width(of: text, scale: scale) / 2, color: color, scale: scale)
    }

    /// Copies `image` with its top-left corner at (x, y), clipped; pixels are replaced, not blended.
    public mutating func draw(_ image: RGBAImage, x: Int, y: Int) {
        for row in 0..<image.height {
            for column in 0..<image.width {
                setPixel(x: x + column, y: y + row, to: image[x: column, y: row])
            }
        }
    }
}
