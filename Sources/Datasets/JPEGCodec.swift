import Foundation

extension Image {
    /// Decodes a baseline or progressive JPEG, grey (1 channel) or colour (YCbCr or RGB, 3
    /// channels), with libjpeg's accurate integer IDCT and fancy upsampling, as PIL does;
    /// other IDCT implementations can differ by a level or two (1/255, 2/255).
    ///
    /// Warnings that libjpeg gives for damaged data ("Corrupt JPEG data: ...") are errors
    /// here, as is data that ends before the end-of-image marker: libjpeg would fill the
    /// rest of the image with grey and carry on.
    ///
    /// - Parameters:
    ///   - data: The JPEG file's bytes.
    ///   - source: Names the data in errors, such as the file's path.
    ///   - limits: The caps; ``DatasetLimits/maximumImageSamples`` bounds the image's size.
    /// - Throws: ``DatasetError/notAnImage(file:expected:found:)`` when `data` does not start
    ///   with the JPEG signature, ``DatasetError/truncatedImage(file:format:foundBytes:)``
    ///   when it ends early, ``DatasetError/corruptImage(file:format:reason:)`` with
    ///   libjpeg's message when it is damaged, and
    ///   ``DatasetError/unsupportedImage(file:format:reason:)`` for CMYK and YCCK JPEGs,
    ///   12-bit and lossless JPEGs, and ``DatasetError/limitExceeded(file:limit:maximum:found:)``
    ///   when its header announces more than `limits.maximumImageSamples` samples (checked
    ///   before anything is allocated).
    public init(jpegData data: Data, source: String = "<JPEG in memory>", limits: DatasetLimits = .default) throws(DatasetError) {
        try self.init(decoding: data, as: [.jpeg], source: source, limits: limits)
    }
}
