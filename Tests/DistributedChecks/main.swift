import DistributedTraining
import Foundation
import NN

// Data-parallel training's checks under an MPI launcher: CI runs
//   mpirun --allow-run-as-root --oversubscribe -np 2 .build/debug/distributed-checks
// (it also runs alone, as one process). Every process runs every check; a failure prints
// with its process's rank, and every process exits with status 1 if any check failed anywhere.

let communicator: any Communicator
do {
    communicator = try ProcessGroup.join()
} catch {
    print("distributed-checks: \(error)")
    exit(1)
}
if communicator.rank == 0 { print("distributed-checks: \(communicator.worldSize) process\(communicator.worldSize == 1 ? "" : "es")") }
let log = CheckLog(communicator: communicator)
collectiveChecks(log)
trainingChecks(log)
do {
    let failures = try log.totalFailures()
    if communicator.rank == 0 { print(failures == 0 ? "distributed-checks: all passed" : "distributed-checks: \(failures) failure(s)") }
    ProcessGroup.finish()
    exit(failures == 0 ? 0 : 1)
} catch {
    print("[process \(communicator.rank)] distributed-checks: \(error)")
    ProcessGroup.abort(exitCode: 1)
    exit(1)
}
