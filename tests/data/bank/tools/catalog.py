"""Hand-written catalogue of the corpus: where each file comes from, what it is,
and (for CSV) how to read it.  Every CSV spec was written after reading the file.
"""

LIC = {
    "jseutter/ofxparse": "MIT",
    "csingley/ofxtools": "GPL-3.0-or-later",
    "egh/ledger-autosync": "GPL-3.0-only",
    "jbms/beancount-import": "GPL-2.0-only",
    "beancount/beangulp": "GPL-2.0-only",
    "redstreet/beancount_reds_importers": "GPL-3.0-only",
    "OCA/bank-statement-import": "AGPL-3.0-only",
    "genkgo/camt": "MIT",
    "kedder/ofxstatement-iso20022": "GPL-3.0-only",
    "zoltansebestyen/ofxstatement-unicredithu": "GPL-3.0-only",
    "Subite-eu/camt-to-coda": "MIT",
    "WoLpH/mt940": "BSD-3-Clause",
    "WoLpH/mt940:betterplace": "Apache-2.0",
    "WoLpH/mt940:cmxl": "MIT",
    "WoLpH/mt940:jejik": "MIT",
    "zilverline/mt940": "MIT",
    "sandermarechal/jejik-mt940": "MIT",
    "fruitl00p/php-mt940": "MIT",
    "gpaulissen/ofxstatement-mt940": "GPL-3.0-only",
    "gpaulissen/ofxstatement-dutch": "GPL-3.0-only",
    "gpaulissen/ofxstatement-french": "GPL-3.0-only",
    "isaacharrisholt/quiffen": "MIT",
    "Gnucash/gnucash": "GPL-2.0-or-later",
    "bank2ynab/bank2ynab": "MIT",
    "reubano/csv2ofx": "MIT",
    "simonmichael/hledger": "GPL-3.0-or-later",
    "nblock/ofxstatement-austrian": "GPL-3.0-only",
    "fabolhak/ofxstatement-de-ing": "GPL-3.0-only",
    "omarkohl/ofxstatement-sparkasse-freiburg": "MIT",
    "Holzhaus/ofxstatement-spardabank": "GPL-3.0-only",
    "kedder/ofxstatement-lithuanian": "GPL-3.0-only",
    "kedder/ofxstatement-transferwise": "GPL-3.0-or-later",
    "mlaitinen/ofxstatement-revolut": "GPL-3.0-only",
    "lorenzogiudici5/ofxstatement-bancoposta": "GPL-3.0-only",
    "supernelis/ofxstatement-be-fintro": "GPL-3.0-only",
    "rsi2m/ofxstatement-ee-swedbank": "GPL-3.0-only",
    "Metasaura/ofxstatement-lloyds": "MIT",
    "mooredan/ofxstatement-fidelity": "GPL-3.0-only",
}
# repositories whose licence is only declared in setup.py / pyproject (no LICENSE file)
LIC_DECLARED_ONLY = {
    "kedder/ofxstatement-iso20022", "zoltansebestyen/ofxstatement-unicredithu",
    "gpaulissen/ofxstatement-mt940", "gpaulissen/ofxstatement-dutch",
    "gpaulissen/ofxstatement-french", "fabolhak/ofxstatement-de-ing",
    "Holzhaus/ofxstatement-spardabank", "kedder/ofxstatement-lithuanian",
    "kedder/ofxstatement-transferwise", "lorenzogiudici5/ofxstatement-bancoposta",
    "supernelis/ofxstatement-be-fintro", "rsi2m/ofxstatement-ee-swedbank",
    "Metasaura/ofxstatement-lloyds",
}

E = []


def add(fmt, repo, path, bank, country, notes, **kw):
    d = dict(format=fmt, repo=repo, path=path, bank=bank, country=country, notes=notes)
    d.update(kw)
    E.append(d)


# ----------------------------------------------------------------------------- OFX / QFX
P = "tests/fixtures/"
add("ofx", "jseutter/ofxparse", P + "anzcc.ofx", "ANZ (credit card)", "AU",
    "OFX 2.0.3 XML, CCSTMTRS, one purchase; negative = purchase.")
add("ofx", "jseutter/ofxparse", P + "bank_medium.ofx", "unnamed Canadian bank", "CA",
    "OFX 1.0.2 SGML without closing tags; DTPOSTED with time and [-5:EST]; CAD.")
add("ofx", "jseutter/ofxparse", P + "checking.ofx", "unnamed US bank (checking)", "US",
    "OFX 1.0.2 SGML; also used by ledger-autosync and beancount-import (identical bytes).")
add("ofx", "jseutter/ofxparse", P + "fidelity-savings.ofx", "Fidelity", "US",
    "INVSTMTRS with only INVBANKTRAN cash lines (4); amounts with 4 decimals (-1778.3952 total).")
add("ofx", "jseutter/ofxparse", P + "fidelity.ofx", "Fidelity", "US",
    "INVSTMTRS: 3 INVBANKTRAN cash lines + 14 security transactions (buys/reinvest/income).")
add("ofx", "jseutter/ofxparse", P + "investment_401k.ofx", "unnamed 401k provider", "US",
    "INVSTMTRS 401k: only security transactions (BUYMF/... with INV401KSOURCE), no cash lines.")
add("ofx", "jseutter/ofxparse", P + "investment_medium.ofx", "unnamed Canadian broker", "CA",
    "INVSTMTRS, CAD, cash lines posted 20091215202000.000[-4:EST]: 20:20 local = 00:20 UTC next day "
    "(a reader that converts to UTC shifts the date to 2009-12-16; the date as written is 2009-12-15).")
add("ofx", "jseutter/ofxparse", P + "multiple_accounts2.ofx", "unnamed US bank", "US",
    "OFX 2.1.1 XML with two STMTRS (accounts 9100 and 9200), no transactions, ledger balances 111 and 222. "
    "Identical bytes to multiple_accounts.ofx in the same repo and to beancount-import's copy.")
add("ofx", "jseutter/ofxparse", P + "ofx-v102-empty-tags.ofx", "unnamed bank", "unknown",
    "OFX 1.0.2 with empty tags: <CURDEF> is empty (no currency) and LEDGERBAL/BALAMT missing; "
    "ofxparse 0.21 crashes (IndexError). An importer must not invent a currency.",
    refuse_ok=True)
add("ofx", "jseutter/ofxparse", P + "suncorp.ofx", "Suncorp", "AU",
    "OFX 2.0 XML, AUD, one transaction.")
add("ofx", "jseutter/ofxparse", P + "td_ameritrade.ofx", "TD Ameritrade", "US",
    "INVSTMTRS with positions only: no transactions at all.")
add("ofx", "jseutter/ofxparse", P + "tiaacref.ofx", "TIAA-CREF", "US",
    "INVSTMTRS, one security transaction, no cash lines; account id contains spaces.")
add("ofx", "jseutter/ofxparse", P + "vanguard.ofx", "Vanguard", "US",
    "INVSTMTRS, one security transaction, no cash lines.")
add("ofx", "jseutter/ofxparse", P + "vanguard401k.ofx", "Vanguard (401k)", "US",
    "INVSTMTRS 401k, 5 security transactions, no cash lines.")
add("ofx", "jseutter/ofxparse", P + "fail_nice/empty_balance.ofx", "unnamed Canadian bank", "CA",
    "LEDGERBAL/BALAMT is blank (' ') and AVAILBAL/BALAMT empty; TRNAMT '120' is an integer; "
    "no OFX header block at all (file starts with <OFX>). Expected: 1 transaction and NO closing balance "
    "(never a 0 balance).", refuse_ok=True)
add("ofx", "jseutter/ofxparse", P + "fail_nice/decimal_error.ofx", "unnamed Canadian bank", "CA",
    "TRNAMT is '$120' (currency sign in the amount). Must be refused (or the row rejected) - never read as 120 or 0.",
    must_refuse=True)
add("ofx", "jseutter/ofxparse", P + "fail_nice/date_missing.ofx", "unnamed bank", "unknown",
    "One STMTTRN has no DTPOSTED and another DTPOSTED is 20120231 (31 February). Must be refused clearly.",
    must_refuse=True)
add("ofx", "jseutter/ofxparse", P + "signon_fail.ofx", "unnamed bank", "unknown",
    "Signon failure response (STATUS CODE 15500, no statement). Must be refused clearly, not imported as an empty statement.",
    must_refuse=True)
add("ofx", "jseutter/ofxparse", P + "error_message.ofx", "unnamed bank", "unknown",
    "Statement response carrying an error (STATUS CODE 2000 with message) and no STMTRS. Must be refused clearly.",
    must_refuse=True)
add("ofx", "jseutter/ofxparse", P + "account_listing_aggregation.ofx", "unnamed bank", "unknown",
    "Account-information (ACCTINFORS) response listing 3 accounts, no statement. Not a statement: refuse or import nothing.",
    must_refuse=True)
T = "tests/data/"
add("ofx", "csingley/ofxtools", T + "br_nubank_cc.ofx", "Nubank (credit card)", "BR",
    "OFX 1.0.2 SGML, BRL credit card, DTPOSTED ...000000[-3:GMT], account id is a UUID-like string.")
add("ofx", "csingley/ofxtools", T + "invstmtrs.ofx", "spec example (OFX 2.0 investment)", "US",
    "OFX 2.0 XML INVSTMTRS: one INVBANKTRAN (+1000.00) and one security transaction. Derived from the OFX spec example.")
add("ofx", "csingley/ofxtools", T + "stmtrs.ofx", "spec example (OFX 2.0 bank)", "US",
    "OFX 2.0 XML bank statement from the OFX spec example; DTPOSTED without time zone.")
L = "fixtures/"
add("ofx", "egh/ledger-autosync", L + "accented_characters_latin1.ofx", "unnamed US bank", "US",
    "Header says CHARSET:1252 and the payee contains a byte >0x7F (latin-1/cp1252 accented character). "
    "Decoding as UTF-8 fails or mangles the payee; amounts unaffected.")
add("ofx", "egh/ledger-autosync", L + "comments.ofx", "unnamed US bank", "US",
    "SGML with comment lines inside the body; 2 transactions.")
add("ofx", "egh/ledger-autosync", L + "fidelity_fee.ofx", "Fidelity", "US",
    "INVSTMTRS with 3 INVBANKTRAN and 2 security transactions incl. fees/commission.")
add("ofx", "egh/ledger-autosync", L + "no-institution.ofx", "unnamed US bank", "US",
    "SIGNON without <FI> block (no institution).")
add("ofx", "egh/ledger-autosync", L + "income.ofx", "unnamed broker", "US",
    "INVSTMTRS with only one INCOME (dividend) security transaction; no INVBANKTRAN.")
add("ofx", "egh/ledger-autosync", L + "cusip.ofx", "unnamed broker", "US",
    "INVSTMTRS with 2 security transactions identified by CUSIP; no cash lines.")
B = "testdata/source/ofx/"
add("ofx", "jbms/beancount-import", B + "amex.ofx", "American Express", "US",
    "No OFX header block at all (file starts with <OFX>), SGML whose closing tags were re-nested by a pretty-printer "
    "(</CODE> after <SEVERITY> etc.): a strict SGML/XML reader mis-nests; CCSTMTRS with 3 charges.")
add("ofx", "jbms/beancount-import", B + "checking-emptyledgerbal.ofx", "unnamed US bank", "US",
    "LEDGERBAL present but BALAMT empty: expected closing balance null, transactions still importable.")
add("ofx", "jbms/beancount-import", B + "checking2.ofx", "Fidelity (cash management)", "US",
    "INVSTMTRS whose 13 transactions are all INVBANKTRAN (checking-like account inside an investment statement).")
add("ofx", "jbms/beancount-import", B + "fidelity-ira.ofx", "Fidelity (IRA)", "US",
    "OFX 2.2 XML INVSTMTRS, 10 security transactions, no cash lines.")
add("ofx", "jbms/beancount-import", B + "fidelity_treasury.ofx", "Fidelity", "US",
    "OFX 2.2 INVSTMTRS, treasury purchase/redemption + one INVBANKTRAN of +1111.0000.")
add("ofx", "jbms/beancount-import", B + "investment_buy_sell_income.ofx", "unnamed broker", "US",
    "INVSTMTRS: 19 security transactions and 1 INVBANKTRAN; DTPOSTED 070000.000[-4:EDT].")
add("ofx", "jbms/beancount-import", B + "vanguard_roth_ira.ofx", "Vanguard (Roth IRA)", "US",
    "INVSTMTRS, 1 security transaction.")
add("ofx", "jbms/beancount-import", B + "vanguard_xfer_in.ofx", "Vanguard", "US",
    "OFX 2.0.2 INVSTMTRS, 2 TRANSFER security transactions.")
G = "beangulp/file_type_testdata/"
add("ofx", "beancount/beangulp", G + "example.qbo", "unnamed Canadian bank (QuickBooks .qbo)", "CA",
    "QBO = OFX 1.0.2 with Intuit extensions; THREE accounts in one file: two STMTRS (bank) and one CCSTMTRS; CAD; "
    "contains non-ASCII bytes.", format_override="qbo")
add("ofx", "beancount/beangulp", G + "example.qfx", "unnamed US broker", "US",
    "QFX INVSTMTRS with 18 security transactions and no cash lines.", format_override="qfx")
add("ofx", "beancount/beangulp", "examples/documents/Liabilities/US/CreditCard/2013-12-03.bofa.ofx",
    "Bank of America / AmEx style credit card", "US",
    "OFX 1.0.2 CCSTMTRS, 27 transactions, DTPOSTED 000000.000[-7:MST]; negative = charge.")
add("ofx", "beancount/beangulp", G + "example.ofx", "unnamed credit card issuer", "US",
    "OFX 1.0.2 CCSTMTRS, 17 transactions, [-7:MST].")
R = "beancount_reds_importers/"
add("qfx", "redstreet/beancount_reds_importers", R + "importers/capitalonebank/tests/360Checking.qfx",
    "Capital One 360", "US", "OFX 2.0.2 XML checking, 4 transactions.")
add("qfx", "redstreet/beancount_reds_importers", R + "importers/ally/tests/transactions.qfx", "Ally Bank", "US",
    "QFX without the OFX header block; 2 transactions.")
add("qfx", "redstreet/beancount_reds_importers", R + "importers/etrade/tests/etrade_09092023.QFX", "E*TRADE", "US",
    "QFX INVSTMTRS, 4 security transactions, no cash lines; upper-case .QFX extension.")
add("qfx", "redstreet/beancount_reds_importers", R + "importers/vanguard/tests/OfxDownload-401k.qfx", "Vanguard (401k)", "US",
    "QFX INVSTMTRS 401k, 5 security transactions.")
F = "tests/samples/"
add("ofx", "gpaulissen/ofxstatement-french", F + "BPACA_OP_20220828.ofx", "Banque Populaire Auvergne Rhone Alpes", "FR",
    "OFX 1.0.2 with TWO STMTRS carrying the SAME anonymised ACCTID (99999999999): account + savings; "
    "second statement has no transactions. An importer keyed on ACCTID merges them wrongly.")
add("ofx", "gpaulissen/ofxstatement-french", F + "BPACA_OP_20220717.ofx", "Banque Populaire Auvergne Rhone Alpes", "FR",
    "Two STMTRS with the same anonymised ACCTID; 61 + 2 transactions; second statement's 2 lines sum to 0.00.")
add("ofx", "gpaulissen/ofxstatement-french", F + "46297554894_02092025_04102025.ofx", "Banque Populaire (empty export)", "FR",
    "Statement with empty ACCTID, no transactions and an empty LEDGERBAL/BALAMT: nothing to import, balance unknown.",
    refuse_ok=True)
add("ofx", "OCA/bank-statement-import", "account_statement_import_ofx/tests/test_ofx_file/test_ofx.ofx",
    "unnamed US bank (Odoo test file)", "US",
    "OFX 2.1.1: one bank STMTRS (4 transactions all on 2013-08-24) AND one CCSTMTRS (no transactions, balance -562.00) in one file.")
add("ofx", "OCA/bank-statement-import", "account_statement_import_ofx/tests/test_ofx_file/test_ofx_wrong.ofx",
    "unnamed US bank (Odoo test file)", "US",
    "Same as test_ofx.ofx but one STMTTRN has a non-numeric TRNAMT; Odoo's test expects an error. Must be refused.",
    must_refuse=True)

# ----------------------------------------------------------------------------- camt
C = "test/data/"
add("camt052", "genkgo/camt", C + "camt052.v1.xml", "ISO 20022 sample (SEK, Swedish bank example)", "SE",
    "camt.052.001.01 (root element BkToCstmrAcctRptV01), one batch entry of 200000 SEK DBIT; no balances.")
add("camt052", "genkgo/camt", C + "camt052.v2.xml", "ISO 20022 sample", "CH",
    "camt.052.001.02, one BOOK batch entry (DBIT 200000 SEK), account CH28..., no balances.")
add("camt052", "genkgo/camt", C + "camt052.v4.xml", "ISO 20022 sample", "CH",
    "camt.052.001.04 with the only entry in status PDNG (pending): booked count 0, pending 1.")
add("camt052", "genkgo/camt", C + "camt052.v6.xml", "ISO 20022 sample", "CH",
    "camt.052.001.06, single PDNG entry; balance ITBD only.")
add("camt052", "genkgo/camt", C + "camt052.v8.xml", "ISO 20022 sample", "CH",
    "camt.052.001.08, <Sts><Cd>BOOK</Cd></Sts> form, batch entry.")
add("camt053", "genkgo/camt", C + "camt053.v2.minimal.xml", "ISO 20022 sample (NL)", "NL",
    "camt.053.001.02 minimal; OPBD/CLBD do not reconcile with the single entry (test file).")
add("camt053", "genkgo/camt", C + "camt053.v2.multi.statement.xml", "ISO 20022 sample (NL)", "NL",
    "Two Stmt blocks for the same IBAN in one message; each reconciles OPBD+entries=CLBD.")
add("camt053", "genkgo/camt", C + "camt053.v2.five.decimals.xml", "ISO 20022 sample (NL)", "NL",
    "Amounts with 3 decimals (8.850, 27.050) - a reader that rounds to 2 dp or rejects >2 dp misreads.")
add("camt053", "genkgo/camt", C + "camt053.v2.all-balance-types.xml", "ISO 20022 sample (CH)", "CH",
    "Every balance type (OPBD PRCD OPAV CLBD CLAV FWAV INFO ITAV ITBD XPCD); closing = CLBD only. One BOOK entry and one "
    "balance typed INFO.")
add("camt053", "genkgo/camt", C + "camt053.v3.xml", "ISO 20022 sample (NL)", "NL", "camt.053.001.03.")
add("camt053", "genkgo/camt", C + "camt053.v4.xml", "ISO 20022 sample (NL)", "NL", "camt.053.001.04.")
add("camt053", "genkgo/camt", C + "camt053.v8.xml", "ISO 20022 sample (NL)", "NL",
    "camt.053.001.08: status as <Sts><Cd>BOOK</Cd></Sts>.")
add("camt053", "genkgo/camt", C + "camt053.v2.wrong.xml", "broken sample", "unknown",
    "Document without a statement (invalid message). Must be refused clearly.", must_refuse=True)
add("camt054", "genkgo/camt", C + "camt054.v2.xml", "ISO 20022 sample", "CH", "camt.054.001.02 notification, batch entry.")
add("camt054", "genkgo/camt", C + "camt054.v4.xml", "ISO 20022 sample", "CH", "camt.054.001.04 notification, batch entry.")
add("camt054", "genkgo/camt", C + "camt054.v8.xml", "ISO 20022 sample", "CH", "camt.054.001.08 notification, batch entry.")
add("camt054", "genkgo/camt", C + "camt054.v8-with-UETR.xml", "ISO 20022 sample", "CH",
    "camt.054.001.08 entry WITHOUT booking date (BookgDt absent): booked count 1 but no booking date.")
K = "tests/samples/"
add("camt052", "kedder/ofxstatement-iso20022", K + "camt052.xml", "German bank (anonymised, DE00...)", "DE",
    "camt.052.001.02 intraday report with 5 BOOK entries; balances PRCD and CLBD reconcile.")
add("camt053", "kedder/ofxstatement-iso20022", K + "camt053.xml", "PostFinance-style CH statement", "CH",
    "camt.053.001.08, account id in Othr (0035-2915203-10-000, not an IBAN), CHF.")
add("camt053", "kedder/ofxstatement-iso20022", K + "davider80.xml", "Swiss bank (anonymised IBAN CHxxx)", "CH",
    "camt.053.001.04; BookgDt/Dt values carry a time-zone suffix ('2017-04-01+02:00') - a strict date parser fails.")
add("camt053", "kedder/ofxstatement-iso20022", K + "gcamp6.xml", "PostFinance (CH)", "CH",
    "All amounts in currency 'XXX' (no currency) and balances do not reconcile with entries; a careful importer refuses "
    "or keeps XXX - it must not assume CHF.", refuse_ok=True)
add("camt053", "kedder/ofxstatement-iso20022", K + "simple.xml", "Lithuanian bank (anonymised)", "LT",
    "camt.053.001.02, 4 entries, reconciles.")
U = "src/ofxstatement/tests/"
add("camt053", "zoltansebestyen/ofxstatement-unicredithu", U + "STATEMENT_12345678_20171130.xml", "UniCredit Bank Hungary", "HU",
    "TWO statements (two HUF accounts) in one camt.053.001.02 message; account ids in Othr (BBAN, not IBAN); "
    "the OPBD and CLBD in this anonymised test file do not reconcile with the entries.",
    cross_check_ofx="src/ofxstatement/tests/STATEMENT_12345678_20171130.ofx")
O = "account_statement_import_camt/test_files/"
add("camt053", "OCA/bank-statement-import", O + "test-camt053", "ABN AMRO (Odoo test file)", "NL",
    "No file extension. Batch entry (664.05 split into 2 TxDtls) with RvslInd=true and CdtDbtInd DBIT: the entry "
    "amount counts once, signed by CdtDbtInd. OPBD/CLBD do not reconcile (test file).")
add("camt053", "OCA/bank-statement-import", O + "test-camt053-txdtls", "Swiss bank (Odoo test file)", "CH",
    "camt.053.001.04, batch entry with several TxDtls; entry amount counts once; reconciles.")
add("camt054", "OCA/bank-statement-import", O + "test-camt054", "ABN AMRO (Odoo test file)", "NL",
    "camt.054.001.04, one batch entry.")
S = "example-files/CAMT/"
add("camt053", "Subite-eu/camt-to-coda", S + "Other/account_statement.xml", "Belgian bank (anonymised real export)", "BE",
    "Three BOOK entries that sum to 0.00 on one day, opening and closing 0.")
add("camt053", "Subite-eu/camt-to-coda", S + "Other/BE68793230773034-202411.xml", "Belgian bank (anonymised real export)", "BE",
    "Large real month statement: 268 BOOK entries, reconciles OPBD+entries=CLBD.")
add("camt052", "Subite-eu/camt-to-coda", S + "LT809872649478701594/CAMT_052/2024-11-12.xml",
    "Lithuanian bank (anonymised real export)", "LT",
    "camt.052.001.06 intraday report where EVERY entry has status INFO: booked 0 and pending 0 "
    "(an importer that ignores Sts imports them as booked).")
add("camt054", "Subite-eu/camt-to-coda", S + "LT809872649478701594/CAMT_054/2024-11-12.xml",
    "Lithuanian bank (anonymised real export)", "LT",
    "camt.054.001.10 notification, entries with status INFO only (informational, not booked).")
add("camt053", "Subite-eu/camt-to-coda", S + "LT625883379695428516/CAMT_053/2024-03-12.xml",
    "Lithuanian central-bank style account (anonymised)", "LT",
    "camt.053.001.08 with entries that have NO Sts and NO BookgDt (schema-invalid after anonymisation), account in Othr, "
    "two accounts; every entry is a batch. Status is missing: must be refused or treated explicitly - the expected "
    "section lists them under other_status_entries. If the 11 status-less entries of the first account are taken as "
    "booked they sum to -4637678.51 and OPBD 29194819.2 + that = CLBD 24557140.69 exactly, so the data is "
    "internally consistent.", refuse_ok=True)

# ----------------------------------------------------------------------------- MT940
W = "mt940_tests/"
add("mt940", "WoLpH/mt940", W + "ASNB/0708271685_09022020_164516.940.txt", "ASN Bank", "NL",
    "31 statements for one account; counterparty name on the line after :61: - the mt-940 package (5.1.1) fails "
    "to parse it; reconciles.")
add("mt940", "WoLpH/mt940", W + "betterplace/sepa_mt9401.sta", "German bank (betterplace sample)", "DE",
    "20 accounts / 27 statements in one file, all reconcile per account. mt-940 5.1.1 sums to -9268316.38, the "
    "balance-reconciled sum is -9269135.90.", licence_key="WoLpH/mt940:betterplace")
add("mt940", "WoLpH/mt940", W + "cmxl/mt940.sta", "three banks (cmxl sample)", "DE/PL",
    "Three accounts in DEM, EUR and PLN in one file.", licence_key="WoLpH/mt940:cmxl")
add("mt940", "WoLpH/mt940", W + "jejik/abnamro.sta", "ABN AMRO", "NL", "2 statements, 10 lines.",
    licence_key="WoLpH/mt940:jejik")
add("mt940", "WoLpH/mt940", W + "mBank/mt940.sta", "mBank", "PL", "PLN, IBAN in :25:, reconciles.")
add("mt940", "WoLpH/mt940", W + "mBank/mt942.sta", "mBank", "PL",
    "MT942 interim report (no :62F: closing balance). Lines of an MT942 are intraday; the expected values count them as "
    "booked as written - an importer may instead refuse MT942.", refuse_ok=True)
add("mt940", "WoLpH/mt940", W + "sberbank/171011_01234945.sta", "Sberbank Hungary", "HU", "HUF, reconciles.")
add("mt940", "WoLpH/mt940", W + "self-provided/raiffeisen-cmi.sta", "Raiffeisen Bank Hungary (CMI)", "HU", "HUF, 7 lines.")
add("mt940", "WoLpH/mt940", W + "self-provided/february_30.sta", "German bank", "DE",
    "Statement header date is 30 February (invalid) while the :61: line is valid.", refuse_ok=True)
J = "tests/Jejik/Tests/MT940/Fixture/document/"
add("mt940", "sandermarechal/jejik-mt940", J + "commerzbank.txt", "Commerzbank", "DE", "one line, closing 0.00 (test file).")
add("mt940", "sandermarechal/jejik-mt940", J + "deutschebank.txt", "Deutsche Bank", "DE", "one line.")
add("mt940", "sandermarechal/jejik-mt940", J + "lbbw.txt", "LBBW", "DE", "two lines of opposite sign.")
add("mt940", "sandermarechal/jejik-mt940", J + "sparkasse.txt", "Sparkasse", "DE", "2 statements, reconciles.")
add("mt940", "sandermarechal/jejik-mt940", J + "sparkasse2.txt", "Sparkasse", "DE",
    "Mark 'RD' (reversal of debit = money in) followed by funds code 'R': +1027.25.")
add("mt940", "sandermarechal/jejik-mt940", J + "sparkasse3.txt", "Sparkasse", "DE",
    "Mark 'RC' (reversal of credit = money OUT per SWIFT) + funds code R. mt-940 5.1.1 reads +1027.25; by the SWIFT "
    "mark it is -1027.25. Neither reconciles with the balances of this edited test file - ambiguous, see expected_method.")
add("mt940", "sandermarechal/jejik-mt940", J + "volksbankenraiffeisenbanken.txt", "Volksbanken Raiffeisenbanken", "DE",
    "8 statements, reconciles.")
add("mt940", "sandermarechal/jejik-mt940", J + "postfinance.txt", "PostFinance", "CH", "CHF, 2 statements.")
add("mt940", "sandermarechal/jejik-mt940", J + "oldenburgischelandesbank2.txt", "Oldenburgische Landesbank", "DE",
    "Starts with a non-SWIFT header; mt-940 5.1.1 fails on it; no closing balance.")
Q = "test/Parser/Banking/Mt940/Engine/"
add("mt940", "fruitl00p/php-mt940", Q + "Bunq/sample", "bunq", "NL", "111 lines, reconciles; no file extension.")
add("mt940", "fruitl00p/php-mt940", Q + "Hsbc/sample", "HSBC", "HK", "HKD.")
add("mt940", "fruitl00p/php-mt940", Q + "Kbs/sample2", "Komercijalna banka Skopje", "MK", "MKD, reconciles.")
add("mt940", "fruitl00p/php-mt940", Q + "Penta/sample", "Penta", "DE", "30 lines, reconciles.")
add("mt940", "fruitl00p/php-mt940", Q + "Kontist/sample", "Kontist", "DE", "reconciles.")
add("mt940", "fruitl00p/php-mt940", Q + "Knab/sample", "Knab", "NL",
    "Lines spread over Dec 2015 - Apr 2016 in one statement; entry dates cross a year boundary.")
add("mt940", "fruitl00p/php-mt940", Q + "Abn/sample", "ABN AMRO", "NL", "two accounts, 4 statements, reconciles.")
add("mt940", "fruitl00p/php-mt940", Q + "Triodos/sample", "Triodos", "NL", "two accounts.")
add("mt940", "fruitl00p/php-mt940", Q + "Zetb/sample", "Zenith Bank", "NG",
    "NGN; mt-940 5.1.1 fails to parse; reconciles with the regex reading.")
add("mt940", "fruitl00p/php-mt940", Q + "Spk/sample", "Sparkasse", "DE", "4 statements, reconciles.")
Z = "spec/fixtures/"
add("mt940", "zilverline/mt940", Z + "rabobank.txt", "Rabobank", "NL", "23 statements for one account.")
add("mt940", "zilverline/mt940", Z + "rabobank_mt940_structured.txt", "Rabobank (structured)", "NL", "reconciles.")
add("mt940", "zilverline/mt940", Z + "sns/sns.txt", "SNS Bank", "NL",
    "16 statements; counterparty on the continuation line, mt-940 5.1.1 fails to parse.")
add("mt940", "zilverline/mt940", Z + "two_accounts.txt", "Rabobank", "NL", "four accounts in one file (two empty).")
add("mt940", "zilverline/mt940", Z + "van_lanschot/van_lanschot.txt", "Van Lanschot", "NL", "3 statements, reconciles.")
add("mt940", "zilverline/mt940", Z + "knab/knab_date_and_accounting_date_different_year.txt", "Knab", "NL",
    "Value date 2013-12-29 and entry date in another year across New Year.")
add("mt940", "zilverline/mt940", Z + "ing/mt940_iban.txt", "ING", "NL", "21 lines, reconciles.")
add("mt940", "zilverline/mt940", Z + "deutsche_bank.txt", "Deutsche Bank", "DE", "two lines.")
add("mt940", "zilverline/mt940", Z + "triodos_iban_2.txt", "Triodos", "NL", "4 lines, reconciles.")
add("mt940", "zilverline/mt940", Z + "rabobank_with_debet_previous_balance.txt", "Rabobank", "NL",
    "No lines, debit (negative) opening and closing balance -12.00.")
add("mt940", "gpaulissen/ofxstatement-mt940", "tests/samples/mt940_ASN.txt", "ASN Bank", "NL",
    "31 statements; continuation-line counterparty (mt-940 5.1.1 fails).")

# ----------------------------------------------------------------------------- QIF
add("qif", "isaacharrisholt/quiffen", "tests/test_files/test.qif", "Quicken sample (Wikipedia-derived)", "US",
    "Bank section with splits (S/E/$ lines must not be added) plus an Invst section, classes and categories; "
    "dates like 2/14'2020.", date_order="MDY")
add("qif", "isaacharrisholt/quiffen", "tests/test_files/test_oth_a.qif", "Quicken sample (Wikipedia-derived)", "US",
    "Same data in an 'Oth A' (other asset) section.", date_order="MDY")
add("qif", "OCA/bank-statement-import", "account_statement_import_qif/tests/test_qif.qif", "Odoo test file", "US",
    "Amounts with thousands separator 'T-1,000.00'; US dates M/D/YY; transactions not in date order.", date_order="MDY")
add("qif", "Gnucash/gnucash", "doc/examples/cbb-export.qif", "CBB (Checkbook) export", "US",
    "Split transactions; dates M/D/YY out of order.", date_order="MDY", via_index=True,
    commit="8d12d84302e05396d354506fde3c872baa02e7d4")
add("qif", "Gnucash/gnucash", "doc/examples/web.qif", "US credit union web export", "US",
    "Broken D lines: date run into the payee ('D03/25/099Share Withdrawal', 3-digit year 099). Must be refused or the "
    "dates flagged - never guessed.", date_order="MDY", via_index=True, refuse_ok=True,
    commit="8d12d84302e05396d354506fde3c872baa02e7d4")

# ----------------------------------------------------------------------------- CSV


def nonempty_col(i):
    return lambda h, r: None if (len(r) > i and r[i].strip()) else "row without value in column %d" % i


def csvf(repo, path, bank, country, notes, spec, **kw):
    add("csv", repo, path, bank, country, notes, spec=spec, **kw)


BY = "test/test-data/"
csvf("bank2ynab/bank2ynab", BY + "20171001-20171106.csv", "N26 (German export)", "DE",
     "German headers, ISO dates, decimal point; 'Betrag (EUR)' signed; foreign-currency columns present.",
     dict(enc="utf-8", delim=",", date="Datum", date_fmt="%Y-%m-%d", amount="Betrag (EUR)", currency_fixed="EUR"))
csvf("bank2ynab/bank2ynab", BY + "2018-04-14_10-52-13_bunq-transactieoverzicht.csv", "bunq (Dutch export)", "NL",
     "Dutch headers, comma delimiter with quoted decimal-comma amounts ('-2,56').",
     dict(enc="utf-8", delim=",", date="Datum", date_fmt="%Y-%m-%d", amount="Bedrag", decimal=",",
          account="Rekening", currency_fixed="EUR"))
csvf("bank2ynab/bank2ynab", BY + "2019-03-02_11-50-46_bunq-statement.csv", "bunq (English export)", "NL",
     "English headers but decimal comma; refunds of card payments; rows not in date order.",
     dict(enc="utf-8", delim=",", date="Date", date_fmt="%Y-%m-%d", amount="Amount", decimal=",",
          account="Account", currency_fixed="EUR"))
csvf("bank2ynab/bank2ynab", BY + "20180226-1000594757-umsatz.CSV", "Ostseesparkasse Rostock (Sparkasse CSV-CAMT)", "DE",
     "Sparkasse format: ';', 2-digit years (22.02.18), decimal comma, 'Info' column = 'Umsatz gebucht'.",
     dict(enc="cp1252", delim=";", date="Buchungstag", date_fmt="%d.%m.%y", amount="Betrag", decimal=",",
          currency="Waehrung", account="Auftragskonto", status="Info", pending_values=["Umsatz vorgemerkt"]))
csvf("bank2ynab/bank2ynab", BY + "20180226_12345678.csv", "first direct", "GB",
     "UK day-first date 10/02/2018 (= 10 Feb; bank2ynab's config says the date format is unknown); one row; balance column.",
     dict(enc="utf-8", delim=",", date="Date", date_fmt="%d/%m/%Y", amount="Amount", balance="Balance",
          currency_fixed="GBP"), ambiguous="date order: only one row, day 10 month 02 - DD/MM assumed (UK bank)")
csvf("bank2ynab/bank2ynab", BY + "CSV_A_20180414_112204.csv", "Rabobank", "NL",
     "Rabobank 2018 CSV: latin-1, lines end in CR CR LF, amounts with explicit '+' and decimal comma ('+50,00'), "
     "'Saldo na trn' running balance; the 2nd data row LOST its opening quote (NL77RABO0311467415\",...) - the file "
     "was damaged in the source project; account id therefore taken as the fixed IBAN.",
     dict(enc="latin-1", delim=",", date="Datum", date_fmt="%Y-%m-%d", amount="Bedrag", decimal=",",
          currency="Munt", account_fixed="NL77RABO0311467415", balance="Saldo na trn"))
csvf("bank2ynab/bank2ynab", BY + "MS_JANE_SMITH_01-12-2019_14-12-2019.csv", "John Lewis Partnership Card", "GB",
     "Credit card: UTF-8 BOM, purchases are POSITIVE '\u00a367.40', the payment is '+ \u00a31,100.00' flagged 'CR' in an "
     "unnamed 4th column; 3 rows have 'Pending' instead of a date; dates '12-Dec-2019'.",
     dict(enc="utf-8-sig", delim=",", date="Date Processed", date_fmt="%d-%b-%Y", amount="Amount", thousands=",",
          indicator=3, ind_map={"": -1, "CR": 1}, pending_if=lambda h, r: r[0].strip() == "Pending",
          pending_date_optional=True, currency_fixed="GBP"))
csvf("bank2ynab/bank2ynab", BY + "MonzoDataExport_February2018_2018-02-26_174335.csv", "Monzo", "GB",
     "One row, integer amount '-10', timestamp with +0000 in 'created'.",
     dict(enc="utf-8", delim=",", date="created", date_fmt="%Y-%m-%d %H:%M:%S %z", amount="amount", currency="currency"))
csvf("bank2ynab/bank2ynab", BY + "Movements_1234512345_201805271848.csv", "Raiffeisenbank (Czech)", "CZ",
     "Czech headers in cp1250, ';', decimal comma, header ends with a stray ',' ('Id transakce,'), first field unquoted, "
     "fee column 'Poplatek' (empty here).",
     dict(enc="cp1250", delim=";", date="Datum proveden\u00ed", date_fmt="%d.%m.%Y", amount="Za\u00fa\u010dtovan\u00e1 \u010d\u00e1stka",
          decimal=",", currency="M\u011bna \u00fa\u010dtu", account="\u010c\u00edslo \u00fa\u010dtu"))
csvf("bank2ynab/bank2ynab", BY + "TransactionHistory_20180418043121.csv", "DBS / POSB", "SG",
     "5-line preamble (account, Available/Ledger Balance '6,666.66'), 'Withdrawals (SGD)' / 'Deposits (SGD)' columns, "
     "every transaction followed by a continuation row with empty dates holding the rest of the description; "
     "anonymised digits (6s).",
     dict(enc="utf-8", delim=",", header_startswith="Transaction date", date="Transaction date", date_fmt="%d/%m/%Y",
          debit="Withdrawals (SGD)", credit="Deposits (SGD)", thousands=",", currency_fixed="SGD",
          skip_if=nonempty_col(0)), preamble_balance="6666.66")
csvf("bank2ynab/bank2ynab", BY + "Umsaetze_KtoNr538917600_EUR_02-03-2018_1503.CSV", "Commerzbank", "DE",
     "';', decimal comma, 'Buchungstag'/'Wertstellung', IBAN of the account in every row.",
     dict(enc="utf-8", delim=";", date="Buchungstag", date_fmt="%d.%m.%Y", amount="Betrag", decimal=",",
          currency="W\u00e4hrung", account="IBAN Auftraggeberkonto"))
csvf("bank2ynab/bank2ynab", BY + "W80844_EBH_201945.202122.csv", "Hungarian bank (partly placeholder text)", "HU",
     "Hungarian headers, dates '2019.04.19.' with trailing dot, integer HUF amounts, 'Bev\u00e9tel/Kiad\u00e1s' inflow/outflow "
     "column, balance 'Egyenleg' with decimal point; several cells contain placeholder text from the contributor.",
     dict(enc="utf-8", delim=",", date="Tranzakci\u00f3 d\u00e1tuma", date_fmt="%Y.%m.%d.", amount="Tranzakci\u00f3 \u00f6sszege",
          currency="Tranzakci\u00f3 devizaneme"))
csvf("bank2ynab/bank2ynab", BY + "dba33fceecd62c3c727893361e0ba4d3.P000000027355791.csv", "POSB savings", "SG",
     "No header; one row '27 Feb 2018,UMC-, 7.80, ,...': withdrawal in column 3 with leading space, deposit column blank.",
     dict(enc="utf-8", delim=",", header=False, date=0, date_fmt="%d %b %Y", debit=2, credit=3, currency_fixed="SGD"))
csvf("bank2ynab/bank2ynab", BY + "export_BE11123456789012_20180304_1422.csv", "KBC", "BE",
     "Dutch headers, ';', space-padded cells, decimal comma ('-3,40'), both signed 'Bedrag' and separate credit/debet.",
     dict(enc="utf-8", delim=";", date="Datum", date_fmt="%d/%m/%Y", amount="Bedrag", decimal=",", currency="Munt",
          account="Rekeningnummer", balance="Saldo"))
csvf("bank2ynab/bank2ynab", BY + "export_KBC-Mastercard Business Essential_20200204_1604.csv", "KBC (Mastercard)", "BE",
     "Credit card: purchases NEGATIVE ('-16,52'), repayment positive with empty card number; 'uitgavenstaat' "
     "(statement period) empty on the two most recent rows. File name contains spaces.",
     dict(enc="utf-8", delim=";", date="datum verrichting", date_fmt="%d/%m/%Y", amount="bedrag", decimal=",",
          currency="munt"))
csvf("bank2ynab/bank2ynab", BY + "test_BOI_TransactionExport.csv", "Bank of Ireland", "IE",
     "Debit/Credit columns with unsigned amounts; Balance only on the last row of each day (anonymised to 100); "
     "accented text.",
     dict(enc="utf-8", delim=",", date="Date", date_fmt="%d/%m/%Y", debit="Debit", credit="Credit", currency_fixed="EUR"))
csvf("bank2ynab/bank2ynab", BY + "test_raiffeisen_01.csv", "Raiffeisen (Austria, ELBA)", "AT",
     "No header, ';', decimal comma, booking date then value date, trailing empty columns. The bank2ynab developers "
     "inserted a line 'A null transaction, just to confuse things' (no date, no amount): not a transaction.",
     dict(enc="utf-8", delim=";", header=False, date=0, date_fmt="%d.%m.%Y", amount=3, decimal=",", currency=4,
          skip_if=lambda h, r: "row without date/amount (inserted by the source project)" if len(r) < 4 or not r[3].strip() else None))
csvf("bank2ynab/bank2ynab", BY + "umsatz-1234________1234-20180227.CSV", "Ostseesparkasse Rostock (credit card)", "DE",
     "Credit card CSV: latin-1, 'Buchungsbetrag' negative for purchases, 2-digit years.",
     dict(enc="latin-1", delim=";", date="Buchungsdatum", date_fmt="%d.%m.%y", amount="Buchungsbetrag", decimal=",",
          currency="Buchungsw\u00e4hrung"))
csvf("bank2ynab/bank2ynab", BY + "kta_ei.dat", "Raiffeisen (Austria, RCM .dat)", "AT",
     "Pipe-delimited .dat; first line is a record 'K|32000|244081|EUR'; amounts with decimal point ('-89.30') are "
     "in AUSTRIAN SCHILLING although the K line says EUR (bank2ynab divides by 13.7603: -89.30 ATS = -6.49 EUR, which "
     "matches 'POS 6,49' in the text). Currency is genuinely ambiguous: refuse or flag.",
     dict(enc="utf-8", delim="|", header=False, skip=1, date=2, date_fmt="%Y%m%d", amount=4, currency_fixed="EUR?"),
     refuse_ok=True, ambiguous="amounts are ATS per bank2ynab config 'Currency Conversion Factor = 13.760300331'")

csvf("fabolhak/ofxstatement-de-ing", "test/test_with_saldo_1.csv", "ING (Germany)", "DE",
     "ING-DiBa 'Umsatzanzeige': 13-line preamble (IBAN, Saldo 150,00 EUR, Sortierung 'Datum absteigend'), header "
     "has TWO 'W\u00e4hrung' columns, running 'Saldo' sometimes with one decimal ('155,5'); newest first; only booked "
     "rows (the preamble says pending rows are not exported).",
     dict(enc="latin-1", delim=";", header_startswith="Buchung;", date=0, date_fmt="%d.%m.%Y", amount=7, decimal=",",
          thousands=".", currency=8, balance=5, account_fixed="DE12 3456 7890 1234 5678 90"),
     preamble_balance="150.00")
csvf("fabolhak/ofxstatement-de-ing", "test/test_without_saldo_2.csv", "ING (Germany)", "DE",
     "Older ING-DiBa layout without the running-balance column and with a shorter preamble.",
     dict(enc="latin-1", delim=";", header_startswith="Buchung;", date=0, date_fmt="%d.%m.%Y", amount=5, decimal=",",
          thousands=".", currency=6, account_fixed="DE12 3456 7890 1234 5678 90"))
csvf("Holzhaus/ofxstatement-spardabank", "tests/umsaetze-1234567-2024-02-13-12-00-00.csv", "Sparda-Bank", "DE",
     "latin-1 preamble (account holder, period, 'Saldo' 12.345,67), thousands '.', decimal ','; rows have a 6th empty "
     "cell for a pending marker and the file ends with the footnote '* noch nicht ausgef\u00fchrte Ums\u00e4tze'.",
     dict(enc="latin-1", delim=";", header_startswith="Buchungstag", date="Buchungstag", date_fmt="%d.%m.%Y",
          amount="Umsatz", decimal=",", thousands=".", currency="W\u00e4hrung", account_fixed="1234567",
          skip_if=lambda h, r: "footer/footnote line" if len(r) < 3 else None,
          pending_if=lambda h, r: len(r) > 5 and r[5].strip() == "*"))
csvf("omarkohl/ofxstatement-sparkasse-freiburg", "tests/data/simple1.csv", "Sparkasse Freiburg (CSV-CAMT)", "DE",
     "Sparkasse CSV-CAMT: TWO different 'Auftragskonto' values in one file; first row 'Umsatz vorgemerkt' (pending), "
     "second 'Umsatz gebucht'; latin-1; 2-digit years.",
     dict(enc="latin-1", delim=";", date="Buchungstag", date_fmt="%d.%m.%y", amount="Betrag", decimal=",",
          currency="Waehrung", account="Auftragskonto", status="Info", pending_values=["Umsatz vorgemerkt"]),
     cross_check_ofx="tests/data/simple1.ofx")
csvf("omarkohl/ofxstatement-sparkasse-freiburg", "tests/data/simple2.csv", "Sparkasse Freiburg (CSV-CAMT)", "DE",
     "18 rows, mix of 'Umsatz vorgemerkt' and 'Umsatz gebucht'; quoted multi-space names.",
     dict(enc="latin-1", delim=";", date="Buchungstag", date_fmt="%d.%m.%y", amount="Betrag", decimal=",",
          currency="Waehrung", account="Auftragskonto", status="Info", pending_values=["Umsatz vorgemerkt"]),
     cross_check_ofx="tests/data/simple2.ofx")
NB = "src/ofxstatement/plugins/tests/samples/"
csvf("nblock/ofxstatement-austrian", NB + "easybank-giro.csv", "easybank (giro)", "AT",
     "No header, CRLF, latin-1, explicit '+' on credits, thousands '.' ('-1.001,00'); booking date then value date.",
     dict(enc="latin-1", delim=";", header=False, date=2, date_fmt="%d.%m.%Y", amount=4, decimal=",", thousands=".",
          currency=5, account=0))
csvf("nblock/ofxstatement-austrian", NB + "easybank-creditcard.csv", "easybank (credit card)", "AT",
     "Credit card, no header, purchases negative, '+30,99' credit; foreign amount inside the text ('GBP 22,89').",
     dict(enc="latin-1", delim=";", header=False, date=2, date_fmt="%d.%m.%Y", amount=4, decimal=",", thousands=".",
          currency=5, account=0))
csvf("nblock/ofxstatement-austrian", NB + "ing-diba.csv", "ING-DiBa Austria", "AT",
     "'Soll' (debit) and 'Haben' (credit) columns, both always filled ('0,00'), thousands '.'.",
     dict(enc="latin-1", delim=";", date="Datum", date_fmt="%d.%m.%Y", debit="Soll", credit="Haben", decimal=",",
          thousands=".", currency="W\u00e4hrung", account="Kontonummer"))
csvf("nblock/ofxstatement-austrian", NB + "livebank.csv", "Livebank (Volksbank)", "AT",
     "More data cells than header names (text split over several columns), CRLF, zero-amount notification rows "
     "('Verst\u00e4ndigung', 0,00) which are not money movements but are counted as rows by the source plugin.",
     dict(enc="latin-1", delim=";", date="Buchungsdatum", date_fmt="%Y-%m-%d", amount="Betrag", decimal=",",
          thousands=".", currency="Waehrung", account="Kontonummer"))
csvf("nblock/ofxstatement-austrian", NB + "oberbank.csv", "Oberbank", "AT",
     "';', decimal comma, payer/payee in separate columns.",
     dict(enc="latin-1", delim=";", date="Buchungsdatum", date_fmt="%d.%m.%Y", amount="Betrag", decimal=",",
          thousands=".", currency="W\u00e4hrung"))
csvf("nblock/ofxstatement-austrian", NB + "raiffeisen.csv", "Raiffeisen (Austria)", "AT",
     "No header, booking date / text / value date / amount / currency / timestamp.",
     dict(enc="latin-1", delim=";", header=False, date=0, date_fmt="%d.%m.%Y", amount=3, decimal=",", thousands=".",
          currency=4))
LT = "src/ofxstatement/plugins/tests/samples/"
csvf("kedder/ofxstatement-lithuanian", LT + "swedbank.csv", "Swedbank (Lithuania)", "LT",
     "Record-type column: 10 = opening balance, 20 = transaction, 82 = turnover, 86 = closing balance - only type 20 are "
     "transactions; two currencies (LTL and EUR) in one file; unsigned amounts with D/K indicator; a name with "
     "unescaped quotes (\"UAB \"Naktida\"\").",
     dict(enc="utf-8", delim=",", date=2, date_fmt="%Y-%m-%d", amount=5, indicator=7, ind_map={"D": -1, "K": 1},
          currency=6, account=0, skip_if=lambda h, r: None if r[1].strip() == "20" else "summary row type " + r[1]),
     source_assertions="ofxstatement-lithuanian test_swedbank.py")
csvf("kedder/ofxstatement-lithuanian", LT + "danske.csv", "Danske Bank (Lithuania)", "LT",
     "cp1257 (Baltic), quoted fields spanning several lines, dates '2012:03:01', amount '-.46' without leading zero, "
     "no currency column (account currency not stated in the file); the Address value ',Vilnius08500,LT' is quoted "
     "so data rows have 10 cells against 12 header names: the amount is the second-to-last cell, NOT the 'Amount' "
     "header position.",
     dict(enc="cp1257", delim=",", date=0, date_fmt="%Y:%m:%d", amount=-2, currency_fixed=None),
     source_assertions="ofxstatement-lithuanian test_danske.py asserts 4 lines: -7.8, 889.81, -0.46, -881.55; "
                       "start 2012-03-01, end 2012-03-07")
csvf("kedder/ofxstatement-transferwise", "tests/sample-statement.csv", "Wise (TransferWise)", "BE",
     "Fees are separate rows ('TransferWise Charges for: ...') AND repeated in a fee column of the parent row "
     "(do not subtract twice); dates DD-MM-YYYY; running balance column; newest first within a day.",
     dict(enc="utf-8", delim=",", date="Date", date_fmt="%d-%m-%Y", amount="Amount", currency="Currency"),
     ambiguous="country: Wise is a Belgian/UK EMI; account country not in the file")
csvf("mlaitinen/ofxstatement-revolut", "tests/samples/2022-january.csv", "Revolut", "LT",
     "'State' PENDING rows have no 'Completed Date' and no balance; 'Fee' column must be subtracted; a 0.00 "
     "'temporary Hold' row; booking date = Completed Date (date part).",
     dict(enc="utf-8", delim=",", date="Completed Date", date_fmt=["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"],
          amount="Amount", fee="Fee", currency="Currency", status="State", pending_values=["PENDING"],
          pending_date_optional=True, account="Product"),
     ambiguous="fee sign: Revolut fee column is positive and reduces the balance (amount - fee)")
csvf("mlaitinen/ofxstatement-revolut", "tests/samples/2021-october.csv", "Revolut", "LT",
     "Integer amounts ('-250') mixed with decimals; completed timestamps without zero-padded hours ('6:11:59').",
     dict(enc="utf-8", delim=",", date="Completed Date", date_fmt=["%Y-%m-%d %H:%M:%S"], amount="Amount", fee="Fee",
          currency="Currency", status="State", pending_values=["PENDING"], pending_date_optional=True,
          account="Product", balance="Balance"))
csvf("lorenzogiudici5/ofxstatement-bancoposta", "tests/samples/bancoposta.csv", "BancoPosta (Poste Italiane)", "IT",
     "'Addebiti' (debits, unsigned) and 'Accrediti' (credits) columns; first row is 'SALDO INIZIALE' and last "
     "'SALDO FINALE' with a stray '|' in the amount ('26.851,95|'); 2-digit years.",
     dict(enc="utf-8", delim=";", date="Data", date_fmt="%d/%m/%y", debit="Addebiti", credit="Accrediti", decimal=",",
          thousands=".", currency_fixed="EUR",
          skip_if=lambda h, r: "balance row" if "SALDO" in r[4] else None),
     closing_from_row="SALDO FINALE")
csvf("supernelis/ofxstatement-be-fintro", "src/tests/sample.csv", "Fintro (BNP Paribas Fortis)", "BE",
     "'Volgnummer' is '2017-' (sequence number stripped), execution date vs value date, decimal comma.",
     dict(enc="utf-8", delim=";", date="Uitvoeringsdatum", date_fmt="%d/%m/%Y", amount="Bedrag", decimal=",",
          thousands=".", currency="Valuta rekening", account="Rekeningnummer"))
csvf("rsi2m/ofxstatement-ee-swedbank", "tests/sample-statement.csv", "Swedbank (Estonia)", "EE",
     "No header; four IDENTICAL rows (same archive id) - a de-duplicating importer keeps 1, the file has 4; "
     "unsigned amount with D/K indicator; '20' = transaction record type.",
     dict(enc="utf-8", delim=";", header=False, date=2, date_fmt="%d.%m.%Y", amount=5, decimal=",", indicator=7,
          ind_map={"D": -1, "K": 1}, currency=6, account=0),
     ambiguous="4 identical rows: as written they are 4 transactions; they may be a copy-paste artefact of the test file")
csvf("Metasaura/ofxstatement-lloyds", "tests/sample-statement.csv", "Lloyds Bank", "GB",
     "Debit/Credit columns (unsigned), running balance, sort code with leading apostrophe (\"'99-88-74\"), header "
     "ends with a trailing comma, integer credits ('2000').",
     dict(enc="utf-8", delim=",", date="Transaction Date", date_fmt="%d/%m/%Y", debit="Debit Amount",
          credit="Credit Amount", balance="Balance", currency_fixed="GBP", account="Account Number"))
csvf("mooredan/ofxstatement-fidelity", "tests/History_for_Account_TEST2986.csv", "Fidelity (brokerage cash)", "US",
     "Two blank lines before the header, CRLF, US month-first dates, '($)' in headers, trailing blank lines; "
     "Amount ($) signed; 'Cash Balance ($)' running balance.",
     dict(enc="utf-8", delim=",", header_startswith="Run Date", date="Run Date", date_fmt="%m/%d/%Y", amount="Amount ($)",
          balance="Cash Balance ($)", currency_fixed="USD", stop_at_blank=True))
DU = "tests/samples/"
csvf("gpaulissen/ofxstatement-dutch", DU + "Knab_transactieoverzicht_ok.csv", "Knab", "NL",
     "Preamble line 'KNAB EXPORT;;;;', unsigned amounts with 'CreditDebet' C/D, INTEGERS mixed with decimal comma "
     "('2500', '827,75', '0,01'): reading '2500' with a decimal-comma rule must still give 2500.00.",
     dict(enc="utf-8", delim=";", skip=1, date="Transactiedatum", date_fmt="%d-%m-%Y", amount="Bedrag", decimal=",",
          indicator="CreditDebet", ind_map={"D": -1, "C": 1}, currency="Valutacode", account="Rekeningnummer"))
csvf("gpaulissen/ofxstatement-dutch", DU + "ing_ok.csv", "ING (Netherlands)", "NL",
     "'Af Bij' indicator (Af = out, Bij = in), unsigned decimal-comma amounts, dates YYYYMMDD, a 0,00 row.",
     dict(enc="utf-8", delim=",", date="Datum", date_fmt="%Y%m%d", amount="Bedrag (EUR)", decimal=",",
          indicator="Af Bij", ind_map={"Af": -1, "Bij": 1}, currency_fixed="EUR", account="Rekening"))
csvf("gpaulissen/ofxstatement-dutch", DU + "transactie-historie_NL00ASNB9999999999_20220717204133.csv", "ASN Bank", "NL",
     "No header; column 9 is the balance BEFORE the transaction and column 11 the signed amount; decimal point; "
     "quoted descriptions start with an apostrophe.",
     dict(enc="utf-8", delim=",", header=False, date=0, date_fmt="%d-%m-%Y", amount=10, currency=9, account=1))
CO = "data/test/"
csvf("reubano/csv2ofx", CO + "ingesp.csv", "ING (Spain)", "ES",
     "Spanish headers (lower-case technical names), DD/MM/YYYY, rows NOT in date order, balance column.",
     dict(enc="utf-8", delim=",", date="date", date_fmt="%d/%m/%Y", amount="amount", balance="balance",
          currency_fixed="EUR"), cross_check_ofx="data/converted/ingesp.ofx")
csvf("reubano/csv2ofx", CO + "outbank.csv", "Outbank app export (German accounts)", "DE",
     "US month-first dates ('2/20/19') combined with DECIMAL COMMA amounts ('-63,89') and ';'.",
     dict(enc="utf-8", delim=";", date="Date", date_fmt="%m/%d/%y", amount="Amount", decimal=",", currency="Currency",
          account="Account"), cross_check_ofx="data/converted/outbank.ofx")
csvf("reubano/csv2ofx", CO + "mint.csv", "Mint (Intuit aggregator export)", "US",
     "CR-ONLY line ends (classic Mac), unsigned amounts with 'Transaction Type' debit/credit, several accounts in one "
     "file ('Account Name'), thousands ',' inside quotes ('\"1,000.00\"'), dates M/D/YY.",
     dict(enc="utf-8", delim=",", date="Date", date_fmt="%m/%d/%y", amount="Amount", thousands=",",
          indicator="Transaction Type", ind_map={"debit": -1, "credit": 1}, account="Account Name", currency_fixed="USD"),
     cross_check_ofx="data/converted/mint.ofx",
     source_assertions="csv2ofx data/converted/mint.qif (its expected output): Checking -1500.00, +2000.00, -2500.00; "
                       "Savings -1000.00 - same signs as here; the content itself looks synthetic (Mint test data)")
csvf("reubano/csv2ofx", CO + "payoneer.csv", "Payoneer", "US",
     "'Credit Amount' / 'Debit Amount' columns, status 'Completed', time zone column, running balance.",
     dict(enc="utf-8", delim=",", date="Transaction Date", date_fmt="%m/%d/%Y", debit="Debit Amount",
          credit="Credit Amount", currency="Currency", status="Status", pending_values=["Pending"]),
     cross_check_ofx="data/converted/payoneer.ofx", ambiguous="date order: 05/03/2021 could be 3 May or 5 Mar")
csvf("reubano/csv2ofx", CO + "ubs-ch-fr_trimmed.csv", "UBS", "CH",
     "French headers, Swiss thousands separator apostrophe ('11'373.94'), 'D\u00e9bit'/'Cr\u00e9dit' columns, "
     "value dates not in order.",
     dict(enc="utf-8", delim=";", date="Date de valeur", date_fmt="%d.%m.%Y", debit="D\u00e9bit", credit="Cr\u00e9dit",
          thousands="'", currency="Monn.", account="Produit"))
csvf("reubano/csv2ofx", CO + "n26-fr.csv", "N26 (English headers, French account)", "FR",
     "Transfer between main account and a 'space' (+328 / -328 on the same day, sum 0).",
     dict(enc="utf-8", delim=",", date="Booking Date", date_fmt="%Y-%m-%d", amount="Amount (EUR)", currency_fixed="EUR"))
csvf("reubano/csv2ofx", CO + "capitalone.csv", "Capital One (credit card)", "US",
     "Credit card with unsigned 'Debit' (purchase) and 'Credit' (payment) columns; transaction vs posted date.",
     dict(enc="utf-8", delim=",", date="Posted Date", date_fmt="%Y-%m-%d", debit="Debit", credit="Credit",
          currency_fixed="USD"))
csvf("reubano/csv2ofx", CO + "pcmastercard.csv", "PC Financial Mastercard", "CA",
     "Credit card where purchases are POSITIVE with no other indicator; US dates MM/DD/YYYY; 12-hour times.",
     dict(enc="utf-8", delim=",", date="Date", date_fmt="%m/%d/%Y", amount="Amount", invert=True, currency_fixed="CAD"),
     ambiguous="sign: nothing in the file says purchases are positive; csv2ofx's converted output is cross-checked",
     cross_check_ofx="data/converted/pcmastercard.ofx")
csvf("reubano/csv2ofx", CO + "schwab-checking.csv", "Charles Schwab Bank (checking)", "US",
     "'$' and thousands ',' in quoted amounts, Withdrawal/Deposit columns, 'Posted' status, newest first.",
     dict(enc="utf-8", delim=",", date="Date", date_fmt="%m/%d/%Y", debit="Withdrawal", credit="Deposit",
          thousands=",", balance="RunningBalance", status="Status", pending_values=["Pending"], currency_fixed="USD"),
     cross_check_ofx="data/converted/schwab-checking.ofx")
RD = "beancount_reds_importers/importers/"
csvf("redstreet/beancount_reds_importers", RD + "dcu/tests/Main_Checking_Account_Transactions.csv",
     "Digital Federal Credit Union (DCU)", "US",
     "Amounts like '-$7,971.39' (sign before the currency symbol), CRLF, long base64 ids, 'CURRENT BALANCE' only on some rows.",
     dict(enc="utf-8", delim=",", date="DATE", date_fmt="%m/%d/%Y", amount="AMOUNT", thousands=",", currency_fixed="USD"))
csvf("redstreet/beancount_reds_importers", RD + "schwab/tests/schwab_csv_checking/schwab_XXX234_Checking_Transactions_20220203.csv",
     "Charles Schwab Bank (checking)", "US", "Two rows, '$' amounts, 'Posted' status.",
     dict(enc="utf-8", delim=",", date="Date", date_fmt="%m/%d/%Y", debit="Withdrawal", credit="Deposit",
          thousands=",", status="Status", pending_values=["Pending"], currency_fixed="USD"))
csvf("redstreet/beancount_reds_importers", RD + "fidelity/fidelity_cma_csv_examples/History_for_Account_X8YYYYYYY.csv",
     "Fidelity (cash management account)", "US",
     "Preamble of rows made only of commas, then header, then a footer of disclaimer text after more comma-only rows.",
     dict(enc="utf-8", delim=",", header_startswith="Run Date", date="Run Date", date_fmt="%m/%d/%Y",
          amount="Amount ($)", currency_fixed="USD", stop_at_blank=True))
csvf("beancount/beangulp", "examples/tests/csvbank/statement.csv", "Chase-style checking (beangulp example)", "US",
     "'Details' DEBIT/CREDIT, M/D/YYYY without zero padding, header ends with ',' , running balance.",
     dict(enc="utf-8", delim=",", date="Posting Date", date_fmt="%m/%d/%Y", amount="Amount", balance="Balance",
          currency_fixed="USD"))
csvf("simonmichael/hledger", "examples/csv/other/paypal-custom.csv", "PayPal", "US",
     "'Status' Completed/Pending; Gross, Fee (negative) and Net; the funding 'Bank Deposit to PP Account' rows are Pending.",
     dict(enc="utf-8", delim=",", date="Date", date_fmt="%m/%d/%Y", amount="Net", currency="Currency", status="Status",
          pending_values=["Pending"]))
csvf("fjacquet/camt-csv", "internal/visecaparser/testdata/viseca.csv", "Viseca (credit card)", "CH",
     "Credit card: purchases POSITIVE, refunds negative, 3-decimal amounts ('29.000'), foreign original amount and "
     "rate; StateType BOOKED.",
     dict(enc="utf-8", delim=",", date="Date", date_fmt="%Y-%m-%d %H:%M:%S", amount="Amount", invert=True,
          currency="Currency", status="StateType", pending_values=["PENDING", "AUTHORIZED"]),
     ambiguous="sign: purchases positive is the card-issuer convention; inverted to the holder's view")
LIC.update({"fjacquet/camt-csv": "MIT"})
