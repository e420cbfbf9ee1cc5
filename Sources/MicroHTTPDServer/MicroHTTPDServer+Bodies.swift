import HTTPToolkit

/// The memory held by request bodies, bounded across all connections: each request reserves
/// what it declares (or what arrives, for chunked bodies) from one shared budget before it
/// is read, and gives it back once its handler is done with it or the request ends; what the
/// handler inflates and decodes the body into is held in the same budget (`Request.memory`).
extension MicroHTTPDServer {
    static let bodyMemoryFull = HTTPError.unavailable(
        "too many request bodies are being received at once; retry this request shortly", retryAfter: 1)

    /// The `Content-Length` a head declares (0 when none or unreadable).
    func declaredLength(_ header: (String) -> String?) -> Int {
        header("Content-Length").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0
    }

    /// Reserves the declared body; 413 when it is over the per-request limit, 503 when the
    /// shared budget cannot hold it.
    func reserveDeclaredBody(_ exchange: Exchange, header: (String) -> String?) -> Response? {
        let length = declaredLength(header)
        guard length > 0 else { return nil }
        guard length <= configuration.maximumBodyBytes else {
            return HTTPError(413, code: "body_too_large",
                             message: "the body is larger than \(configuration.maximumBodyBytes) bytes; send smaller batches").response
        }
        guard reserve(length) else { return Self.bodyMemoryFull.response }
        exchange.state.withLock { state in
            state.reserved = length
            state.body.reserveCapacity(length)
        }
        return nil
    }

    /// Takes one chunk of a body: kept within the request's reservation (grown for chunked
    /// bodies), dropped when the request was refused, is too large or the budget is spent.
    func receive(_ bytes: UnsafeRawBufferPointer, into exchange: Exchange) {
        let released: Int = exchange.state.withLock { state in
            if state.discardingBody || state.bodyTooLarge || state.overloaded { return 0 }
            let needed = state.body.count + bytes.count
            if needed > configuration.maximumBodyBytes {
                state.bodyTooLarge = true
            } else if needed > state.reserved, let grown = grow(state.reserved, toHold: needed) {
                // A chunked body's buffer grows by what is reserved for it, never past it
                // (left to itself, an array doubles its capacity beyond what it holds).
                state.body.reserveCapacity(grown)
                state.reserved = grown
                state.body.append(contentsOf: bytes)
                return 0
            } else if needed > state.reserved {
                state.overloaded = true
            } else {
                state.body.append(contentsOf: bytes)
                return 0
            }
            state.body = []
            defer { state.reserved = 0 }
            return state.reserved
        }
        memory.release(released)
    }

    /// Gives back what the request reserved, for its body and what the body decoded into.
    func releaseBody(_ exchange: Exchange) {
        let released: Int = exchange.state.withLock { state in
            defer { state.reserved = 0 }
            return state.reserved
        }
        memory.release(released)
        exchange.lease.returnAll()
    }

    /// A larger reservation for a body that needs `needed` bytes: twice what it had (at least
    /// 64 KiB, at most the body limit), or just what it needs when the budget cannot spare
    /// more; nil when it cannot have even that.
    private func grow(_ reserved: Int, toHold needed: Int) -> Int? {
        let generous = min(configuration.maximumBodyBytes, max(needed, reserved * 2, 64 * 1024))
        if reserve(generous - reserved) { return generous }
        return reserve(needed - reserved) ? needed : nil
    }

    private func reserve(_ bytes: Int) -> Bool {
        memory.reserve(bytes)
    }
}
