"""Independent CSV expectation calculator driven by per-file specs.

Every spec was written by a person after reading the file (see catalog.py):
encoding, delimiter, where the header is, which column is what, how amounts
are written, which rows are pending / not transactions.  Nothing here guesses.
If the file has a running-balance column the computed amounts are checked
against it (balance[i] - balance[i-1] == amount[i], trying both row orders).
"""
import csv
import io
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation


class SpecError(Exception):
    pass


def num(s, decimal=".", thousands=""):
    if s is None:
        return None
    t = s.strip()
    for junk in ("\u00a3", "$", "\u20ac", "EUR", "CHF", "USD", "GBP", "\xa0"):
        t = t.replace(junk, "")
    t = t.replace(" ", "")
    if t in ("", "-", "--", "+"):
        return None
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1]
    if t.endswith("-"):
        neg, t = True, t[:-1]
    if thousands:
        t = t.replace(thousands, "")
    if decimal == ",":
        t = t.replace(",", ".")
    try:
        v = Decimal(t)
    except InvalidOperation:
        raise SpecError("not a number: %r" % s)
    return -v if neg else v


def pdate(s, fmt):
    s = s.strip()
    if isinstance(fmt, (list, tuple)):
        for f in fmt:
            try:
                return datetime.strptime(s, f).date().isoformat()
            except ValueError:
                pass
        raise SpecError("bad date %r" % s)
    return datetime.strptime(s, fmt).date().isoformat()


def rows_of(raw, spec):
    text = raw.decode(spec.get("enc", "utf-8"))
    if text.startswith("\ufeff"):
        text = text[1:]
    lines_skip = spec.get("skip", 0)
    if "header_startswith" in spec:
        lines = text.splitlines(True)
        for i, ln in enumerate(lines):
            if ln.lstrip('"').startswith(spec["header_startswith"]):
                lines_skip = i
                break
        else:
            raise SpecError("header not found")
    if lines_skip:
        parts = text.splitlines(True)
        text = "".join(parts[lines_skip:])
    rdr = csv.reader(io.StringIO(text, newline=""), delimiter=spec.get("delim", ","),
                     quotechar=spec.get("quote", '"'))
    rows = list(rdr)
    if spec.get("header", True):
        header = [h.strip() for h in rows[0]]
        rows = rows[1:]
    else:
        header = None
    return header, rows


def col(header, row, c):
    if c is None:
        return None
    if isinstance(c, int):
        return row[c] if -len(row) <= c < len(row) else ""
    if header is None:
        raise SpecError("named column without header")
    try:
        i = header.index(c)
    except ValueError:
        raise SpecError("no column %r in %r" % (c, header))
    return row[i] if i < len(row) else ""


def expect(raw: bytes, spec: dict):
    header, rows = rows_of(raw, spec)
    dec = spec.get("decimal", ".")
    th = spec.get("thousands", "")
    groups = {}
    skipped = {}
    order = []
    bal_seq = []
    for r in rows:
        if not any(x.strip() for x in r):
            if spec.get("stop_at_blank"):
                break
            continue
        reason = None
        if "skip_if" in spec:
            reason = spec["skip_if"](header, r)
        if reason:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        status = "booked"
        if "status" in spec:
            sv = col(header, r, spec["status"]).strip()
            if sv in spec.get("pending_values", []):
                status = "pending"
            elif sv in spec.get("exclude_values", []):
                skipped["status " + sv] = skipped.get("status " + sv, 0) + 1
                continue
        if "pending_if" in spec and spec["pending_if"](header, r):
            status = "pending"
        if "amount" in spec:
            a = num(col(header, r, spec["amount"]), dec, th)
            if a is None:
                a = Decimal(0) if spec.get("empty_amount_is_zero") else None
            if a is None:
                raise SpecError("empty amount in row %r" % r)
        else:
            d = num(col(header, r, spec["debit"]), dec, th)
            c = num(col(header, r, spec["credit"]), dec, th)
            if spec.get("debit_negative_already"):
                a = (d or 0) + (c or 0)
            else:
                a = (c or 0) - abs(d or 0) if d is not None else (c or 0)
                if d is not None and d < 0 and not spec.get("abs_debit", True):
                    a = (c or 0) + d
            a = Decimal(a)
        if "indicator" in spec:
            iv = col(header, r, spec["indicator"]).strip()
            if iv not in spec["ind_map"]:
                raise SpecError("indicator %r not mapped" % iv)
            a = abs(a) * spec["ind_map"][iv]
        if "fee" in spec:
            f = num(col(header, r, spec["fee"]), dec, th) or Decimal(0)
            a = a + spec.get("fee_sign", -1) * abs(f)
        if spec.get("invert"):
            a = -a
        if "amount_hook" in spec:
            a = spec["amount_hook"](header, r, a)
        dcol = spec["date"]
        ds = col(header, r, dcol)
        if status == "pending" and spec.get("pending_date_optional") and not re.search(r"\d", ds or ""):
            dt = None
        else:
            dt = pdate(ds, spec["date_fmt"])
        cur = spec.get("currency_fixed") or (col(header, r, spec["currency"]).strip() if "currency" in spec else None)
        acct = spec.get("account_fixed") or (col(header, r, spec["account"]).strip() if "account" in spec else None)
        key = (acct, cur)
        if key not in groups:
            groups[key] = {"booked": [], "pending": [], "last_balance": None}
            order.append(key)
        groups[key][status].append((a, dt))
        if "balance" in spec:
            bv = col(header, r, spec["balance"])
            b = num(bv, dec, th) if bv is not None else None
            bal_seq.append((key, a, b, dt, status))
    out = []
    for key in order:
        g = groups[key]
        bd = [x[1] for x in g["booked"] if x[1]]
        res = {"account": key[0], "currency": key[1],
               "booked_count": len(g["booked"]),
               "pending_count": len(g["pending"]),
               "booked_sum": str(sum((x[0] for x in g["booked"]), Decimal(0))),
               "pending_sum": str(sum((x[0] for x in g["pending"]), Decimal(0))),
               "first_booking_date": min(bd) if bd else None,
               "last_booking_date": max(bd) if bd else None}
        if "balance" in spec:
            seq = [x for x in bal_seq if x[0] == key and x[4] == "booked"]
            res.update(balance_check(seq, spec))
        out.append(res)
    r = {"accounts": out}
    fmts = spec["date_fmt"] if isinstance(spec["date_fmt"], (list, tuple)) else [spec["date_fmt"]]
    if any("%d" in f and "%m" in f and not f.startswith("%Y") for f in fmts):
        days = [int(x[1][8:10]) for g in groups.values() for x in g["booked"] + g["pending"] if x[1]]
        if days and max(days) <= 12:
            r["date_order_ambiguous"] = ("every day-of-month value is <= 12: day/month order cannot be told from the "
                                         "file alone; the order used here is %s" % fmts[0])
    if skipped:
        r["rows_not_transactions"] = skipped
    if spec.get("closing_balance_fixed") is not None and out:
        out[0]["closing_balance"] = spec["closing_balance_fixed"]
    return r


def balance_check(seq, spec):
    """Check running balances pairwise in file order and in reversed order.

    A pair (previous row, row) is consistent when previous balance + amount == balance.
    The closing balance is only reported when one order is fully consistent AND
    that order ends on the chronologically latest booking date.
    """
    pts = [(a, b, d) for _, a, b, d, _ in seq]
    res = {"running_balance_pairs": {}}
    full = []
    for name, lst in (("file_order", pts), ("reverse_order", list(reversed(pts)))):
        ok = checked = 0
        prev = None
        for a, b, d in lst:
            if b is None:
                prev = None
                continue
            if prev is not None:
                checked += 1
                ok += (prev + a == b)
            prev = b
        res["running_balance_pairs"][name] = "%d/%d consistent" % (ok, checked)
        if checked and ok == checked:
            full.append((name, lst))
    if not any(int(v.split("/")[1].split()[0]) for v in res["running_balance_pairs"].values()):
        del res["running_balance_pairs"]
        return res
    if full:
        name, lst = full[0]
        dates = [d for a, b, d in lst if d]
        last_b = [b for a, b, d in lst if b is not None]
        if dates and lst[-1][2] == max(dates) and last_b:
            res["closing_balance"] = str(last_b[-1])
            res["closing_balance_source"] = "running balance column, last row in %s" % name.replace("_", " ")
        else:
            res["running_balance_note"] = ("balance chain is consistent in %s but that order does not end on the "
                                           "latest date - no closing balance derived" % name.replace("_", " "))
    return res
