import Foundation

/// The process-wide account of the bytes that images being decoded take, which keeps their
/// sum within ``DatasetLimits/maximumDecodingBytes`` however many threads decode at once.
///
/// A decoder reserves its image's bytes before allocating them and returns them when the
/// pixels are decoded; a reservation that does not fit beside the ones held waits until
/// enough is returned. One reservation is always granted when none is held, so a decoder
/// never waits for room that cannot come; an image larger than the whole budget is refused
/// before it reserves anything. Reservations are never nested, so waiting cannot deadlock.
final class DecodingBudget: @unchecked Sendable {
    /// The one budget of the process.
    static let shared = DecodingBudget()

    private let condition = NSCondition()
    private var reserved = 0
    private var peak = 0

    /// Runs `body` while `bytes` are reserved, waiting first until they fit within
    /// `maximum` beside the other reservations.
    ///
    /// - Throws: ``DatasetError/limitExceeded(file:limit:maximum:found:)`` naming `file`
    ///   when `bytes` exceed `maximum` alone; otherwise what `body` throws.
    func withReservation<Result>(
        of bytes: Int, maximum: Int, file: String, describing image: @autoclosure () -> String,
        _ body: () throws(DatasetError) -> Result
    ) throws(DatasetError) -> Result {
        guard bytes <= maximum else {
            throw .limitExceeded(
                file: file, limit: .decodingBytes, maximum: maximum,
                found: "\(image()), which takes \(bytes) bytes (\(DatasetError.byteSize(bytes))) to decode")
        }
        condition.lock()
        while reserved > 0, reserved + bytes > maximum { condition.wait() }
        reserved += bytes
        peak = max(peak, reserved)
        condition.unlock()
        defer {
            condition.lock()
            reserved -= bytes
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }

    /// The most bytes reserved at once since the last ``resetPeak()`` (for tests).
    var peakBytes: Int {
        condition.lock()
        defer { condition.unlock() }
        return peak
    }

    /// Starts a new measurement of ``peakBytes`` from what is reserved now.
    func resetPeak() {
        condition.lock()
        peak = reserved
        condition.unlock()
    }
}
