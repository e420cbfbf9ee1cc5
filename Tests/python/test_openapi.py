"""schemathesis (PyPI) against /openapi.json with an admin key, on a server of its own (it
creates, replaces and deletes whatever it likes): no server error, and every answer within the
description, over at least 1,000 generated cases."""

import os
import re
import shutil
import subprocess

from bursar import Bursar, ROOT


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_schema():
    server = Bursar()
    try:
        schemathesis = os.path.join(ROOT, ".venv", "bin", "schemathesis")
        seed = os.environ.get("SCHEMATHESIS_SEED", "2")
        run = subprocess.run(
            [schemathesis, "run", server.url + "/openapi.json", "-H", f"Authorization: Bearer {server.keys['admin']}",
             "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
             "--max-examples", "30", "--seed", seed],
            capture_output=True, text=True, timeout=900)
        output = run.stdout + run.stderr
        summary = re.search(r"(\d+) generated, (\d+) passed", output)
        assert run.returncode == 0 and summary, output[-6000:]
        generated, passed = int(summary.group(1)), int(summary.group(2))
        assert generated >= 1000 and passed == generated, output[-3000:]
        print(f"schemathesis: {generated} cases, all passed")
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)
