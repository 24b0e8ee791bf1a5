"""Copy the catalogued files byte-for-byte and compute their expectations.

Run:  /tmp/venv/bin/python tools/build.py   (needs ofxparse, mt-940, quiffen for
the cross-checks; the expectations themselves use only the standard library).
"""
import contextlib
import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import warnings
from decimal import Decimal

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import catalog  # noqa
import camt_expect  # noqa
import csv_expect  # noqa
import mt940_expect  # noqa
import ofx_expect  # noqa
import qif_expect  # noqa

MIRROR = "/work/.mirror"
POOL = "/tmp/pool"   # files recovered through the search index (read_file)


def gitdir(repo):
    d = os.path.join(MIRROR, repo.replace("/", "+"), "repo")
    return os.path.join(d, ".git") if os.path.isdir(os.path.join(d, ".git")) else d


def source_bytes(e):
    if e.get("via_index"):
        return open(os.path.join(POOL, e["repo"].replace("/", "+"), e["path"]), "rb").read(), e["commit"]
    g = gitdir(e["repo"])
    commit = subprocess.run(["git", "--git-dir", g, "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    data = subprocess.run(["git", "--git-dir", g, "cat-file", "blob", "HEAD:" + e["path"]], capture_output=True,
                          check=True).stdout
    return data, commit


METHOD = {
    "ofx": "tools/ofx_expect.py: plain regex reading of the OFX text (SGML with or without closing tags, or XML); "
           "statements = STMTRS/CCSTMTRS/INVSTMTRS; booked = every STMTTRN (INVBANKTRAN>STMTTRN for investment "
           "statements), sign as in TRNAMT; date = first 8 digits of DTPOSTED as written (no time-zone conversion); "
           "closing = LEDGERBAL/BALAMT. Does not use ofxtools (ai-service's dependency). Cross-checked with ofxparse 0.21.",
    "camt": "tools/camt_expect.py: xml.etree reading with namespaces stripped; entries Ntry, status from Sts or Sts/Cd "
            "(BOOK booked, PDNG pending, other = not counted), amount = Ntry/Amt signed by Ntry/CdtDbtInd (batch "
            "entries count once), date = BookgDt Dt/DtTm date part as written; closing = Bal type CLBD; checked "
            "OPBD + booked == CLBD where both exist.",
    "mt940": "tools/mt940_expect.py: SWIFT field reading (:25: :60F/M: :61: :62F/M:); :61: mark C/RD = in, D/RC = out; "
             "booking date = entry date MMDD (year from value date) else value date; checked opening + lines == closing "
             "per account; cross-checked with the mt-940 package 5.1.1 (WoLpH).",
    "qif": "tools/qif_expect.py: line reading; transactions = records of Bank/Cash/CCard/Oth A/Oth L sections, amount "
           "from T (else U), split lines ignored; dates interpreted with the stated date order.",
    "csv": "tools/csv_expect.py with a per-file spec written after reading the file (tools/catalog.py): encoding, "
           "delimiter, header position, date column+format, amount/debit-credit/indicator columns, decimal and "
           "thousands marks, pending/status values, rows that are not transactions. Where a running balance exists "
           "the amounts are checked against it.",
}


def fmt_of(e):
    f = e.get("format_override") or e["format"]
    return "ofx" if f == "qbo" else f


def dest_name(e, used):
    fmt = fmt_of(e)
    base = os.path.basename(e["path"])
    d = os.path.join("files", fmt, e["repo"].replace("/", "+"))
    name = base
    if os.path.join(d, name) in used:
        name = e["path"].replace("/", "__")
    if os.path.join(d, name) in used:
        raise SystemExit("collision " + e["path"])
    used.add(os.path.join(d, name))
    return os.path.join(d, name)


def quiet(fn, *a):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return fn(*a)


def converted_check(e):
    g = gitdir(e["repo"])
    conv = subprocess.run(["git", "--git-dir", g, "cat-file", "blob", "HEAD:" + e["cross_check_ofx"]],
                          capture_output=True).stdout
    oc = ofx_expect.expect(conv)
    return {"file": e["cross_check_ofx"],
            "what": "OFX written by the source project's own converter from this file (its expected output)",
            "statements": [{"account": a["account"], "count": a["booked_count"], "sum": a["booked_sum"],
                            "closing_balance": a.get("closing_balance")} for a in oc["accounts"]]}


def compute(e, path, raw):
    ex, checks = compute0(e, path, raw)
    if e.get("cross_check_ofx") and "source_project_converted_ofx" not in checks:
        checks["source_project_converted_ofx"] = converted_check(e)
    return ex, checks


def compute0(e, path, raw):
    fmt = e["format"]
    checks = {}
    if fmt in ("ofx", "qfx"):
        ex = ofx_expect.expect(raw)
        op = quiet(ofx_expect.crosscheck_ofxparse, path)
        checks["ofxparse_0.21"] = op
        if isinstance(op, list):
            agree = True
            for a, b in zip(ex["accounts"], op):
                if b is None:
                    continue
                if a["statement_type"] == "INVSTMTRS":
                    agree &= (b["cash_count"] == a["booked_count"] and Decimal(b["cash_sum"]) == Decimal(a["booked_sum"]))
                else:
                    agree &= (b["count"] == a["booked_count"] and Decimal(b["sum"]) == Decimal(a["booked_sum"]))
            checks["ofxparse_agrees"] = agree and len(op) == len(ex["accounts"])
        if "cross_check" in e:
            pass
        return ex, checks
    if fmt.startswith("camt"):
        try:
            return camt_expect.expect(raw), checks
        except Exception as exc:  # noqa
            return {"accounts": [], "parse_error": "%s: %s" % (type(exc).__name__, exc)}, checks
    if fmt == "mt940":
        ex = mt940_expect.expect(raw)
        cc = quiet(mt940_expect.crosscheck, path)
        checks["mt-940_5.1.1"] = cc
        if isinstance(cc, dict):
            n = sum(a["booked_count"] for a in ex["accounts"])
            s = sum((Decimal(a["booked_sum"]) for a in ex["accounts"]), Decimal(0))
            checks["mt-940_agrees"] = (cc["count"] == n and Decimal(cc["sum"]) == s)
        return ex, checks
    if fmt == "qif":
        ex = qif_expect.expect(raw, date_order=e.get("date_order", "MDY"))
        try:
            import quiffen
            q = quiet(quiffen.Qif.parse, path)
            tot = []
            for acc in q.accounts.values():
                for tl in acc.transactions.values():
                    tot.append((acc.name, len(tl), str(sum((Decimal(t.amount) for t in tl if t.amount is not None), Decimal(0)))))
            checks["quiffen_4.0.1"] = tot
        except Exception as exc:  # noqa
            checks["quiffen_4.0.1"] = "error: %s: %s" % (type(exc).__name__, str(exc)[:100])
        return ex, checks
    if fmt == "csv":
        ex = csv_expect.expect(raw, e["spec"])
        return ex, checks
    raise SystemExit(fmt)


def main():
    used = set()
    manifest = []
    per_fmt = {}
    for e in catalog.E:
        per_fmt.setdefault(fmt_of(e), []).append(e)
    # split: every third file of each format (sorted by country then path) is holdout
    for fmt, lst in per_fmt.items():
        for i, e in enumerate(sorted(lst, key=lambda x: (x["country"], x["repo"], x["path"]))):
            e["_split"] = "holdout" if i % 3 == 1 else "dev"
    for e in catalog.E:
        raw, commit = source_bytes(e)
        rel = dest_name(e, used)
        full = os.path.join(ROOT, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as fh:
            fh.write(raw)
        try:
            ex, checks = compute(e, full, raw)
        except Exception as exc:  # noqa
            print("ERROR", e["repo"], e["path"], type(exc).__name__, exc)
            ex, checks = {"accounts": [], "error": str(exc)}, {}
        lic_key = e.get("licence_key", e["repo"])
        lic = catalog.LIC.get(lic_key, "unknown")
        lic_note = None
        if e["repo"] in catalog.LIC_DECLARED_ONLY:
            lic_note = "no LICENSE file in the repository; licence taken from the package metadata (setup.py/pyproject)"
        if lic_key != e["repo"]:
            lic_note = "directory-level LICENSE file in the source repository (%s)" % lic_key.split(":")[1]
        if e["repo"] == "sandermarechal/jejik-mt940":
            lic_note = "fixtures covered by LICENSE.fixtures.txt (MIT, Frank Oxener / Agile Dovadi BV)"
        fmt = fmt_of(e)
        m = {
            "file": rel,
            "format": fmt,
            "bank": e["bank"],
            "country": e["country"],
            "source_repo": "https://github.com/" + e["repo"],
            "source_path": e["path"],
            "commit": commit,
            "licence": lic,
            "sha256": hashlib.sha256(raw).hexdigest(),
            "git_blob": subprocess.run(["git", "hash-object", "--stdin"], input=raw, capture_output=True).stdout.decode().strip(),
            "size": len(raw),
            "notes": e["notes"],
            "split": e["_split"],
            "expected": ex,
            "expected_method": METHOD["camt" if fmt.startswith("camt") else ("ofx" if fmt == "qfx" else fmt)],
            "cross_checks": checks,
        }
        if lic_note:
            m["licence_note"] = lic_note
        if e.get("via_index"):
            m["retrieval"] = ("repository too large to fetch (610 MB); text recovered from the public-code index "
                              "(read_file) at the stated commit; ASCII with LF line ends, length equal to the "
                              "index's total_chars - treat the bytes as highly likely but not hash-verified")
        if e.get("must_refuse"):
            lenient = m["expected"]
            m["expected"] = {"must_refuse": True, "reason": e["notes"],
                             "what_a_lenient_reader_sees": lenient}
        if e.get("refuse_ok"):
            m["expected"]["refusal_acceptable"] = True
        for k in ("ambiguous", "source_assertions", "preamble_balance", "closing_from_row", "date_order"):
            if e.get(k):
                m["expected"][k] = e[k]
        if fmt == "csv":
            spec = {k: v for k, v in e["spec"].items() if not callable(v)}
            fn = [k for k, v in e["spec"].items() if callable(v)]
            m["csv_reading"] = spec
            if fn:
                m["csv_reading"]["row_rules"] = fn
        manifest.append(m)
    with open(os.path.join(ROOT, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1, ensure_ascii=False, default=str)
    print(len(manifest), "files")


if __name__ == "__main__":
    main()
