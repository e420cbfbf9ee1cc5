"""OTLP/HTTP from the real OpenTelemetry Python SDK: protobuf (gzip) and JSON exporters."""

import json

import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult


def protobuf_exporter(bursar):
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    return OTLPSpanExporter(endpoint=bursar.url + "/v1/traces", headers={"Authorization": f"Bearer {bursar.keys['router']}"},
                            compression=Compression.Gzip)


def json_exporter(bursar):
    from opentelemetry.exporter.otlp.json.http.trace_exporter import OTLPSpanExporter
    return OTLPSpanExporter(endpoint=bursar.url + "/v1/traces", headers={"Authorization": f"Bearer {bursar.keys['router']}"})


class Recording:
    """Wraps an exporter to keep what each export returned."""

    def __init__(self, exporter):
        self.exporter = exporter
        self.results = []
        self.spans = []

    def export(self, spans):
        result = self.exporter.export(spans)
        self.results.append(result)
        self.spans.extend(spans)
        return result

    def shutdown(self):
        self.exporter.shutdown()

    def force_flush(self, timeout_millis=30000):
        return True


@pytest.mark.parametrize("make_exporter,encoding", [(protobuf_exporter, "protobuf"), (json_exporter, "json")])
def test_genai_spans_become_events_with_their_fields(bursar, make_exporter, encoding):
    recording = Recording(make_exporter(bursar))
    provider = TracerProvider(resource=Resource.create({"service.name": f"otel-{encoding}"}))
    provider.add_span_processor(SimpleSpanProcessor(recording))
    tracer = provider.get_tracer("bursar-test")
    feature = f"otel-{encoding}"
    with tracer.start_as_current_span("POST /chat"):  # not a GenAI span: ignored
        with tracer.start_as_current_span("chat gpt-4o-2024-08-06") as span:
            span.set_attributes({
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
                "gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06",
                "gen_ai.usage.input_tokens": 1200, "gen_ai.usage.output_tokens": 300,
                "gen_ai.usage.cache_read.input_tokens": 200,
                "gen_ai.request.user": f"alice-{encoding}", "bursar.feature": feature,
            })
        with tracer.start_as_current_span("chat llama") as span:
            span.set_attributes({
                "gen_ai.operation.name": "chat", "gen_ai.system": "groq", "gen_ai.request.model": "llama-3.1-8b-instant",
                "gen_ai.usage.input_tokens": 800, "gen_ai.usage.output_tokens": 100, "gen_ai.request.user": f"bob-{encoding}",
                "bursar.feature": feature, "error.type": "rate_limited",
            })
        with tracer.start_as_current_span("chat in-house") as span:
            span.set_attributes({
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": "inhouse", "gen_ai.request.model": "tiny-1",
                "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5, "gen_ai.usage.cost": 0.0125,
                "gen_ai.request.user": f"carol-{encoding}", "bursar.feature": feature,
            })
        with tracer.start_as_current_span("chat broken") as span:  # a GenAI span without usage: rejected
            span.set_attributes({"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
                                 "bursar.feature": feature})
    provider.shutdown()
    assert recording.results and all(result == SpanExportResult.SUCCESS for result in recording.results)

    rows = bursar.json(f"/v1/spend?group_by=user,provider,model,tier,status&feature={feature}", "viewer")["rows"]
    by_user = {row["user"]: row for row in rows}
    assert set(by_user) == {f"alice-{encoding}", f"bob-{encoding}", f"carol-{encoding}"}
    alice = by_user[f"alice-{encoding}"]
    assert (alice["provider"], alice["model"], alice["tier"], alice["status"]) == ("openai", "gpt-4o-2024-08-06", "frontier", "ok")
    assert (alice["input_tokens"], alice["cached_input_tokens"], alice["output_tokens"]) == (1200, 200, 300)
    # 1000 uncached at $2.50/M + 200 cached at $1.25/M + 300 out at $10/M
    assert alice["cost_usd"] == "0.005750000"
    bob = by_user[f"bob-{encoding}"]
    assert (bob["provider"], bob["tier"], bob["status"]) == ("groq", "fast", "error")
    carol = by_user[f"carol-{encoding}"]
    assert (carol["tier"], carol["cost_usd"], carol["reported_cost_usd"]) == ("unassigned", "0.012500000", "0.012500000")

    # The same spans exported again (as an exporter retrying after a lost answer would):
    # accepted, every GenAI span a duplicate, nothing counted twice.
    again = make_exporter(bursar)
    assert again.export(recording.spans) == SpanExportResult.SUCCESS
    again.shutdown()
    assert bursar.json(f"/v1/spend?group_by=user,provider,model,tier,status&feature={feature}", "viewer")["rows"] == rows


def test_partial_success_names_the_rejected_spans(bursar):
    span = {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "chat",
            "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000500000000",
            "attributes": [{"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                           {"key": "gen_ai.provider.name", "value": {"stringValue": "openai"}},
                           {"key": "gen_ai.request.model", "value": {"stringValue": "gpt-4o"}}]}
    document = {"resourceSpans": [{"resource": {"attributes": []}, "scopeSpans": [{"spans": [span]}]}]}
    status, body = bursar.request("POST", "/v1/traces", "router", json.dumps(document).encode())
    assert status == 200
    answer = json.loads(body)
    assert answer["partialSuccess"]["rejectedSpans"] == 1
    assert "eee19b7ec3c1b174" in answer["partialSuccess"]["errorMessage"]
    status, body = bursar.request("POST", "/v1/traces", "router", b"not json")
    assert status == 400
    status, _ = bursar.request("POST", "/v1/traces", "viewer", json.dumps(document).encode())
    assert status == 403
