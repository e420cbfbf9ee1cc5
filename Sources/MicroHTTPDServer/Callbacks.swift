import HTTPToolkit
import CMicroHTTPD
import Foundation

// libmicrohttpd's callbacks: plain functions (a C callback cannot capture), with the server
// passed through the context pointer and each request's Exchange through `*req_cls`.

/// Called with the headers, then once per body chunk, then once more with no data (and
/// again after a suspended request is resumed).
func bursarAccessHandler(
    context: UnsafeMutableRawPointer?, connection: OpaquePointer?, url: UnsafePointer<CChar>?,
    method: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?, uploadData: UnsafePointer<CChar>?,
    uploadDataSize: UnsafeMutablePointer<Int>?, requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let context, let connection, let requestContext else { return .NO }
    let server = Unmanaged<MicroHTTPDServer>.fromOpaque(context).takeUnretainedValue()

    guard let existing = requestContext.pointee, existing != controlEscapeMarker else {
        server.heads.headArrived(connection)
        let escapesControl = requestContext.pointee == controlEscapeMarker
        let methodName = method.map { String(cString: $0) } ?? "GET"
        let path = url.map { String(cString: $0) } ?? "/"
        let exchange = Exchange(method: methodName, path: path, memory: server.memory)
        requestContext.pointee = Unmanaged.passRetained(exchange).toOpaque()
        server.activeExchanges.add(1, ordering: .sequentiallyConsistent)
        // Once the server drains, a request that starts on a kept-alive connection is answered
        // at once and never suspended: libmicrohttpd aborts when stopped with a connection
        // suspended, and the drain may already have seen nothing in flight.
        if server.draining.load(ordering: .sequentiallyConsistent) {
            exchange.state.withLock { $0.dispatched = true }
            return queue(HTTPError.unavailable("Bursar is shutting down; send this request again shortly", retryAfter: 2).response,
                         on: connection, exchange, server: server)
        }
        let header: (String) -> String? = { name in
            MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
        }
        if let refusal = server.repeatedHeadProblem(connection) {
            exchange.state.withLock { $0.dispatched = true }
            return queue(refusal, on: connection, exchange, server: server)
        }
        // A quick answer is queued in the final call, like any other (queued now, before
        // the request is read, libmicrohttpd would close the connection after it).
        if methodName == "GET", let quick = server.responder.quickResponse(method: methodName, path: path, header: header) {
            exchange.state.withLock { state in
                state.response = quick
                state.dispatched = true
                state.discardingBody = true
            }
            return .YES
        }
        if escapesControl {
            exchange.state.withLock { $0.dispatched = true }
            return queue(HTTPError.badRequest("the target escapes a control character (%00 to %1F, %7F)", field: "path").response,
                         on: connection, exchange, server: server)
        }
        if let refusal = server.headTooLarge(connection, path: path) ?? server.framingProblem(connection) {
            exchange.state.withLock { $0.dispatched = true }
            return queue(refusal, on: connection, exchange, server: server)
        }
        // Nothing of the body is read before the caller is authenticated and its route, role
        // and media type are known, and before its memory is reserved.
        if let refusal = server.responder.admit(id: exchange.id, method: methodName, path: path, header: header) ?? server.reserveDeclaredBody(exchange, header: header) {
            exchange.state.withLock { state in
                state.response = refusal
                state.dispatched = true
                state.discardingBody = true
            }
            // A client waiting for `100 Continue`, or announcing more than is ever read, is
            // answered now: its body is never sent or read (libmicrohttpd then closes the connection).
            let expectsContinue = header("Expect")?.lowercased().contains("100-continue") == true
            if expectsContinue || server.declaredLength(header) > server.configuration.maximumBodyBytes {
                return queue(refusal, on: connection, exchange, server: server)
            }
            return .YES
        }
        exchange.state.withLock { state in
            state.headers = connectionValues(connection, .HEADER_KIND)
            state.query = connectionValues(connection, .GET_ARGUMENT_KIND)
        }
        return .YES
    }
    let exchange = Unmanaged<Exchange>.fromOpaque(existing).takeUnretainedValue()

    if let uploadDataSize, uploadDataSize.pointee > 0 {
        let size = uploadDataSize.pointee
        server.receive(UnsafeRawBufferPointer(start: uploadData, count: uploadData == nil ? 0 : size), into: exchange)
        uploadDataSize.pointee = 0
        return .YES
    }

    let next = exchange.state.withLock { state -> (response: Response?, request: Request?) in
        if let response = state.response {
            state.response = nil
            return (response, nil)
        }
        if state.dispatched { return (nil, nil) }
        state.dispatched = true
        if state.bodyTooLarge {
            let limit = server.configuration.maximumBodyBytes
            return (HTTPError(413, code: "body_too_large", message: "the body is larger than \(limit) bytes; send smaller batches").response, nil)
        }
        if state.overloaded { return (MicroHTTPDServer.bodyMemoryFull.response, nil) }
        var request = Request(method: exchange.method, path: exchange.path, query: state.query, headers: state.headers, body: state.body,
                              id: exchange.id)
        request.memory = exchange.lease
        state.body = []
        return (nil, request)
    }
    if let response = next.response { return queue(response, on: connection, exchange, server: server) }
    guard let request = next.request else { return .YES }

    let reply = server.responder.respond(to: request)
    switch reply {
    case .response(let response):
        // The handler is done with the body: its memory is no longer held for this request.
        server.releaseBody(exchange)
        return queue(response, on: connection, exchange, server: server)
    case .pending(let pending):
        MHD_suspend_connection(connection)
        server.suspendedExchanges.add(1, ordering: .relaxed)
        let handle = ConnectionHandle(pointer: connection)
        pending.whenComplete { response in
            // Held until the handler (on the work pool, or waiting for a commit) is done with it.
            server.releaseBody(exchange)
            exchange.state.withLock { $0.response = response }
            server.suspendedExchanges.subtract(1, ordering: .relaxed)
            MHD_resume_connection(handle.pointer)
        }
        return .YES
    }
}

/// What the raw-target callback returns for a target that escapes a control character; the
/// access handler refuses such a request before libmicrohttpd's decoding (which would cut the
/// path at a decoded %00) can matter.
nonisolated(unsafe) let controlEscapeMarker = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// Called with each request's target as sent, before it is decoded.
func bursarRawTarget(context: UnsafeMutableRawPointer?, uri: UnsafePointer<CChar>?, connection: OpaquePointer?) -> UnsafeMutableRawPointer? {
    guard let uri else { return nil }
    var cursor = uri
    while cursor.pointee != 0 {
        if cursor.pointee == 0x25, let high = hexValue(cursor[1]), let low = hexValue(cursor[2]) {
            let value = high * 16 + low
            if value < 0x20 || value == 0x7F { return controlEscapeMarker }
            cursor += 3
        } else {
            cursor += 1
        }
    }
    return nil
}

private func hexValue(_ character: CChar) -> Int? {
    switch UInt8(bitPattern: character) {
    case 0x30...0x39: return Int(character) - 0x30
    case 0x41...0x46: return Int(character) - 0x41 + 10
    case 0x61...0x66: return Int(character) - 0x61 + 10
    default: return nil
    }
}

/// Releases a request's Exchange when libmicrohttpd is done with it.
func bursarRequestCompleted(
    context: UnsafeMutableRawPointer?, connection: OpaquePointer?,
    requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, termination: MHD_RequestTerminationCode
) {
    guard let context else { return }
    let server = Unmanaged<MicroHTTPDServer>.fromOpaque(context).takeUnretainedValue()
    if let connection { server.heads.answered(connection) }
    guard let requestContext, let existing = requestContext.pointee, existing != controlEscapeMarker else { return }
    server.releaseBody(Unmanaged<Exchange>.fromOpaque(existing).takeUnretainedValue())
    Unmanaged<Exchange>.fromOpaque(existing).release()
    requestContext.pointee = nil
    if server.activeExchanges.subtract(1, ordering: .sequentiallyConsistent).newValue == 0,
       server.draining.load(ordering: .sequentiallyConsistent) {
        server.drained.signal()
    }
}

/// A connection opened or closed: its head deadline is kept from the first to the last.
func bursarConnectionNotice(context: UnsafeMutableRawPointer?, connection: OpaquePointer?,
                            socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, notice: MHD_ConnectionNotificationCode) {
    guard let context, let connection else { return }
    let server = Unmanaged<MicroHTTPDServer>.fromOpaque(context).takeUnretainedValue()
    if notice == .CONNECTION_NOTIFY_STARTED {
        server.heads.opened(connection, socket: CMicroHTTPD_connection_fd(connection))
    } else {
        server.heads.closed(connection)
    }
}

/// Whether a new connection is taken: not once the server drains (closed as accepted, so a
/// load balancer moves on at once).
func bursarAcceptPolicy(context: UnsafeMutableRawPointer?, address: UnsafePointer<sockaddr>?, length: socklen_t) -> MHD_Result {
    guard let context else { return .NO }
    let server = Unmanaged<MicroHTTPDServer>.fromOpaque(context).takeUnretainedValue()
    return server.draining.load(ordering: .sequentiallyConsistent) ? .NO : .YES
}

private func queue(_ response: Response, on connection: OpaquePointer, _ exchange: Exchange, server: MicroHTTPDServer) -> MHD_Result {
    if server.configuration.accessLog { server.logAccess(exchange, response) }
    var body = response.body
    let handle = body.withUnsafeMutableBytes { bytes in
        MHD_create_response_from_buffer(bytes.count, bytes.baseAddress, .RESPMEM_MUST_COPY)
    }
    guard let handle else { return .NO }
    for (name, value) in response.headers {
        _ = MHD_add_response_header(handle, name, value)
    }
    if server.draining.load(ordering: .relaxed) {
        _ = MHD_add_response_header(handle, "Connection", "close")
    }
    let result = MHD_queue_response(connection, UInt32(response.status), handle)
    MHD_destroy_response(handle)
    return result
}

private func connectionValues(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [String: String] {
    var values: [String: String] = [:]
    withUnsafeMutablePointer(to: &values) { pointer in
        _ = MHD_get_connection_values(connection, kind, collectValue, pointer)
    }
    return values
}

/// Every value of the header `name` (compared without case), in order.
func headerValues(_ connection: OpaquePointer, _ name: String) -> [String] {
    var found: (name: String, values: [String]) = (name.lowercased(), [])
    withUnsafeMutablePointer(to: &found) { pointer in
        _ = MHD_get_connection_values(connection, .HEADER_KIND, collectNamed, pointer)
    }
    return found.values
}

private func collectNamed(context: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?, value: UnsafePointer<CChar>?) -> MHD_Result {
    guard let context, let key else { return .YES }
    let found = context.assumingMemoryBound(to: (name: String, values: [String]).self)
    if String(cString: key).lowercased() == found.pointee.name { found.pointee.values.append(value.map { String(cString: $0) } ?? "") }
    return .YES
}

/// The first of `names` (compared without case) that a head's headers give more than once,
/// in one pass over them, comparing C strings as they are (this runs for every request).
func repeatedHeader(_ connection: OpaquePointer, among names: [StaticString]) -> String? {
    var found: (names: [StaticString], counts: [Int]) = (names, Array(repeating: 0, count: names.count))
    withUnsafeMutablePointer(to: &found) { pointer in
        _ = MHD_get_connection_values(connection, .HEADER_KIND, countNamed, pointer)
    }
    return zip(names, found.counts).first { $0.1 > 1 }.map { "\($0.0)" }
}

private func countNamed(context: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?, value: UnsafePointer<CChar>?) -> MHD_Result {
    guard let context, let key else { return .YES }
    let found = context.assumingMemoryBound(to: (names: [StaticString], counts: [Int]).self)
    for (index, name) in found.pointee.names.enumerated()
    where strcasecmp(key, UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0 {
        found.pointee.counts[index] += 1
    }
    return .YES
}

/// The first name given more than once among a head's values of one kind (query arguments).
func repeatedName(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> String? {
    var found: (seen: Set<String>, repeated: String?) = ([], nil)
    withUnsafeMutablePointer(to: &found) { pointer in
        _ = MHD_get_connection_values(connection, kind, findRepeated, pointer)
    }
    return found.repeated
}

private func findRepeated(context: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?, value: UnsafePointer<CChar>?) -> MHD_Result {
    guard let context, let key else { return .YES }
    let found = context.assumingMemoryBound(to: (seen: Set<String>, repeated: String?).self)
    let name = String(cString: key)
    if found.pointee.repeated == nil, !found.pointee.seen.insert(name).inserted { found.pointee.repeated = name }
    return .YES
}

/// The bytes of a head's names and values of one kind (headers, or query arguments).
func connectionValueBytes(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> Int {
    var total = 0
    withUnsafeMutablePointer(to: &total) { pointer in
        _ = MHD_get_connection_values(connection, kind, countValue, pointer)
    }
    return total
}

private func countValue(context: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?, value: UnsafePointer<CChar>?) -> MHD_Result {
    guard let context else { return .YES }
    let total = context.assumingMemoryBound(to: Int.self)
    total.pointee += (key.map { strlen($0) } ?? 0) + (value.map { strlen($0) } ?? 0) + 4
    return .YES
}

private func collectValue(context: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?, value: UnsafePointer<CChar>?) -> MHD_Result {
    guard let context, let key else { return .YES }
    let values = context.assumingMemoryBound(to: [String: String].self)
    let name = kind == .HEADER_KIND ? String(cString: key).lowercased() : String(cString: key)
    values.pointee[name] = value.map { String(cString: $0) } ?? ""
    return .YES
}
