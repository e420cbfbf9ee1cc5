"""The Python engine answers every case of the conformance corpus as the Swift engine does."""

import copy
import json
import os

from bursar_router import conformance

CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "conformance")


def run(folder):
    results = [result for path in conformance.files(os.path.join(CORPUS, folder)) for result in conformance.run_file(path)]
    return results, [f"{result.file}: {result.name}" for result in results if not result.passed]


def manifest(folder):
    """The files of `folder` and their case counts, as conformance/manifest.json lists them."""
    with open(os.path.join(CORPUS, "manifest.json")) as source:
        files = json.load(source)["files"]
    return {name: count for name, count in files.items() if name.startswith(folder + "/")}


def counts(folder, results):
    found = {}
    for result in results:
        name = f"{folder}/{os.path.basename(result.file)}"
        found[name] = found.get(name, 0) + 1
    return found


def test_every_hand_written_case():
    results, failures = run("cases")
    assert failures == []
    assert len(results) >= 300
    assert counts("cases", results) == manifest("cases"), "files or case counts differ from conformance/manifest.json"


def test_every_generated_case():
    results, failures = run("generated")
    assert failures == []
    assert len(results) >= 10_000
    assert counts("generated", results) == manifest("generated"), "files or case counts differ from conformance/manifest.json"


def test_a_changed_expectation_is_caught(tmp_path):
    with open(os.path.join(CORPUS, "cases", "precedence.json")) as source:
        document = json.load(source)
    changed = copy.deepcopy(document)
    target = next(case for case in changed["cases"] if case["name"] == "min_tier raises")
    target["expect"]["decision"]["tier"] = "fast"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(changed))
    failed = [result.name for result in conformance.run_file(str(path)) if not result.passed]
    assert failed == ["min_tier raises"]


def test_the_command_line_says_how_many_passed(capsys):
    assert conformance.main([os.path.join(CORPUS, "cases")]) == 0
    assert capsys.readouterr().out.strip().endswith("cases passed, 0 failed")


def test_the_command_the_readme_gives_checks_the_whole_corpus(capsys):
    """``python -m bursar_router.conformance conformance/``: the manifest beside the files is not a case file."""
    assert conformance.main([CORPUS]) == 0
    total = sum(json.load(open(os.path.join(CORPUS, "manifest.json")))["files"].values())
    assert capsys.readouterr().out.strip().endswith(f"{total} cases passed, 0 failed")
