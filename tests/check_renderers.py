#!/usr/bin/env python3
"""check_renderers.py — every renderer of a JSON report carries every field
of every finding.

usage: check_renderers.py SCHEMA REPORT.json REPORT.sarif REPORT.html RENDERED.txt RUN.txt

SCHEMA is the SARIF 2.1.0 JSON schema; the SARIF must validate against it
(python3-jsonschema).  For each finding of REPORT.json:
  SARIF  a result with ruleId = kind, the message, a rule for the kind, the
         primary location at the first frame of the program's own code
         (file and line), one stack per stack and holder stack, each frame's
         function;
  HTML   the kind, the message, notes, object, block, holders, cycle
         members, and every shown frame's function and file:line;
  text   (`report --format text`) the headline, notes, every shown frame;
  run    (the text `lifeguard run` printed) the headline, and a SUMMARY line
         counting the errors when there were any.
Exit 1 naming the first missing field."""
import html
import json
import os
import sys

import jsonschema

SYSTEM_DIRS = ("/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/libexec/")


def own(frame):
    m = frame.get("module")
    if not m or m.startswith(SYSTEM_DIRS) or m.rsplit("/", 1)[-1].startswith("liblifeguard"):
        return False
    f = frame.get("file", "")
    return not (f.endswith("/lifeguard.h") or f == "lifeguard.h")


def shown(stack):
    """The frames a renderer shows by default: down to main, above start_thread."""
    out = []
    for f in stack:
        fn = f.get("function")
        if fn in ("start_thread", "clone3", "__clone3", "clone", "__clone"):
            break
        out.append(f)
        if fn == "main":
            break
    return out


def stacks_of(finding):
    for name, st in finding.get("stacks", {}).items():
        yield name, st
    for h in finding.get("holders", []):
        for st in h.get("stacks", []):
            yield "holder", st


def fail(msg):
    print("check_renderers: " + msg)
    sys.exit(1)


def main():
    schema_path, report_path, sarif_path, html_path, text_path, run_path = sys.argv[1:7]
    report = json.load(open(report_path))
    sarif = json.load(open(sarif_path))
    try:
        jsonschema.Draft7Validator(json.load(open(schema_path))).validate(sarif)
    except jsonschema.ValidationError as e:
        fail("the SARIF does not validate: %s at %s" % (e.message, "/".join(map(str, e.absolute_path))))
    page = open(html_path, encoding="utf-8").read()
    text = open(text_path, encoding="utf-8", errors="replace").read()
    run_text = open(run_path, encoding="utf-8", errors="replace").read()

    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    findings = report["findings"]
    if len(results) != len(findings):
        fail("%d SARIF results for %d findings" % (len(results), len(findings)))

    def in_html(s, what):
        if html.escape(str(s), quote=True) not in page:
            fail("the HTML lacks %s %r" % (what, s))

    for i, (f, r) in enumerate(zip(findings, results)):
        where = "finding %d (%s)" % (i + 1, f["kind"])
        # SARIF
        if r["ruleId"] != f["kind"]:
            fail("%s: SARIF ruleId %r" % (where, r["ruleId"]))
        if rules[r["ruleIndex"]]["id"] != f["kind"]:
            fail("%s: SARIF ruleIndex names rule %r" % (where, rules[r["ruleIndex"]]["id"]))
        if r["message"]["text"] != f["message"]:
            fail("%s: SARIF message %r" % (where, r["message"]["text"]))
        if r["level"] != ("warning" if f.get("severity") == "warning" else "error"):
            fail("%s: SARIF level %r for severity %r" % (where, r["level"], f.get("severity")))
        own_frames = [fr for _, st in stacks_of(f) for fr in st if own(fr) and fr.get("function")]
        if own_frames:
            if not r.get("locations"):
                fail("%s: SARIF result without a location" % where)
            loc = r["locations"][0]
            fn = loc["logicalLocations"][0]["name"]
            if fn not in [fr["function"] for fr in own_frames]:
                fail("%s: SARIF primary location %r is not a frame of the program's own code" % (where, fn))
            match = [fr for fr in own_frames if fr["function"] == fn and fr.get("line")]
            if match:
                phys = loc["physicalLocation"]
                lines = {fr["line"] for fr in match}
                if phys["region"]["startLine"] not in lines:
                    fail("%s: SARIF primary line %r, frames say %r" % (where, phys["region"]["startLine"], lines))
                base = match[0]["file"].rsplit("/", 1)[-1]
                if not phys["artifactLocation"]["uri"].endswith(base):
                    fail("%s: SARIF uri %r does not name %s" % (where, phys["artifactLocation"]["uri"], base))
        all_stacks = list(stacks_of(f))
        if len(r.get("stacks", [])) != len(all_stacks):
            fail("%s: %d SARIF stacks for %d stacks" % (where, len(r.get("stacks", [])), len(all_stacks)))
        sarif_fns = {lg.get("name") for st in r.get("stacks", []) for fr in st["frames"]
                     for lg in fr["location"].get("logicalLocations", [])}
        for name, st in all_stacks:
            for fr in shown(st):
                if fr.get("function") and fr["function"] not in sarif_fns:
                    fail("%s: the SARIF stacks lack %s's frame %r" % (where, name, fr["function"]))
        # HTML
        in_html(f["kind"], where + ": kind")
        in_html(f["message"], where + ": message")
        for note in f.get("notes", []):
            in_html(note, where + ": note")
        if "object" in f:
            o = f["object"]
            in_html("%s#%d" % (o["type"], o["id"]), where + ": object")
            in_html(o["address"], where + ": object address")
        if "block" in f:
            in_html(f["block"]["address"], where + ": block address")
        if "address" in f:
            in_html(f["address"], where + ": address")
        for h in f.get("holders", []):
            in_html(h["description"], where + ": holder")
        for c in f.get("cycle", []):
            in_html("%s#%d" % (c["type"], c["id"]), where + ": cycle member")
        for name, st in all_stacks:
            for fr in shown(st):
                if fr.get("function"):
                    in_html(fr["function"], "%s: %s frame" % (where, name))
                if fr.get("file") and fr.get("line"):
                    in_html("%s:%d" % (fr["file"], fr["line"]), "%s: %s frame's file:line" % (where, name))
        # text, from the JSON and from the run
        headline = "lifeguard: %s: %s" % (f["kind"], f["message"])
        if headline not in text:
            fail("%s: `report --format text` lacks the headline %r" % (where, headline))
        if headline not in run_text:
            fail("%s: the run's text report lacks the headline %r" % (where, headline))
        for note in f.get("notes", []):
            if note not in text:
                fail("%s: `report --format text` lacks the note %r" % (where, note))
        for name, st in all_stacks:
            for fr in shown(st):
                if fr.get("function") and (" in %s" % fr["function"]) not in text:
                    fail("%s: `report --format text` lacks %s's frame %r" % (where, name, fr["function"]))
    errors = report["summary"]["errors"]
    if errors and os.environ.get("LG_EXPECT_SUMMARY", "1") == "1":
        want = "SUMMARY: lifeguard: %d error" % errors
        if want not in run_text:
            fail("the run's text lacks %r" % want)


if __name__ == "__main__":
    main()
