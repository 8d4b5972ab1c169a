/// The part of every batch that one of several processes takes in data-parallel training:
/// shard `index` of `count` holds a contiguous slice of each batch, the slices of all shards
/// together are the batch, and their sizes differ by at most one
/// (``DataLoader/sharded(_:)``).
public struct DataShard: Sendable, Equatable, CustomStringConvertible {
    /// This shard, `0..<count`.
    public let index: Int
    /// The number of shards.
    public let count: Int

    /// Shard `index` of `count`.
    ///
    /// - Throws: ``DatasetError/invalidLoaderConfiguration(_:)`` unless `count ≥ 1` and
    ///   `index` is in `0..<count`.
    public init(_ index: Int, of count: Int) throws(DatasetError) {
        guard count >= 1, (0..<count).contains(index) else {
            throw .invalidLoaderConfiguration("expected a shard index in 0..<count with count ≥ 1, found shard \(index) of \(count)")
        }
        self.index = index
        self.count = count
    }

    private init(unchecked index: Int, of count: Int) {
        self.index = index
        self.count = count
    }

    /// The whole batch: shard 0 of 1.
    public static let whole = DataShard(unchecked: 0, of: 1)

    /// The positions of this shard's samples in a batch of `size` samples: the
    /// `index`-th of `count` balanced contiguous slices (empty when `size < count` and the
    /// shard gets none).
    public func positions(inBatchOf size: Int) -> Range<Int> {
        (index * size / count)..<((index + 1) * size / count)
    }

    public var description: String { "shard \(index) of \(count)" }
}
