import Foundation

/// What a command prints for people or scripts (not logs), written unbuffered.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A message for people about why a command stopped, on standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("bursar: " + text + "\n").utf8))
    }
}
