import ArgumentParser
import DistributedTraining
import Foundation
import NN

/// `fcdd` started by an MPI launcher: `train` runs over the processes, the other commands
/// refuse, and an error on one process stops all of them.
enum DistributedRun {
    /// Refuses a command other than `train` when a launcher started several processes (read
    /// from `environment`; MPI is not initialised for it).
    static func refuseUnlessTrain(_ command: any ParsableCommand, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard !(command is TrainCommand), let launch = try LaunchEnvironment(environment: environment),
            let size = launch.worldSize, size > 1
        else { return }
        let name = type(of: command).configuration.commandName ?? "this command"
        throw ValidationError("fcdd \(name) runs in one process, but an MPI launcher started \(size) (\(launch)); only fcdd train runs over several.")
    }

    /// Ends the run after `error`: with several processes, prints it (with this process's
    /// rank) and stops every process with its exit code; otherwise ends MPI if it runs and
    /// returns, for the caller to print the error and exit.
    static func stop(after error: any Error) {
        if ProcessGroup.isDistributed, let rank = MPICommunicator.current?.rank {
            FileHandle.standardError.write(Data("[process \(rank)] \(FCDDCommand.fullMessage(for: error))\n".utf8))
            ProcessGroup.abort(exitCode: FCDDCommand.exitCode(for: error).rawValue)
        }
        ProcessGroup.finish()
    }
}

extension Communicator {
    /// Checks that every process was started with the same options: the fields of `record`
    /// (what `config.json` holds), nested ones by dotted name (`training.seed`), as JSON text.
    ///
    /// - Throws: ``CommunicationError/disagreement(what:differences:)`` naming the options
    ///   that differ.
    func requireSameOptions(_ record: some Encodable) throws {
        guard worldSize > 1 else { return }
        var fields: [String: String] = [:]
        func add(_ value: Any, named name: String) throws {
            if let object = value as? [String: Any], !object.isEmpty {
                for (key, inner) in object { try add(inner, named: name.isEmpty ? key : name + "." + key) }
            } else {
                fields[name] = String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
            }
        }
        try add(JSONSerialization.jsonObject(with: JSONEncoder().encode(record)), named: "")
        try requireAgreement(on: fields, what: "options")
    }
}
