/// Connected regions of a binary ground-truth mask.
enum ConnectedComponents {
    /// The 8-connected regions of the pixels whose mask value is > 0.5 in one row-major
    /// `height`×`width` mask: what `scipy.ndimage.label(mask, np.ones((3, 3)))` finds (the
    /// structuring element of the MVTec AD evaluation code), pixels touching at a corner
    /// included.
    ///
    /// - Returns: Per pixel 0 (background) or its region's number 1…k, numbered in raster
    ///   order of each region's first pixel; and each region's pixel count (`sizes[r - 1]`).
    static func label8(mask: UnsafeBufferPointer<Float>, height: Int, width: Int) -> (labels: [Int32], sizes: [Int]) {
        var labels = [Int32](repeating: 0, count: height * width)
        var sizes: [Int] = []
        var stack: [Int] = []
        labels.withUnsafeMutableBufferPointer { labels in
            for seed in 0..<(height * width) where labels[seed] == 0 && mask[seed] > 0.5 {
                let region = Int32(sizes.count + 1)
                labels[seed] = region
                stack.append(seed)
                var size = 0
                while let pixel = stack.popLast() {
                    size += 1
                    let (row, column) = pixel.quotientAndRemainder(dividingBy: width)
                    for neighbourRow in max(row - 1, 0)...min(row + 1, height - 1) {
                        for neighbourColumn in max(column - 1, 0)...min(column + 1, width - 1) {
                            let neighbour = neighbourRow * width + neighbourColumn
                            if labels[neighbour] == 0 && mask[neighbour] > 0.5 {
                                labels[neighbour] = region
                                stack.append(neighbour)
                            }
                        }
                    }
                }
                sizes.append(size)
            }
        }
        return (labels, sizes)
    }
}
