import Foundation

/// Sets the BLAS's thread count (``BLASBackend/threadCount``) for each GEMM of the library,
/// so that no GEMM ever runs while the count changes.
///
/// OpenBLAS has one thread count for the whole process, and changing it while a GEMM runs on
/// another thread can corrupt that GEMM (OpenBLAS resizes its per-thread buffers; tests running
/// in parallel gave results that changed from run to run). Yet GEMMs want different counts:
/// most run on ``ComputeSettings/threads`` OpenBLAS threads, while the Winograd kernel splits
/// its images over the compute threads itself and calls GEMMs on one OpenBLAS thread from each,
/// and tasks under different ``ComputeSettings`` may ask for different counts at once.
///
/// So every GEMM passes through this gate with the count it wants, and the gate counts the
/// GEMMs in flight and reads OpenBLAS's count back before each (so code that sets it between
/// computations, such as a benchmark of a raw ``BLASBackend/sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``,
/// cannot mislead the gate):
/// - a GEMM on one thread starts beside other GEMMs on one thread (the Winograd kernel's);
/// - a GEMM on several threads runs alone (concurrent ones would only compete for the same
///   OpenBLAS threads);
/// - the count changes only when no GEMM is in flight;
/// - GEMMs start in the order they arrive, so none waits for ever behind a stream of others.
///
/// The gate's lock is held only to read and update this state, never while a GEMM or any
/// caller's code runs. There is no scope to enter, nest or forget to leave: a waiting GEMM
/// waits only for GEMMs already running, and those wait for nothing, so no use of it can
/// deadlock.
final class BLASGate: @unchecked Sendable {
    /// The gate of every GEMM in the process (OpenBLAS's count is process-wide).
    static let shared = BLASGate()

    // Guarded by `condition`, as are the reads and writes of `BLASBackend.threadCount`.
    private let condition = NSCondition()
    /// GEMMs running now.
    private var running = 0
    /// The ticket the next arriving GEMM takes, and the ticket whose turn it is to start.
    private var nextTicket = 0
    private var nowServing = 0

    /// Runs `gemm` with OpenBLAS set to `threads` threads (at least 1).
    func run(threads: Int, _ gemm: () -> Void) {
        let threads = Swift.max(1, threads)
        condition.lock()
        let ticket = nextTicket
        nextTicket += 1
        while ticket != nowServing || !canStart(threads: threads) { condition.wait() }
        if BLASBackend.threadCount != threads { BLASBackend.threadCount = threads }
        running += 1
        nowServing += 1
        // The next in line may be able to start beside this one.
        condition.broadcast()
        condition.unlock()

        gemm()

        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Whether a GEMM on `threads` threads may start now (called with the lock held).
    private func canStart(threads: Int) -> Bool {
        running == 0 || (threads == 1 && BLASBackend.threadCount == 1)
    }
}
