"""The checks, one function each, over the built emails (:class:`~tools.email_checks.emails.Email`).

Every check returns one :class:`Result` per email: ``status`` is ``pass``,
``fail`` (a target missed) or ``not run`` (the tool is missing; ``summary`` says
why). Targets (issue #11): ``newsdigest check`` without errors, SpamAssassin with
local rules scoring 0, no serious or critical axe-core violation (at 600 px,
375 px and 600 px in dark mode), and no more caniemail "unsupported" findings
for Outlook, Gmail and Apple Mail (doiuse-email) than the same digest compiled
with MJML; and ours: the Nu validator finds no
error but the email idioms of the best templates (Outlook's VML namespaces and
``mso-`` properties...), which are listed all the same.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from tools.email_checks import tools_setup
from tools.email_checks.emails import Email, run_newsdigest

HERE = Path(__file__).resolve().parent
SERIOUS = frozenset({"serious", "critical"})
CLIENT_GLOBS = "outlook.*,gmail.*,apple-mail.*"


@dataclasses.dataclass(frozen=True)
class Result:
    check: str
    status: str
    summary: str
    details: tuple[str, ...] = ()


def _not_run(check: str, emails: Sequence[Email], reason: str) -> dict[str, Result]:
    return {e.label: Result(check, "not run", reason) for e in emails}


def _run(
    args: list[str],
    *,
    stdin: Path | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run ``args`` (stdin from a file when given); output decoded as UTF-8, never raising."""
    with (stdin or Path(os.devnull)).open("rb") as handle:
        done = subprocess.run(
            args, stdin=handle, capture_output=True, cwd=cwd, env=env, timeout=timeout, check=False
        )
    return subprocess.CompletedProcess(
        args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


# -- newsdigest check ---------------------------------------------------------------------------
def preflight(emails: Sequence[Email], work: Path, install: bool = False) -> dict[str, Result]:
    results = {}
    for email in emails:
        library = work / f"{email.source}-library.json"
        done = run_newsdigest(library, "check", str(email.html))
        lines = [ln for ln in done.stdout.splitlines() if ln.startswith(("error", "warning"))]
        last = next((ln for ln in reversed(done.stdout.splitlines()) if "preflight:" in ln), "")
        summary = last.replace("preflight: ", "") or (done.stderr.strip() or "no output")
        if email.build_status != 0:
            lines.insert(0, f"newsdigest build exited {email.build_status}")
        ok = done.returncode == 0 and email.build_status == 0
        results[email.label] = Result("check", "pass" if ok else "fail", summary, tuple(lines))
    return results


# -- SpamAssassin ---------------------------------------------------------------------------------
_SCORE = re.compile(r"Content analysis details:\s+\((-?[\d.]+) points")
_RULE = re.compile(r"^\s*(-?\d+\.\d+)\s+([A-Z0-9_]+)\s+(.*)$")


def spam_score(report: str) -> tuple[float, list[tuple[float, str, str]]]:
    """The score and the (points, rule, description) lines of ``spamassassin -t``'s report."""
    match = _SCORE.search(report)
    if match is None:
        raise ValueError("no 'Content analysis details' in SpamAssassin's output")
    table = report[match.end() :]
    rules = [
        (float(m.group(1)), m.group(2), m.group(3).strip())
        for m in map(_RULE.match, table.splitlines())
        if m
    ]
    return float(match.group(1)), rules


def spamassassin(emails: Sequence[Email], work: Path, install: bool = False) -> dict[str, Result]:
    try:
        program = tools_setup.find_spamassassin(install)
    except tools_setup.Missing as missing:
        return _not_run("spamassassin", emails, str(missing))
    prefs = work / "spamassassin-user_prefs"
    prefs.write_text("", encoding="utf-8")
    results = {}
    for email in emails:
        done = _run([program, "-L", "-t", "-p", str(prefs)], stdin=email.eml, timeout=300)
        try:
            score, rules = spam_score(done.stdout)
        except ValueError as exc:
            results[email.label] = Result("spamassassin", "fail", str(exc), (done.stderr[-500:],))
            continue
        scored = [f"{p:+.1f} {rule} ({text})" for p, rule, text in rules if p != 0]
        hits = ", ".join(f"{rule} {p:+.1f}" for p, rule, _ in rules if p != 0)
        summary = f"{score:g}" + (f" ({hits})" if hits else "")
        status = "pass" if score <= 0 else "fail"
        results[email.label] = Result("spamassassin", status, summary, tuple(scored))
    return results


# -- axe-core in Chromium -------------------------------------------------------------------------
def _node_json(script: str, files: Sequence[Path], env: dict[str, str]) -> dict[str, object]:
    node = tools_setup.find_node()
    done = _run(
        [node, str(HERE / script), *map(str, files)],
        cwd=HERE,
        env=dict(os.environ, **env),
        timeout=900,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script} failed: {done.stderr.strip()[-600:]}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def axe(emails: Sequence[Email], work: Path, install: bool = False) -> dict[str, Result]:
    try:
        tools_setup.find_node(install)
        chromium = tools_setup.find_chromium(install)
    except tools_setup.Missing as missing:
        return _not_run("axe", emails, str(missing))
    try:
        found = _node_json("axe_check.mjs", [e.html for e in emails], {"CHROMIUM": chromium})
    except RuntimeError as exc:
        return _not_run("axe", emails, str(exc))
    results = {}
    for email in emails:
        violations = found.get(str(email.html), [])
        assert isinstance(violations, list)
        bad = [v for v in violations if v.get("impact") in SERIOUS]
        details = tuple(
            f"{v['impact']}: {v['id']} ({v['help']}) at {v['width']}: {'; '.join(v['nodes'])}"
            for v in violations
        )
        others = len(violations) - len(bad)
        summary = f"{len(bad)} serious/critical" + (f", {others} minor/moderate" if others else "")
        results[email.label] = Result("axe", "fail" if bad else "pass", summary, details)
    return results


# -- doiuse-email, against MJML ------------------------------------------------------------------
def unsupported(findings: dict[str, list[str]]) -> list[str]:
    """doiuse-email's "not supported" findings, each once."""
    return sorted(set(findings.get("errors", [])))


def _compile_mjml(source: Path, out: Path) -> None:
    node = tools_setup.find_node()
    done = _run([node, str(tools_setup.mjml_cli()), str(source), "-o", str(out)], timeout=300)
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"mjml could not compile {source.name}: {done.stderr.strip()[-400:]}")


def caniemail(emails: Sequence[Email], work: Path, install: bool = False) -> dict[str, Result]:
    try:
        tools_setup.find_node(install)
        mjml_html: dict[Path, Path] = {}
        for email in emails:
            if email.mjml not in mjml_html:
                out = email.mjml.with_name(email.mjml.stem + "-mjml.html")
                _compile_mjml(email.mjml, out)
                mjml_html[email.mjml] = out
        env = {"DOIUSE_CLIENTS": CLIENT_GLOBS}
        from tools.email_checks.emails import caniemail_dir

        folder = caniemail_dir()
        if folder is not None:
            env["CANIEMAIL_DIR"] = str(folder)
        found = _node_json("doiuse.mjs", [*[e.html for e in emails], *mjml_html.values()], env)
    except (tools_setup.Missing, RuntimeError) as exc:
        return _not_run("caniemail", emails, str(exc))
    data = str(found.get("data", ""))
    results = {}
    for email in emails:
        ours = unsupported(found[str(email.html)])  # type: ignore[arg-type]
        theirs = unsupported(found[str(mjml_html[email.mjml])])  # type: ignore[arg-type]
        status = "pass" if len(ours) <= len(theirs) else "fail"
        only_ours = sorted(set(ours) - set(theirs))
        only_mjml = sorted(set(theirs) - set(ours))
        details = (
            f"data: {data}",
            f"{len(set(ours) & set(theirs))} findings in both",
            *(f"only ours: {f}" for f in only_ours),
            *(f"only MJML's: {f}" for f in only_mjml),
        )
        results[email.label] = Result(
            "caniemail", status, f"{len(ours)} vs MJML {len(theirs)}", details
        )
    return results


# -- the Nu validator -----------------------------------------------------------------------------
#: Nu errors that are the email idioms of the best hand-written templates (Outlook's VML
#: namespaces and ``mso-`` properties, Apple Mail's reformatting meta, the older dark-mode
#: property): reported, but expected.
EMAIL_IDIOMS = (
    re.compile(r"^Attribute “xmlns:[a-z]+” not allowed here\.$"),
    re.compile(r"^CSS: “mso-[a-z-]+”: Property “mso-[a-z-]+” doesn't exist\.$"),
    re.compile(r"^CSS: “supported-color-schemes”: Property “supported-color-schemes” doesn't"),
    re.compile(r"^Element “meta” is missing one or more of the following attributes: “content”"),
    re.compile(r"^Attribute “(mso-[a-z-]+|xmlns)”"),
)


def is_email_idiom(message: str) -> bool:
    return any(pattern.search(message) for pattern in EMAIL_IDIOMS)


def nu_validator(emails: Sequence[Email], work: Path, install: bool = False) -> dict[str, Result]:
    """The Nu validator's errors, all listed; target: none beyond :data:`EMAIL_IDIOMS`."""
    try:
        tools_setup.find_node(install)
        java = tools_setup.find_java(install)
    except tools_setup.Missing as missing:
        return _not_run("vnu", emails, str(missing))
    done = _run(
        [
            java,
            "-jar",
            str(tools_setup.vnu_jar()),
            "--format",
            "json",
            "--stdout",
            *(str(e.html) for e in emails),
        ],
        timeout=600,
    )
    try:
        messages = json.loads(done.stdout)["messages"]
    except (ValueError, KeyError):
        return _not_run("vnu", emails, f"vnu.jar gave no report: {done.stderr.strip()[-300:]}")
    results = {}
    for email in emails:
        url = email.html.resolve().as_uri().replace("file:///", "file:/")
        errors = [m for m in messages if m.get("type") == "error" and m.get("url") == url]
        odd = [m for m in errors if not is_email_idiom(m["message"])]
        lines = tuple(
            f"line {m.get('lastLine', '?')}: {m['message']}"
            + ("" if is_email_idiom(m["message"]) else " [not an email idiom]")
            for m in errors
        )
        summary = f"{len(odd)} beyond email idioms, of {len(errors)} errors"
        results[email.label] = Result("vnu", "fail" if odd else "pass", summary, lines)
    return results


#: (column heading, check) in the order of the table.
CHECKS: tuple[tuple[str, Callable[[Sequence[Email], Path, bool], dict[str, Result]]], ...] = (
    ("newsdigest check", preflight),
    ("SpamAssassin", spamassassin),
    ("axe-core", axe),
    ("caniemail vs MJML", caniemail),
    ("Nu validator", nu_validator),
)


def run_all(
    emails: Sequence[Email], work: Path | None = None, install: bool = False
) -> dict[str, dict[str, Result]]:
    """``{column: {email label: Result}}`` for every check."""
    folder = work or Path(tempfile.mkdtemp(prefix="email-checks-"))
    return {name: check(emails, folder, install) for name, check in CHECKS}
