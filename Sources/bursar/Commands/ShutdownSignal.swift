import Foundation

/// Posted by the signal handler: `sem_post` is safe to call from one.
nonisolated(unsafe) private let shutdownRequests: UnsafeMutablePointer<sem_t> = {
    let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)
    sem_init(semaphore, 0, 0)
    return semaphore
}()

private func shutdownRequested(_ signal: Int32) {
    sem_post(shutdownRequests)
}

/// SIGTERM and SIGINT, caught (the default handlers are replaced, so the process can drain).
/// Made before the server says it listens; from then on no such signal is lost, whichever
/// thread it reaches and whatever signal mask the process was started with:
/// - a `sigaction` handler, in force before `init` returns, takes it on any thread that does
///   not block it (a `DispatchSource`, registered later on libdispatch's own thread, once let
///   a SIGTERM sent right after start fall into the gap while the signal was ignored);
/// - a thread of its own takes it with `sigwait` when every thread blocks it (a process
///   started from a thread that blocks signals, as libdispatch's workers do, inherits that
///   mask, and the signal would otherwise stay pending for ever).
final class ShutdownSignal {
    init() {
        _ = shutdownRequests  // made here, never first in the handler
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in [SIGTERM, SIGINT] {
            sigaddset(&signals, number)
            var action = sigaction()
            action.__sigaction_handler.sa_handler = shutdownRequested
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
        // Blocked here (threads started from now on inherit it), taken by the waiting thread.
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let waited = signals
        Thread.detachNewThread {
            var taken: Int32 = 0
            var set = waited
            while sigwait(&set, &taken) == 0 { sem_post(shutdownRequests) }
        }
    }

    /// Returns once a signal has arrived (at any time since `init`).
    func wait() {
        while sem_wait(shutdownRequests) != 0, errno == EINTR {}
    }
}
