"""Independent MT940/MT942 expectation calculator (plain regex, SWIFT field rules).

:25: account, :28C: statement no, :60F:/:60M: opening, :61: statement lines,
:62F:/:62M: closing.  :61: = YYMMDD value date, optional MMDD entry (booking)
date, mark C / D / RC (reversal of credit = money out) / RD (reversal of
debit = money in) / EC / ED, optional funds-code letter, amount with decimal
comma.  Booking date = entry date when present (year taken from the value
date, moved by one year when the months are more than 6 apart), else the
value date.  Cross-checked against the `mt-940` package (WoLpH) in crosscheck().
"""
import re
from decimal import Decimal

LINE61 = re.compile(
    r"^(?P<vd>\d{6})(?P<ed>\d{4})?(?P<mark>RC|RD|EC|ED|C|D)(?P<fc>[A-Z])?\n?(?P<amt>\d+(?:[,.]\d*)?)")
BAL = re.compile(r"^(?P<cd>[CD])(?P<d>\d{6})(?P<cur>[A-Z]{3})(?P<amt>\d+(?:[,.]\d*)?)")


def dec(s):
    s = s.strip().replace(".", ",")
    if "," not in s:
        s = s + ",0"
    if s.endswith(","):
        s = s + "0"
    return Decimal(s.replace(",", "."))


def ymd(s):
    yy = int(s[0:2])
    year = 2000 + yy if yy < 80 else 1900 + yy
    return year, int(s[2:4]), int(s[4:6])


def fields(text):
    """Yield (tag, value) over the message, joining continuation lines."""
    tag, buf = None, []
    for line in re.split(r"\r\n|\n|\r", text):
        m = re.match(r"^:(\d\d[A-Z]?):(.*)$", line)
        if m:
            if tag:
                yield tag, "\n".join(buf)
            tag, buf = m.group(1), [m.group(2)]
        elif line.startswith("-}") or line.strip() == "-":
            if tag:
                yield tag, "\n".join(buf)
            tag, buf = None, []
            yield "END", ""
        elif tag:
            buf.append(line)
    if tag:
        yield tag, "\n".join(buf)


def expect(raw: bytes, encoding="latin-1"):
    text = raw.decode(encoding, "replace")
    accounts = {}
    order = []
    cur_acct = None
    stmt_count = 0
    problems = []
    for tag, val in fields(text):
        if tag == "25":
            cur_acct = val.strip().split("\n")[0]
            if cur_acct not in accounts:
                accounts[cur_acct] = {"account": cur_acct, "currency": None,
                                      "booked": [], "opening": None,
                                      "closing": None, "closing_date": None,
                                      "statements": 0, "reversal_marks": 0}
                order.append(cur_acct)
            accounts[cur_acct]["statements"] += 1
            stmt_count += 1
        elif tag in ("60F", "60M"):
            m = BAL.match(val.strip())
            if m and cur_acct:
                a = accounts[cur_acct]
                a["currency"] = a["currency"] or m.group("cur")
                v = dec(m.group("amt")) * (-1 if m.group("cd") == "D" else 1)
                if a["opening"] is None:
                    a["opening"] = v
        elif tag in ("62F", "62M"):
            m = BAL.match(val.strip())
            if m and cur_acct:
                a = accounts[cur_acct]
                v = dec(m.group("amt")) * (-1 if m.group("cd") == "D" else 1)
                a["closing"] = v
                y, mo, d = ymd(m.group("d"))
                a["closing_date"] = "%04d-%02d-%02d" % (y, mo, d)
                a["currency"] = a["currency"] or m.group("cur")
        elif tag == "34F" and cur_acct:
            m = re.match(r"^([A-Z]{3})", val.strip())
            if m:
                accounts[cur_acct]["currency"] = accounts[cur_acct]["currency"] or m.group(1)
        elif tag == "61":
            first = val.split("\n")[0].strip()
            m = LINE61.match(first)
            if not m and "\n" in val:
                # amount wrapped onto the next line (seen in a Sparkasse file)
                two = "\n".join(x.strip() for x in val.split("\n")[:2])
                m = LINE61.match(two)
            if not m or not cur_acct:
                problems.append(first[:40])
                continue
            mark = m.group("mark")
            sign = 1 if mark in ("C", "RD", "EC") else -1
            if mark in ("RC", "RD"):
                accounts[cur_acct]["reversal_marks"] += 1
            amt = dec(m.group("amt")) * sign
            y, mo, d = ymd(m.group("vd"))
            if m.group("ed"):
                emo, ed = int(m.group("ed")[:2]), int(m.group("ed")[2:])
                ey = y
                if emo - mo > 6:
                    ey -= 1
                elif mo - emo > 6:
                    ey += 1
                bdate = "%04d-%02d-%02d" % (ey, emo, ed)
            else:
                bdate = "%04d-%02d-%02d" % (y, mo, d)
            accounts[cur_acct]["booked"].append((amt, bdate, "%04d-%02d-%02d" % (y, mo, d)))
    out = []
    for k in order:
        a = accounts[k]
        b = a["booked"]
        bd = [x[1] for x in b]
        vd = [x[2] for x in b]
        r = {"account": a["account"], "currency": a["currency"],
             "statements": a["statements"],
             "booked_count": len(b), "pending_count": 0,
             "booked_sum": str(sum((x[0] for x in b), Decimal(0))),
             "first_booking_date": min(bd) if bd else None,
             "last_booking_date": max(bd) if bd else None,
             "first_value_date": min(vd) if vd else None,
             "last_value_date": max(vd) if vd else None,
             "opening_balance_first_statement": str(a["opening"]) if a["opening"] is not None else None,
             "closing_balance": str(a["closing"]) if a["closing"] is not None else None,
             "closing_balance_date": a["closing_date"]}
        if a["reversal_marks"]:
            r["reversal_marks"] = a["reversal_marks"]
        if a["opening"] is not None and a["closing"] is not None:
            r["reconciles_opening_plus_booked_eq_closing"] = (
                a["opening"] + sum((x[0] for x in b), Decimal(0)) == a["closing"])
        out.append(r)
    res = {"accounts": out}
    if problems:
        res["unparsed_61"] = problems
    return res


def crosscheck(path):
    import mt940
    try:
        t = mt940.parse(path)
    except Exception as e:  # noqa
        return "mt940 error: %s: %s" % (type(e).__name__, str(e)[:100])
    tot = Decimal(0)
    n = 0
    for tr in t:
        a = tr.data.get("amount")
        if a is not None:
            tot += a.amount
            n += 1
    return {"count": n, "sum": str(tot)}


if __name__ == "__main__":
    import json
    import sys
    for p in sys.argv[1:]:
        print(p, json.dumps(expect(open(p, "rb").read()), indent=1), crosscheck(p))
