import Foundation

/// What a command prints for people or scripts (not logs), written unbuffered.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
