#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on an output directory, held for a whole run.
///
/// Two runs writing one `--out` would interleave their reports, thumbnails and summaries, and
/// the last writer's summary would describe a batch whose files are partly the other's. The
/// lock is `flock(LOCK_EX | LOCK_NB)` on `<out>/.sonoqc.lock`: the second run fails at once with
/// ``LockError`` instead of waiting, and the kernel drops the lock when the holder exits, even
/// by `kill -9`, so a crash never leaves the directory locked.
package final class OutputLock: Sendable {
    package static let fileName = ".sonoqc.lock"

    /// Another process holds the lock, or the lock file cannot be opened.
    package struct LockError: Error, Sendable, CustomStringConvertible {
        package var directory: String
        package var reason: String
        package var description: String { "output directory \(directory): \(reason)" }
    }

    private let fd: Int32

    /// Takes the lock; `directory` must exist.
    package init(directory: String) throws {
        let path = directory + "/" + Self.fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LockError(directory: directory, reason: "cannot open \(Self.fileName): \(String(cString: strerror(errno)))")
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(fd)
            throw LockError(directory: directory, reason: busy
                ? "another sonoqc run is writing to it; wait for it to finish or choose another --out"
                : "cannot lock \(Self.fileName): \(reason)")
        }
        self.fd = fd
    }

    deinit {
        // Closing the descriptor releases the flock.
        close(fd)
    }
}
