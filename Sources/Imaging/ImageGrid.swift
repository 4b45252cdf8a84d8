/// Lays out images in a grid with an optional title and a caption under each image, the way a
/// figure of predictions or saliency maps is usually shown:
///
///     let figure = ImageGrid.render(
///         [(RGBAImage(digit), "pred 3 / true 5 (0.97)"), ...],
///         columns: 4, title: "Misclassified test digits", upscale: 4)
public enum ImageGrid {
    /// Renders the cells row by row, `columns` per row.
    ///
    /// - Parameters:
    ///   - upscale: nearest-neighbour enlargement of every image (e.g. 4 turns 28×28 into 112×112).
    ///   - textScale: integer scale of the bitmap font.
    ///   - padding: pixels around and between cells.
    /// Each cell is as wide as the widest image or caption and as tall as the tallest image plus a
    /// caption line; smaller images are centred in it.
    public static func render(_ cells: [(image: RGBAImage, caption: String)], columns: Int, title: String? = nil,
                              upscale: Int = 1, textScale: Int = 1, padding: Int = 6,
                              background: RGBA = .white, textColor: RGBA = .black) -> RGBAImage {
        precondition(columns >= 1, "a grid needs at least one column")
        let images = cells.map { $0.image.upscaled(by: upscale) }
        let widestCaption = cells.map { BitmapFont.width(of: $0.caption, scale: textScale) }.max() ?? 0
        let cellWidth = max(images.map(\.width).max() ?? 0, widestCaption)
        let imageHeight = images.map(\.height).max() ?? 0
        let hasCaptions = cells.contains { !$0.caption.isEmpty }
        let captionHeight = hasCaptions ? BitmapFont.lineHeight * textScale + padding / 2 : 0
        let cellHeight = imageHeight + captionHeight
        let rows = (cells.count + columns - 1) / columns
        let usedColumns = min(columns, max(cells.count, 1))
        let titleHeight = title == nil ? 0 : BitmapFont.lineHeight * textScale * 3 / 2 + padding

        var width = padding + usedColumns * (cellWidth + padding)
        if let title { width = max(width, BitmapFont.width(of: title, scale: textScale) + 2 * padding) }
        let height = titleHeight + padding + rows * (cellHeight + padding)
        var canvas = RGBAImage(width: width, height: height, fill: background)

        if let title {
            canvas.drawText(title, centeredAt: width / 2, y: padding, color: textColor, scale: textScale)
        }
        let gridLeft = (width - (padding + usedColumns * (cellWidth + padding))) / 2
        for (index, image) in images.enumerated() {
            let left = gridLeft + padding + (index % columns) * (cellWidth + padding)
            let top = titleHeight + padding + (index / columns) * (cellHeight + padding)
            canvas.draw(image, x: left + (cellWidth - image.width) / 2, y: top + (imageHeight - image.height) / 2)
            let caption = fitted(cells[index].caption, width: cellWidth + padding, scale: textScale)
            canvas.drawText(caption, centeredAt: left + cellWidth / 2, y: top + imageHeight + padding / 2,
                            color: textColor, scale: textScale)
        }
        return canvas
    }

    /// Gray-image convenience.
    public static func render(_ cells: [(image: GrayImage, caption: String)], columns: Int, title: String? = nil,
                              upscale: Int = 1, textScale: Int = 1, padding: Int = 6) -> RGBAImage {
        render(cells.map { (RGBAImage($0.image), $0.caption) }, columns: columns, title: title,
               upscale: upscale, textScale: textScale, padding: padding)
    }

    /// `text`, shortened with ".." until it fits in `width` pixels.
    static func fitted(_ text: String, width: Int, scale: Int) -> String {
        guard BitmapFont.width(of: text, scale: scale) > width else { return text }
        var shortened = text
        while !shortened.isEmpty && BitmapFont.width(of: shortened + "..", scale: scale) > width {
            shortened.removeLast()
        }
        return shortened.isEmpty ? "" : shortened + ".."
    }
}
