import HTTPToolkit
/// The media types each kind of request body may have: routes declare them so that a body of
/// another type is refused (415) from the head, before it is read; handlers pick a decoder.
enum MediaTypes {
    static let json = ["application/json"]
    static let events = ["application/json", "application/x-ndjson", "application/ndjson",
                         "application/cloudevents+json", "application/cloudevents-batch+json"]
    static let litellm = ["application/json", "application/x-ndjson", "application/ndjson"]
    static let traces = ["application/x-protobuf", "application/json"]
    static let policy = ["application/yaml", "application/x-yaml", "text/yaml", "application/json"]
}
