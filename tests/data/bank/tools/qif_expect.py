"""Independent QIF expectation calculator (plain line reading).

Transactions are the records of !Type:Bank/Cash/CCard/Oth A/Oth L sections
(amount from T, else U; split lines S/E/$ do not add to the total).  !Type:Invst
records are counted separately and not summed.  Accounts are switched by
!Account blocks.  Dates are kept as written (raw) and interpreted with the
explicit `date_order` given by the caller (QIF has no standard date order).
Cross-checked against quiffen where quiffen can read the file.
"""
import re
from decimal import Decimal

TX_TYPES = {"bank", "cash", "ccard", "oth a", "oth l"}


def parse_date(raw, order="MDY"):
    s = raw.strip().replace("'", "/").replace(" ", "")
    parts = re.split(r"[/.\-]", s)
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    if order == "MDY":
        m, d, y = parts
    elif order == "DMY":
        d, m, y = parts
    else:
        y, m, d = parts
    y = int(y)
    if y < 100:
        # Quicken convention: apostrophe years are 2000+, slash years 19xx
        y = 2000 + y if ("'" in raw or y < 50) else 1900 + y
    m, d = int(m), int(d)
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    return "%04d-%02d-%02d" % (y, m, d)


def expect(raw: bytes, encoding="utf-8", date_order="MDY"):
    text = raw.decode(encoding, "replace")
    accounts = []
    cur = {"account": None, "type": None, "tx": [], "invst": 0}
    section = None
    in_account_block = False
    rec = {}
    bad = []

    def flush():
        nonlocal rec
        if rec and section in TX_TYPES:
            amt = rec.get("T", rec.get("U"))
            d = rec.get("D")
            if amt is None or d is None:
                bad.append(dict(rec))
            else:
                try:
                    v = Decimal(amt.replace(",", "").strip())
                except Exception:  # noqa
                    bad.append(dict(rec))
                    v = None
                if v is not None:
                    cur["tx"].append((v, parse_date(d, date_order), d))
        elif rec and section == "invst":
            cur["invst"] += 1
        rec = {}

    for line in re.split(r"\r\n|\n|\r", text):
        if not line.strip():
            continue
        if line.startswith("!"):
            flush()
            low = line.strip().lower()
            if low == "!account":
                in_account_block = True
                section = None
                continue
            if low.startswith("!type:"):
                section = low[6:].strip()
                if section in TX_TYPES or section == "invst":
                    if cur["type"] is not None and cur["type"] != section:
                        accounts.append(cur)
                        cur = {"account": cur["account"], "type": None, "tx": [], "invst": 0}
                    cur["type"] = section
            elif low.startswith("!option") or low.startswith("!clear"):
                section = None
            continue
        if in_account_block:
            if line.startswith("N"):
                name = line[1:].strip()
                if cur["tx"] or cur["invst"] or cur["account"] is not None:
                    accounts.append(cur)
                cur = {"account": name, "type": None, "tx": [], "invst": 0}
            elif line.startswith("^"):
                in_account_block = False
            continue
        if line.startswith("^"):
            flush()
            continue
        k, v = line[0], line[1:]
        if k in ("S", "E", "$"):
            continue
        rec.setdefault(k, v)
    flush()
    accounts.append(cur)
    out = []
    for a in accounts:
        if not a["tx"] and not a["invst"]:
            continue
        ds = [t[1] for t in a["tx"] if t[1]]
        out.append({
            "account": a["account"], "qif_type": a["type"],
            "booked_count": len(a["tx"]), "pending_count": 0,
            "booked_sum": str(sum((t[0] for t in a["tx"]), Decimal(0))),
            "first_booking_date": min(ds) if ds else None,
            "last_booking_date": max(ds) if ds else None,
            "unparseable_dates": [t[2] for t in a["tx"] if not t[1]],
            "investment_records_ignored": a["invst"],
        })
    res = {"accounts": out, "date_order_assumed": date_order}
    if bad:
        res["records_without_amount_or_date"] = len(bad)
    return res


if __name__ == "__main__":
    import json
    import sys
    for p in sys.argv[1:]:
        print(p, json.dumps(expect(open(p, "rb").read()), indent=1))
