/// A backend did not do what the suite expects.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let message: String
    public let location: String

    public var description: String { "\(location): \(message)" }
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String,
            file: StaticString = #fileID, line: UInt = #line) throws {
    guard condition else { throw ConformanceFailure(message: message(), location: "\(file):\(line)") }
}

func expectEqual<T: Equatable>(_ actual: T, _ expected: T, _ what: @autoclosure () -> String,
                               file: StaticString = #fileID, line: UInt = #line) throws {
    guard actual == expected else {
        throw ConformanceFailure(message: "\(what()): got \(actual), expected \(expected)", location: "\(file):\(line)")
    }
}

/// That `body` throws an error of type `E`.
func expectThrows<E: Error>(_ type: E.Type, _ what: @autoclosure () -> String,
                            file: StaticString = #fileID, line: UInt = #line, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch is E {
        return
    } catch {
        throw ConformanceFailure(message: "\(what()): threw \(error), not \(E.self)", location: "\(file):\(line)")
    }
    throw ConformanceFailure(message: "\(what()): did not throw", location: "\(file):\(line)")
}

/// `value`, which must be there.
func expectPresent<T>(_ value: T?, _ what: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) throws -> T {
    guard let value else { throw ConformanceFailure(message: "\(what()): missing", location: "\(file):\(line)") }
    return value
}
