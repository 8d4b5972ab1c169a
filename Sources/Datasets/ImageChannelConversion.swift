extension Image {
    /// The same image with `channels` channels (1 grey, 2 grey and alpha, 3 RGB, 4 RGBA), as
    /// PIL's `convert` does:
    ///
    /// - colour to grey: the ITU-R 601-2 luma `0.299 R + 0.587 G + 0.114 B` (PIL's
    ///   `convert("L")`), kept as a float rather than rounded to 8 bits;
    /// - grey to colour: the grey value in R, G and B;
    /// - adding alpha: opaque (1);
    /// - dropping alpha: the colour as stored, not composited over a background.
    ///
    /// Returns `self` when it already has `channels` channels.
    ///
    /// - Precondition: `channels` is in `1...4`.
    public func converted(toChannels channels: Int) -> Image {
        precondition((1...4).contains(channels), "Image.converted(toChannels:): expected 1...4 channels, found \(channels)")
        if channels == self.channels { return self }
        let sourceChannels = self.channels
        let sourceIsColour = sourceChannels >= 3, sourceHasAlpha = sourceChannels % 2 == 0
        let targetIsColour = channels >= 3, targetHasAlpha = channels % 2 == 0
        let pixelCount = width * height
        let converted = pixels.withUnsafeBufferPointer { source in
            [Float](unsafeUninitializedCapacity: pixelCount * channels) { target, initialized in
                guard let from = source.baseAddress, let to = target.baseAddress else { return }
                for index in 0..<pixelCount {
                    let input = from + index * sourceChannels
                    let output = to + index * channels
                    switch (sourceIsColour, targetIsColour) {
                    case (true, true), (false, false):
                        // Same colour model: copy the colour (or grey) samples.
                        for channel in 0..<(targetIsColour ? 3 : 1) { output[channel] = input[channel] }
                    case (false, true):
                        output[0] = input[0]
                        output[1] = input[0]
                        output[2] = input[0]
                    case (true, false):
                        let luma = 0.299 * input[0] + 0.587 * input[1] + 0.114 * input[2]
                        output[0] = min(luma, 1)
                    }
                    if targetHasAlpha { output[channels - 1] = sourceHasAlpha ? input[sourceChannels - 1] : 1 }
                }
                initialized = pixelCount * channels
            }
        }
        return Image(validatedWidth: width, height: height, channels: channels, pixels: converted)
    }
}
