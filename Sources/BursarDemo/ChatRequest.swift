import BursarCore
import Foundation

/// An OpenAI-style `/v1/chat/completions` body, read into what routing needs.
///
/// Routing inputs come from `metadata` when the caller sends them (`feature`, `team`,
/// `intent`, `complexity`, `confidence`, `pii`, `request_id`) and are otherwise estimated from
/// the messages: length for complexity and context, an e-mail address or long digit run for PII.
struct ChatRequest {
    var routing: RoutingRequest
    var prompt: String
    var promptTokens: Int64

    static func parse(_ body: JSONValue) throws(FieldError) -> ChatRequest {
        guard case .object = body else { throw FieldError(code: "invalid_body", message: "a chat completion request is a JSON object") }
        guard let messages = body[member: "messages"]?.arrayValue, !messages.isEmpty else {
            throw .invalid("messages", "must be a non-empty list of {role, content}")
        }
        let prompt = messages.compactMap { $0[member: "content"]?.stringValue }.joined(separator: "\n")
        let metadata = body[member: "metadata"] ?? .object([])
        func text(_ name: String) -> String { metadata[member: name]?.stringValue ?? "" }
        let tokens = Int64(max(1, prompt.utf8.count / 4))
        let words = prompt.lowercased().split { !$0.isLetter }.map(String.init)
        let complexity = metadata[member: "complexity"]?.numberValue ?? min(1, Double(words.count) / 400)
        let pii = metadata[member: "pii"]?.boolValue ?? Self.looksPersonal(prompt)
        let routing = RoutingRequest(user: body[member: "user"]?.stringValue ?? text("user"), team: text("team"), feature: text("feature"),
                                     intent: text("intent"), complexity: complexity, confidence: metadata[member: "confidence"]?.numberValue,
                                     pii: pii, keywords: Array(Set(words)).sorted(), contextTokens: tokens,
                                     requestID: text("request_id").isEmpty ? UUID().uuidString.lowercased() : text("request_id"))
        return ChatRequest(routing: routing, prompt: prompt, promptTokens: tokens)
    }

    /// An e-mail address or a run of nine or more digits (an account or ID number).
    static func looksPersonal(_ text: String) -> Bool {
        if text.contains(where: { $0 == "@" }), text.split(separator: " ").contains(where: { $0.contains("@") && $0.contains(".") }) { return true }
        var run = 0
        for character in text {
            run = character.isNumber ? run + 1 : 0
            if run >= 9 { return true }
        }
        return false
    }
}
