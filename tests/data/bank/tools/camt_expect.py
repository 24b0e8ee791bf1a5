"""Independent camt.052/053/054 expectation calculator (plain ElementTree).

Rules (written from the ISO 20022 message definitions, not from ai-service):
  * statements: Stmt (053), Rpt (052), Ntfctn (054)
  * entry status: <Sts>BOOK</Sts> (v2-v7) or <Sts><Cd>BOOK</Cd></Sts> (v8+);
    BOOK -> booked, PDNG -> pending, INFO or anything else -> "other"
  * entry amount = Ntry/Amt, sign from Ntry/CdtDbtInd (DBIT negative);
    batch entries (NtryDtls/Btch or several TxDtls) count ONCE
  * booking date = Ntry/BookgDt/Dt or the date part of Ntry/BookgDt/DtTm
    as written (no time-zone conversion)
  * closing balance = Bal with Tp/CdOrPrtry/Cd == CLBD (053) or the last
    balance of type CLBD/ITBD/CLAV in 052 (recorded with its code)
"""
import xml.etree.ElementTree as ET
from decimal import Decimal


def strip(tag):
    return tag.split("}", 1)[1] if "}" in tag else tag


def kids(el, name):
    return [c for c in el if strip(c.tag) == name]


def kid(el, *path):
    cur = el
    for p in path:
        if cur is None:
            return None
        nxt = None
        for c in cur:
            if strip(c.tag) == p:
                nxt = c
                break
        cur = nxt
    return cur


def text(el, *path):
    e = kid(el, *path)
    return e.text.strip() if e is not None and e.text else None


def signed(amt_el, ind):
    v = Decimal(amt_el.text.strip())
    return -v if ind == "DBIT" else v


def bal_info(stmt):
    out = []
    for b in kids(stmt, "Bal"):
        code = text(b, "Tp", "CdOrPrtry", "Cd") or text(b, "Tp", "CdOrPrtry", "Prtry")
        amt = kid(b, "Amt")
        ind = text(b, "CdtDbtInd")
        d = (text(b, "Dt", "Dt") or text(b, "Dt", "DtTm") or "")[:10] or None
        out.append({"code": code, "amount": str(signed(amt, ind)),
                    "currency": amt.get("Ccy"), "date": d,
                    "cdtdbtind_present": ind is not None})
    return out


def expect(raw: bytes):
    root = ET.fromstring(raw)
    doc = root
    msg = None
    for c in doc:
        msg = c
    kind = strip(msg.tag)
    if kind.endswith("V01"):
        kind = kind[:-3]
    stname = {"BkToCstmrStmt": "Stmt", "BkToCstmrAcctRpt": "Rpt",
              "BkToCstmrDbtCdtNtfctn": "Ntfctn"}[kind]
    ns = root.tag.split("}")[0].strip("{") if "}" in root.tag else ""
    accounts = []
    for st in kids(msg, stname):
        acct = kid(st, "Acct")
        iban = text(acct, "Id", "IBAN") if acct is not None else None
        other = text(acct, "Id", "Othr", "Id") if acct is not None else None
        ccy = text(acct, "Ccy") if acct is not None else None
        booked, pending, other_sts = [], [], []
        btch = 0
        entry_ccys = set()
        for n in kids(st, "Ntry"):
            amt = kid(n, "Amt")
            ind = text(n, "CdtDbtInd")
            sts = text(n, "Sts", "Cd") or text(n, "Sts")
            v = signed(amt, ind)
            entry_ccys.add(amt.get("Ccy"))
            d = (text(n, "BookgDt", "Dt") or text(n, "BookgDt", "DtTm") or "")[:10] or None
            vd = (text(n, "ValDt", "Dt") or text(n, "ValDt", "DtTm") or "")[:10] or None
            rec = (v, d, vd, ind, text(n, "RvslInd"))
            if kid(n, "NtryDtls", "Btch") is not None or len(
                    [t for nd in kids(n, "NtryDtls") for t in kids(nd, "TxDtls")]) > 1:
                btch += 1
            if sts == "BOOK":
                booked.append(rec)
            elif sts == "PDNG":
                pending.append(rec)
            else:
                other_sts.append((sts,) + rec)
        bdates = [r[1] for r in booked if r[1]]
        a = {
            "statement_id": text(st, "Id"),
            "account": iban or other,
            "account_scheme": "IBAN" if iban else ("Othr" if other else None),
            "currency": ccy or (sorted(entry_ccys)[0] if len(entry_ccys) == 1 else None),
            "currency_source": "Acct/Ccy" if ccy else "entry Amt/@Ccy",
            "booked_count": len(booked),
            "pending_count": len(pending),
            "booked_sum": str(sum((r[0] for r in booked), Decimal(0))),
            "pending_sum": str(sum((r[0] for r in pending), Decimal(0))),
            "first_booking_date": min(bdates) if bdates else None,
            "last_booking_date": max(bdates) if bdates else None,
            "batch_entries": btch,
            "balances": bal_info(st),
        }
        if len(bdates) != len(booked):
            a["booked_without_booking_date"] = len(booked) - len(bdates)
        if other_sts:
            a["other_status_entries"] = {
                "count": len(other_sts),
                "statuses": sorted(set(str(o[0]) for o in other_sts)),
                "sum": str(sum((o[1] for o in other_sts), Decimal(0)))}
        if any(r[4] == "true" for r in booked + pending):
            a["reversal_entries"] = sum(1 for r in booked + pending if r[4] == "true")
        if len(entry_ccys) > 1:
            a["entry_currencies"] = sorted(entry_ccys)
        cl = [b for b in a["balances"] if b["code"] == "CLBD"]
        op = [b for b in a["balances"] if b["code"] in ("OPBD", "PRCD")]
        a["closing_balance"] = cl[-1]["amount"] if cl else None
        if cl and op:
            a["reconciles_OPBD_plus_booked_eq_CLBD"] = (
                Decimal(op[0]["amount"]) + Decimal(a["booked_sum"]) == Decimal(cl[-1]["amount"]))
        accounts.append(a)
    return {"message": kind, "namespace": ns, "accounts": accounts}


if __name__ == "__main__":
    import json
    import sys
    for p in sys.argv[1:]:
        print(p)
        print(json.dumps(expect(open(p, "rb").read()), indent=1))
