"""Independent OFX/QFX expectation calculator.

Plain regex reading of the OFX text (works for v1 SGML with or without closing
tags and for v2 XML).  It does NOT use ofxtools (the library ai-service uses);
it is cross-checked against ofxparse in crosscheck_ofxparse().
"""
import re
from decimal import Decimal, InvalidOperation

INV_TX_TAGS = [
    "BUYDEBT", "BUYMF", "BUYOPT", "BUYOTHER", "BUYSTOCK", "CLOSUREOPT",
    "INCOME", "INVEXPENSE", "JRNLFUND", "JRNLSEC", "MARGININTEREST",
    "REINVEST", "RETOFCAP", "SELLDEBT", "SELLMF", "SELLOPT", "SELLOTHER",
    "SELLSTOCK", "SPLIT", "TRANSFER",
]


def decode(raw: bytes) -> str:
    head = raw[:600].decode("ascii", "replace")
    m = re.search(r"CHARSET:\s*(\S+)", head)
    enc = "utf-8"
    if m:
        cs = m.group(1).upper()
        if cs in ("1252", "WINDOWS-1252"):
            enc = "cp1252"
        elif cs in ("8859-1", "ISO-8859-1", "LATIN1"):
            enc = "latin-1"
    m = re.search(r'encoding="([^"]+)"', head)
    if m and "CHARSET" not in head:
        enc = m.group(1)
    if raw.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    return raw.decode(enc, "replace")


def leaf(block: str, tag: str):
    m = re.search(r"<" + tag + r">\s*([^<\r\n]*)", block)
    if not m:
        return None
    return m.group(1).strip()


def blocks(text: str, tag: str):
    return re.findall(r"<" + tag + r">(.*?)</" + tag + r">", text, re.S)


def amount(s):
    if s is None:
        return None
    t = s.strip()
    if t == "":
        return None
    note = None
    if "," in t and "." not in t:
        t = t.replace(",", ".")
        note = "decimal comma"
    try:
        return Decimal(t), note
    except InvalidOperation:
        return "INVALID:" + s, None


def iso(d):
    if not d or len(d) < 8 or not d[:8].isdigit():
        return None
    return f"{d[0:4]}-{d[4:6]}-{d[6:8]}"


def statement(kind, body):
    acct_block = None
    for ab in ("BANKACCTFROM", "CCACCTFROM", "INVACCTFROM"):
        b = blocks(body, ab)
        if b:
            acct_block = b[0]
            break
    if acct_block is None:
        # SGML without closing tag on the account aggregate
        acct_block = body
    acct = leaf(acct_block, "ACCTID")
    bankid = leaf(acct_block, "BANKID")
    cur = leaf(body, "CURDEF")
    res = {"statement_type": kind, "account": acct, "bank_id": bankid,
           "currency": cur}
    notes = []
    if kind == "INVSTMTRS":
        tl = blocks(body, "INVTRANLIST")
        tl = tl[0] if tl else body
        cash = blocks(tl, "INVBANKTRAN")
        trns = []
        for c in cash:
            trns += blocks(c, "STMTTRN")
        sec = 0
        for t in INV_TX_TAGS:
            sec += len(re.findall(r"<" + t + r">", tl))
        res["security_transactions_ignored"] = sec
        ab = blocks(body, "INVBAL")
        if ab:
            ac = leaf(ab[0], "AVAILCASH")
            a = amount(ac)
            res["available_cash"] = str(a[0]) if a and not isinstance(a, str) and a[0] is not None else None
    else:
        trns = blocks(body, "STMTTRN")
    booked = Decimal(0)
    n = 0
    dates = []
    bad = []
    for t in trns:
        a = amount(leaf(t, "TRNAMT"))
        d = iso(leaf(t, "DTPOSTED"))
        if a is None or isinstance(a[0], str) or d is None:
            bad.append({"TRNAMT": leaf(t, "TRNAMT"), "DTPOSTED": leaf(t, "DTPOSTED")})
            continue
        if a[1]:
            notes.append(a[1])
        booked += a[0]
        n += 1
        dates.append(d)
    res["booked_count"] = n
    res["pending_count"] = 0
    res["booked_sum"] = str(booked)
    res["first_booking_date"] = min(dates) if dates else None
    res["last_booking_date"] = max(dates) if dates else None
    lb = blocks(body, "LEDGERBAL")
    if not lb:
        m = re.search(r"<LEDGERBAL>(.*?)(<AVAILBAL>|</STMTRS>|</CCSTMTRS>|$)", body, re.S)
        lb = [m.group(1)] if m else []
    if lb:
        a = amount(leaf(lb[0], "BALAMT"))
        res["closing_balance"] = (str(a[0]) if a and not isinstance(a[0], str) else ("INVALID" if a else None))
        res["closing_balance_date"] = iso(leaf(lb[0], "DTASOF"))
    else:
        res["closing_balance"] = None
    if bad:
        res["unparseable_transactions"] = bad
    if notes:
        res["amount_notes"] = sorted(set(notes))
    return res


def expect(raw: bytes):
    text = decode(raw)
    out = []
    for kind in ("STMTRS", "CCSTMTRS", "INVSTMTRS"):
        for body in blocks(text, kind):
            out.append(statement(kind, body))
    # keep file order of statements
    order = {}
    for kind in ("STMTRS", "CCSTMTRS", "INVSTMTRS"):
        for m in re.finditer(r"<" + kind + r">", text):
            order.setdefault(kind, []).append(m.start())
    pos = []
    for kind in ("STMTRS", "CCSTMTRS", "INVSTMTRS"):
        pos += [(p, kind) for p in order.get(kind, [])]
    pos.sort()
    ordered = []
    used = {k: 0 for k in ("STMTRS", "CCSTMTRS", "INVSTMTRS")}
    byk = {k: [s for s in out if s["statement_type"] == k] for k in used}
    for _, k in pos:
        if used[k] < len(byk[k]):
            ordered.append(byk[k][used[k]])
            used[k] += 1
    status = re.findall(r"<CODE>\s*(\d+)", text)
    sev = re.findall(r"<SEVERITY>\s*([A-Z]+)", text)
    return {"accounts": ordered, "status_codes": status, "severities": sev}


def crosscheck_ofxparse(path):
    """Return per-account (count, sum) from ofxparse or an error string."""
    import ofxparse
    try:
        with open(path, "rb") as fh:
            o = ofxparse.OfxParser.parse(fh)
    except Exception as e:  # noqa
        return "ofxparse error: %s: %s" % (type(e).__name__, str(e)[:120])
    res = []
    for a in o.accounts:
        st = a.statement
        if st is None:
            res.append(None)
            continue
        txs = getattr(st, "transactions", []) or []
        if a.type == ofxparse.AccountType.Investment:
            cash = [t for t in txs if getattr(t, "type", None) in (
                "credit", "debit", "int", "div", "fee", "srvchg", "dep", "atm",
                "pos", "xfer", "check", "payment", "cash", "directdep",
                "directdebit", "repeatpmt", "other")]
            res.append({"cash_count": len(cash),
                        "cash_sum": str(sum((t.amount for t in cash), Decimal(0))),
                        "other": len(txs) - len(cash)})
        else:
            res.append({"count": len(txs),
                        "sum": str(sum((t.amount for t in txs), Decimal(0))),
                        "balance": str(getattr(st, "balance", None))})
    return res


if __name__ == "__main__":
    import json
    import sys
    for p in sys.argv[1:]:
        r = expect(open(p, "rb").read())
        print(p)
        print(json.dumps(r, indent=1))
        print("ofxparse:", crosscheck_ofxparse(p))
