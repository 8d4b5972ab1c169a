import Foundation

/// A value that threads read and change only under a lock.
///
/// A pthread mutex (Foundation's `NSLock`), not Synchronization's `Mutex`: on Linux
/// ThreadSanitizer cannot see `Mutex` (its futex lives in the uninstrumented runtime) and
/// reports every access behind one as a race, whereas it intercepts pthread locks, so that
/// its reports on state behind a `Locked` mean something.
package final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    /// Wraps `value`.
    package init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with the value, holding the lock.
    package func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
