"""The shell examples of the user docs, executed: each doc that says it runs in order
(``<!-- doc-test: in order -->`` on a line of its own, invisible to readers) has every
``sh`` block run, in document order, in one shell, against one fresh server started the
way ``make run`` starts it (migrate, demo, sandbox restore, ``serve --dev``, SQLite under
``var/`` of a scratch directory); a block followed by an output block must print that
output, after masking what legitimately changes:

- times (``30-11-2026 21:36:39``, ISO stamps, HTTP dates, ``2026-12-06 03:00 UTC``,
  ETags and the seconds left in a rate-limit window, which follow from them, and the
  ``0.02 s`` a sandbox restore took), trace ids, secrets (``wlk_…`` and the like), OAuth
  client ids and codes, the random part of API e-mails, and the servers' ports;
- nothing else: ids are what a fresh database gives, in order.

The docs run in the order of :data:`STORY`, one bash each (variables do not carry over;
the server's data does), in a scratch directory whose ``.venv`` is the suite's
virtualenv, so ``.venv/bin/workledger`` works as README says. An example that needs
other settings starts a second server itself, on port 8001 of the doc (a free port
here). A block that cannot run here (``make run`` itself, installing, a production
machine's settings, a stopped Redis) is preceded by ``<!-- doc-test: skip -->``. A doc
whose example no longer matches fails with a diff. The test fails if a doc is neither
in :data:`STORY` nor in :data:`NOTHING_TO_RUN`, or if fewer docs run than listed.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live import free_port, wait_for

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
IN_ORDER = "<!-- doc-test: in order -->"
SKIP = "<!-- doc-test: skip -->"
#: The docs that run, in reading order: one story, on one server, each doc going on
#: from the state the previous ones left.
STORY = ["README.md", "docs/quickstart.md", "docs/api-conventions.md", "docs/connector.md",
         "docs/domain.md", "docs/automation.md", "docs/sandbox.md", "docs/oauth2.md",
         "docs/authentication.md", "docs/operations.md", "docs/soap.md"]
#: Docs with nothing to run: architecture.md is for contributors (the layout as a tree,
#: code as Python) and tells no reader's story. The test below fails if one of them gains
#: an ``sh`` block: that block would then have to join the story.
NOTHING_TO_RUN = {"docs/architecture.md"}
RECORDED_URL = "http://127.0.0.1:8000"
#: The port of a second server that an example starts (other settings, same database).
SECOND_PORT = re.compile(r"(?<!\d)8001(?!\d)")

MASKS = [
    (re.compile(r"\b\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}\b"), "<moment>"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?"),
     "<moment>"),
    (re.compile(r"\b[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT\b"),
     "<http-date>"),
    # `workledger sandbox status`: the last restore and the next one the schedule gives.
    (re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? UTC\b"), "<moment>"),
    # How long a restore took (`... in 0.02 s; production snapshot held 0.01 s`).
    (re.compile(r"\b\d+\.\d+ s\b"), "<seconds> s"),
    (re.compile(r"\b00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]\b"), "<trace-id>"),
    (re.compile(r"\bwl[a-z]_(?:[A-Za-z0-9_-]{3,}|\.\.\.)"), "<secret>"),
    # OAuth: a registered application's client_id, an authorization code.
    (re.compile(r"app_[0-9a-f]{24}\b"), "app_<client-id>"),  # also %3Dapp_... in a URL
    # An API e-mail: ``api_<company id>_<4 random hex>@<host>``.
    (re.compile(r"\b(api_\d+_)[0-9a-f]{4}@"), r"\1<hex>@"),
    (re.compile(r"\b(code=)[A-Za-z0-9_~.-]+"), r"\1<code>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    # A hash of the row, its timestamps included; the seconds left in a rate window.
    (re.compile(r'"[0-9a-f]{32}"'), "<etag>"),
    (re.compile(r"(ratelimit: .*;t=)\d+"), r"\1<seconds>"),
]


def mask(text: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@dataclass
class Example:
    doc: str
    line: int  # of the opening fence, 1-based
    commands: str
    output: str | None  # None: nothing recorded (a block that sets variables, say)
    output_line: int = 0  # of the output block's opening fence


def recorded(text: str, url: str) -> str:
    """What the server printed, as a doc shows it: secrets shortened to their prefix, the
    port the default one."""
    text = re.sub(r"\b(wl[a-z]_)[A-Za-z0-9_-]{3,}", r"\1...", text)
    text = re.sub(r"\b(code=[A-Za-z0-9_~-]{4})[A-Za-z0-9_~-]+", r"\1...", text)
    return text.replace(url, RECORDED_URL).rstrip("\n")


def record(path: Path, found: list[Example], outputs: list[str], url: str) -> None:
    """``WORKLEDGER_DOCS_RECORD=1``: write what the server printed into the doc's output
    blocks (review the diff before committing it)."""
    lines = path.read_text().splitlines()
    for example, got in sorted(zip(found, outputs, strict=True),
                               key=lambda pair: -pair[0].output_line):
        if example.output is None or mask(example.output) == mask(got):
            continue  # unchanged but for what is masked: keep the recorded text
        start = example.output_line  # the line after the opening fence, 0-based
        end = start + len(example.output.splitlines())
        lines[start:end] = recorded(got, url).splitlines()
    path.write_text("\n".join(lines) + "\n")


FENCE = re.compile(r"^```(\w*)\s*$")


def examples(path: Path) -> list[Example]:
    """The ``sh`` blocks of a doc, each with the output block right after it."""
    lines = path.read_text().splitlines()
    # (line of the opening fence, 1-based; line of the closing fence; language; text;
    # skipped)
    blocks: list[tuple[int, int, str, str, bool]] = []
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        start, language = index, match.group(1)
        end = index + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        previous = next((lines[i] for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        blocks.append((start + 1, end + 1, language, "\n".join(lines[start + 1:end]),
                       previous.strip() == SKIP))
        index = end + 1
    found = []
    for position, (line, closing, language, text, skipped) in enumerate(blocks):
        if language != "sh" or skipped:
            continue
        output, output_line = None, 0
        if position + 1 < len(blocks):
            next_line, _, next_language, next_text, _ = blocks[position + 1]
            between = lines[closing:next_line - 1]
            if next_language in ("", "json") and not any(part.strip() for part in between):
                output, output_line = next_text, next_line
        found.append(Example(str(path.relative_to(ROOT)), line, text, output, output_line))
    return found


def docs_in_order() -> list[Path]:
    return [path for path in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
            if IN_ORDER in path.read_text().splitlines()]


def test_every_doc_runs_or_has_nothing_to_run():
    executed = {str(p.relative_to(ROOT)) for p in docs_in_order()}
    every = {str(p.relative_to(ROOT)) for p in (ROOT / "README.md",
                                                 *(ROOT / "docs").glob("*.md"))}
    assert executed | NOTHING_TO_RUN == every, sorted(every - executed - NOTHING_TO_RUN)
    assert not executed & NOTHING_TO_RUN
    assert executed == set(STORY), "every doc that runs has its place in STORY"
    # A fence the test does not see (indented in a list item) would be an example that
    # never runs: keep them at the margin.
    for doc in every:
        indented = [number for number, line in
                    enumerate((ROOT / doc).read_text().splitlines(), 1)
                    if re.match(r"^\s+```sh\s*$", line)]
        assert indented == [], f"{doc}: indented sh blocks at lines {indented}"


def test_docs_with_nothing_to_run_have_no_shell_examples():
    for doc in NOTHING_TO_RUN:
        fences = [line for line in (ROOT / doc).read_text().splitlines()
                  if FENCE.match(line) and FENCE.match(line).group(1) == "sh"]
        assert fences == [], f"{doc} has shell examples: add it to STORY"


def reader_env() -> dict[str, str]:
    """A reader's shell: none of the suite's own WORKLEDGER_ settings (its test database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKLEDGER_")}
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture(scope="module")
def make_run_server(tmp_path_factory):
    """``make run``'s steps in a scratch directory: its ``var/`` holds the database."""
    if shutil.which("jq") is None:
        pytest.fail("jq is not installed: `make install` installs it", pytrace=False)
    directory = tmp_path_factory.mktemp("make-run")
    # The docs call `.venv/bin/workledger` from the checkout, as README says.
    (directory / ".venv").symlink_to(BIN.parent)
    env = reader_env()
    env["WORKLEDGER_DEV"] = "true"
    workledger = str(BIN / "workledger")
    for step in (["migrate"], ["demo", "--first-time"], ["sandbox", "restore", "--first-time"]):
        subprocess.run([workledger, *step], cwd=directory, env=env, check=True,
                       capture_output=True, timeout=300)
    port = free_port()
    server = subprocess.Popen([workledger, "serve", "--dev", "--port", str(port)],
                              cwd=directory, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/health")
        yield directory, f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_in_order(directory: Path, url: str, found: list[Example]) -> list[str]:
    """Every example in one bash, in order; each one's output, split by markers."""
    marker = "@@doc-test-example@@"
    script = ["set -o pipefail"]
    second = str(free_port())
    for example in found:
        script.append(f"echo '{marker}'")
        script.append(SECOND_PORT.sub(second, example.commands.replace(RECORDED_URL, url)))
    shell = subprocess.Popen(["bash", "-c", "\n".join(script)], cwd=directory,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=reader_env(), start_new_session=True)
    try:
        stdout, stderr = shell.communicate(timeout=600)
    finally:
        # A second server an example started and, failing, did not stop.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGTERM)
        shell.wait()
    # What the second server printed, as the doc shows it: on port 8001.
    stdout = stdout.replace(f"127.0.0.1:{second}", "127.0.0.1:8001")
    outputs = stdout.split(marker + "\n")[1:]
    assert len(outputs) == len(found), stderr[-2000:]
    return outputs


@pytest.mark.parametrize("doc", STORY)
def test_the_examples_print_what_the_doc_shows(doc, make_run_server):
    directory, url = make_run_server
    found = examples(ROOT / doc)
    assert len([e for e in found if e.output is not None]) >= 5, f"{doc}: too few examples"
    outputs = run_in_order(directory, url, found)
    if os.environ.get("WORKLEDGER_DOCS_RECORD") == "1":
        record(ROOT / doc, found, outputs, url)
    failures = []
    for example, got in zip(found, outputs, strict=True):
        if example.output is None:
            continue
        expected, actual = mask(example.output), mask(got)
        if expected != actual:
            diff = "\n".join(difflib.unified_diff(
                expected.splitlines(), actual.splitlines(), "the doc", "the server",
                lineterm=""))
            failures.append(f"{doc}:{example.line}\n{diff}")
    assert failures == [], "\n\n".join(failures)
