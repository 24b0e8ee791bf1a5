"""What banks call their CSV columns, and the words they write in marker columns.

Collected from real exports and the projects that read them (bank2ynab's bank catalogue,
ofxstatement's bank plugins, beancount and csv2ofx importers: see tests/data/bank/SOURCES.md),
then completed with the standard banking terms of the other languages of Europe and the
Americas (Portuguese, Finnish, Norwegian, Latvian, Romanian, Croatian, Slovenian, Slovak,
Greek, Turkish, Catalan). A header is compared without accents, case, punctuation or a unit in
brackets ("Betrag (EUR)" is "betrag"). Names that mean different things in different banks
("Details", "Valuta", "Kontonummer") list several roles: the values then decide.
"""

from __future__ import annotations

import re
import unicodedata

from ai_service.finance.imports import ColumnRole

_R = ColumnRole
_NAMES: dict[ColumnRole, str] = {
    _R.DATE: """
        date | booking date | bookingdate | transaction date | posting date | posted date |
        date posted | posted | post date | trans date | transaction posted date | completed date |
        run date | created | date processed | started date | start date | entry date |
        date of transaction | effective date |
        buchungstag | buchung | buchungsdatum | datum | belegdatum | transaktionsdatum |
        abschlussdatum | umsatzdatum | boekdatum | boekingsdatum | transactiedatum |
        uitvoeringsdatum | datum verrichting | datum verrekening | date comptable |
        date operation | date d'operation | date de l'operation | date de la transaction |
        date de comptabilisation | fecha | fecha operacion | fecha de operacion | fecha contable |
        fecha movimiento | data | data operazione | data contabile | data movimento |
        data contabilizacao | data movimento | data lancamento | data do movimento |
        datum provedeni | datum zauctovani | datum uskutecneni transakce | datum transakce |
        data transakcji | data ksiegowania | data operacji | tranzakcio datuma | konyvelesi datum |
        bokforingsdatum | bokforingsdag | transaktionsdatum | transaktionsdag | dato |
        bogforingsdato | bokforingsdato | kirjauspaiva | tapahtumapaiva | paivamaara |
        dagsetning | data tranzactiei | data inregistrare | datum knjizenja | datum transakcije |
        datum knjizenja | datum transakcije | datum prometa | datum zauctovania |
        ημερομηνια | ημερομηνια συναλλαγης | islem tarihi | tarih | data de l'operacio |
        data operacio | kuupaev | tehingu kuupaev | datums | grāmatošanas datums | data ieraksta |
        operacijos data | data""",
    _R.VALUE_DATE: """
        value date | valuedate | valutadate | settlement date | execution date | valuta |
        valutadatum | wertstellung | wertstellungsdatum | wertstellungstag | wertstellungsdatum |
        rentedatum | date de valeur | date valeur | date valeu | valeur | fecha valor |
        data valuta | data valor | erteknap | datum valute | datum valuty | data waluty |
        valuuttapaiva | arvopaiva | valutadag | valor | ημερομηνια αξιας | valor tarihi""",
    _R.AMOUNT: """
        amount | transaction amount | amount in eur | net | net amount | value | sum | total |
        betrag | umsatz | buchungsbetrag | einzelbetrag | betrag in eur | bedrag | bedrag in eur |
        transactiebedrag | montant | montant de l'operation | importe | importe operacion |
        cantidad | importo | importo operazione | valor | montante | quantia | kwota |
        kwota operacji | kwota w walucie rachunku | castka | zauctovana castka | castka transakce |
        castka v mene uctu | suma | tranzakcio osszege | osszeg | belopp | belob | beløb | belop |
        maara | summa | upphaed | suma | iznos | znesek | suma transakcie | ποσο | tutar |
        import | summa eur | summa | suma eur | summa eiro | gross""",
    _R.DEBIT: """
        debit | debit amount | debits | withdrawal | withdrawals | money out | paid out | out |
        outflow | charge | charges | payments | soll | belastung | lastschrift betrag | ausgang |
        ausgaben | debet | af | uitgaven | debit eur | cargo | cargos | debe | addebiti | addebito |
        dare | debito | debitos | saida | saidas | obciazenia | wyplata | vydaj | vydej | terheles |
        kiadas | uttag | udbetaling | ut | veloitus | otto | isplata | izplacilo | χρεωση |
        borc | carrec | deebet""",
    _R.CREDIT: """
        credit | credit amount | credits | deposit | deposits | money in | paid in | in | inflow |
        receipts | haben | gutschrift | eingang | einnahmen | credit eur | bij | inkomsten |
        abono | abonos | haber | accrediti | accredito | avere | credito | creditos | entrada |
        entradas | uznania | wplata | prijem | prijmy | jovairas | bevetel | insattning |
        indbetaling | inn | pano | hyvitys | uplata | priliv | πιστωση | alacak | abonament |
        kreedit""",
    _R.INDICATOR: """
        af bij | afbij | creditdebet | credit debet | debit credit | debit/credit | d/c | dc |
        cr/dr | dr/cr | d/k | debit/kredit | soll/haben | s/h | bevetel/kiadas | sign |
        transaction type | details | type | direction | cdtdbtind""",
    _R.FEE: """
        fee | fees | total fees | commission | charges fee | bank fee | gebuhr | gebuhren |
        entgelt | kosten | kosten op verrichting | frais | comision | comisiones | commissione |
        commissioni | taxa | tarifa | prowizja | poplatek | poplatek v mene uctu | dij | avgift |
        gebyr | palkkio | naknada | provizija | προμηθεια | komisyon""",
    _R.BALANCE: """
        balance | running balance | runningbalance | current balance | balance after |
        ledger balance | book balance | saldo | kontostand | saldo nach buchung | saldo na trn |
        saldo na transactie | solde | solde apres operation | saldo disponible | saldo contable |
        saldo contabile | saldo po operacji | zustatek | konecny zustatek | egyenleg |
        disponibelt belopp | saldo eur | likutis | stanje | stanje racuna | υπολοιπο | bakiye""",
    _R.CURRENCY: """
        currency | ccy | currency code | curr | wahrung | waehrung | buchungswahrung | munt |
        valutacode | valuta rekening | devise | monnaie | monn | moneda | divisa | valuta |
        moeda | waluta | waluta operacji | waluta rachunku | mena | mena uctu | devizanem |
        tranzakcio devizaneme | valiuta | valuutta | valute | mena | νομισμα | para birimi |
        doviza | moneda""",
    _R.DESCRIPTION: """
        description | transaction description | details | transaction details | memo | narrative |
        purpose | reason | payment reference | remittance information | text | message |
        message for payee | reference text | particulars | action | verwendungszweck |
        buchungstext | umsatztext | beschreibung | transaktionsbeschreibung | umsatzart |
        vorgang | omschrijving | beschrijving | mededeling | mededelingen | vrije mededeling |
        toelichting | description 1 | libelle | libelle operation | communication |
        communication libre | detail | concepto | descripcion | observaciones | descrizione |
        descrizione operazioni | causale | operazione | descricao | historico | opis |
        opis operacji | opis transakcji | tytul | tytuł | szczegoly transakcji | popis |
        popis transakce | popis pro me | zprava | zprava pro prijemce | poznamka |
        poznamka k uhrade | kozlemeny | reszletek | meddelande | beskrivning | rubrik | tekst |
        beskrivelse | selite | viesti | opis | namjena | namen | ucel | paaiskinimai |
        maksu selgitus | selgitus | detalles | skyring | aciklama | περιγραφη | concepte""",
    _R.COUNTERPARTY: """
        counterparty | counterparty name | payee | payer | payee name | payer name | name |
        beneficiary | recipient | merchant | merchant name | partner name | counteraccount name |
        other party | empfanger | empfangername | auftraggeber | auftraggebername |
        auftraggeber/empfanger | beguenstigter/zahlungspflichtiger | zahlungsempfanger |
        zahlungspflichtiger | naam | naam tegenpartij | naam van de tegenpartij |
        tegenrekeninghouder | handelaar | nom contrepartie | nom de la contrepartie |
        beneficiaire | tiers | beneficiario | ordenante | contraparte | controparte | favorecido |
        nadawca/odbiorca | nazwa nadawcy | nazwa odbiorcy | kontrahent | nazev protistrany |
        nazev protiuctu | platce/prijemce | partner neve | avsandare | mottagare | namn |
        modtager | mottaker | saaja/maksaja | saaja | maksaja | primatelj | prejemnik | gavejas |
        moketojas | saaja nimi | korespondents | beneficiar | karsi taraf | αντισυμβαλλομενος""",
    _R.COUNTERPARTY_IBAN: """
        counterparty iban | counterparty account | partner iban | payee account number |
        iban empfanger | auftraggeber iban/kto nr | empfanger iban/kto nr | tegenrekening |
        tegenrekening iban/bban | tegenrekeningnummer | rekeningnummer tegenpartij |
        compte de la contrepartie | numero de compte contrepartie | cuenta contraparte |
        conto controparte | numer rachunku nadawcy | numer rachunku odbiorcy | cislo protiuctu |
        cislo uctu protistrany | cislo uctu platce/prijemce | partner szamlaszama |
        ellenoldali szamlaszam | kontonummer/iban | bank account details | counterparty |
        kontonummer | number | iban""",
    _R.REFERENCE: """
        reference | ref | end to end id | end-to-end-id | mandate reference | customer reference |
        check number | checknumber | check or slip | cheque number | referenz | kundenreferenz |
        mandatsreferenz | zahlungsreferenz | buchungsreferenz | referentie | betalingskenmerk |
        kenmerk | transactiereferentie | reference de l'operation | communication structuree |
        gestructureerde mededeling | referencia | riferimento | referencia do movimento | vs | ks |
        ss | variabilni symbol | referencni cislo transakce | referens | tilvisun | viite |
        viitenumero | referanse | poziv na broj | sklic | megbizas azonosito""",
    _R.STATUS: """
        status | state | transaction status | info | statetype | stav | estado | etat | stato |
        stan | allapot | tila""",
    _R.ACCOUNT: """
        account | account number | account name | own account | auftragskonto |
        iban auftraggeberkonto | rekening | rekeningnummer | iban/bban | compte | numero de compte |
        product | produit | cislo uctu | numer rachunku | szamlaszam | szamla neve |
        saskaitos nr | iban | kontonummer""",
    _R.ID: """
        id | transaction id | transactionid | fitid | reference number | transaction reference |
        transaction reference number | transferwise id | id transakce | identifikace transakce |
        volgnr | volgnummer | iraso nr | archive id | arhiivi id""",
}

# Words in a header that make a money column something other than the account's own amount.
_NOT_OURS = re.compile(r"\b(original|orig|foreign|fremd\w*|oorspr\w*|exchange|rate|kurs|koers|"
                       r"taux|cambio|tipo de cambio|before|vor|prior|anfang\w*|opening|initial|"
                       r"end\w*saldo|disponibel\w*|available|verfugbar|limit|rewards?|points?|"
                       r"tax|vat|mwst|btw|iva)\b")


def normalise(name: str) -> str:
    """A header as compared: lower case, no accents, no unit in brackets or punctuation."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name.lower())
                    if not unicodedata.combining(c))
    plain = re.sub(r"\(.*?\)|\[.*?\]", " ", plain)
    plain = re.sub(r"[#:*_.\"'\u2019]", " ", plain)
    return re.sub(r"\s*/\s*", "/", " ".join(plain.split()))


ROLES: dict[str, tuple[ColumnRole, ...]] = {}
for _role, _text in _NAMES.items():
    for _name in _text.split("|"):
        _key = normalise(_name)
        if _key and _role not in ROLES.get(_key, ()):
            ROLES[_key] = (*ROLES.get(_key, ()), _role)


def roles(header: str) -> tuple[ColumnRole, ...]:
    """The roles a column of this name may have, most likely first; () when unknown."""
    key = normalise(header)
    found = ROLES.get(key)
    if found is None:
        # "Amount in EUR", "Betrag EUR", "Withdrawals SGD": the name without a currency code.
        key = re.sub(r"\b(in )?[a-z]{3}$", "", key).strip()
        found = ROLES.get(key, ())
    if found and _NOT_OURS.search(normalise(header)) and (
            ColumnRole.AMOUNT in found or ColumnRole.BALANCE in found):
        return ()
    return found


# Among several date columns, the one whose name says booked or posted is the booking date;
# one that says when the payment was made or started comes after it.
BOOKING_WORDS = re.compile(r"post|book|buch|boek|complet|settle|verrek|zauct|ksieg|bokf|kirjaus"
                           r"|comptab|contab")


def _words(text: str) -> frozenset[str]:
    return frozenset(normalise(w) for w in text.split("|") if w.strip())


# A debit/credit mark, as written in an indicator column (compared like headers).
DEBIT_MARKS = _words("d | dr | db | dbit | debit | debet | debito | s | soll | af | out | "
                     "outflow | - | withdrawal | kiadas | belastung | lastschrift | charge | "
                     "sale | purchase | payment out | uitgaand | cargo | addebito | terheles | "
                     "vydaj | obciazenie")
CREDIT_MARKS = _words("c | cr | crdt | credit | credito | k | kredit | kreditas | h | haben | "
                      "bij | in | inflow | + | deposit | bevetel | gutschrift | inkomend | abono | "
                      "accredito | jovairas | prijem | uznanie")
# What a status column writes for a transaction not booked yet, and for one that never
# happened (declined at the till, reverted before booking): the first are stored as pending,
# the others left out.
PENDING = _words("pending | pdng | vorgemerkt | umsatz vorgemerkt | vorgemerkte umsatze | "
                 "authorised | authorized | autorisiert | reserved | reserviert | in progress | "
                 "processing | en attente | en cours | pendiente | en proceso | in behandeling | "
                 "in afwachting | gereserveerd | in attesa | in lavorazione | pendente | "
                 "oczekujaca | oczekujace | blokada | nezauctovano | cekajici | fuggo | "
                 "behandlas | reservert | odottaa | not yet booked | noch nicht gebucht | hold | "
                 "on hold | uncleared | unposted")
BOOKED = _words("booked | book | completed | complete | posted | settled | cleared | done | "
                "executed | gebucht | umsatz gebucht | ausgefuhrt | durchgefuhrt | geboekt | "
                "verwerkt | uitgevoerd | comptabilise | effectue | executee | contabilizado | "
                "realizado | ejecutado | contabilizzato | eseguito | completato | concluido | "
                "zaksiegowana | zaksiegowano | wykonana | zauctovano | provedeno | konyvelt | "
                "bokford | genomford | bogfort | kirjattu | proknjizeno | izvrseno | paid | "
                "success | successful | ok")
VOID = _words("declined | reverted | failed | cancelled | canceled | rejected | void | voided | "
              "expired | abgelehnt | storniert | fehlgeschlagen | abgebrochen | geweigerd | "
              "mislukt | geannuleerd | refuse | annule | echoue | rechazado | cancelado | "
              "fallido | rifiutato | annullato | fallito | recusado | odrzucona | anulowana | "
              "zamitnuto | zruseno | elutasitva | avvisad | makulerad | hylatty | odbijeno")
# What the text of a card line says when it pays the card off or refunds a purchase.
CARD_CREDIT = re.compile(
    r"\b(payment|paid|thank you|autopay|repayment|refund|credit|cashback|zahlung|"
    r"einzahlung|gutschrift|erstattung|ruckzahlung|betaling|storting|terugbetaling|paiement|"
    r"remboursement|versement|pago|abono|devolucion|reembolso|pagamento|rimborso|accredito|"
    r"wplata|splata|zwrot|platba|vraceni|befizetes|inbetalning|aterbetalning|indbetaling|"
    r"innbetaling|maksu|hyvitys)\b", re.IGNORECASE)
# Descriptions of rows that state a balance rather than move money.
BALANCE_ROW = re.compile(
    r"^\W*(opening|closing|starting|ending|previous|new|start|end)\s+balance\b|"
    r"^\W*balance\s+(brought|carried)\s+forward|^\W*(anfangs|end|schluss)saldo\b|"
    r"^\W*(alter|neuer)\s+kontostand|^\W*saldo\s+(iniziale|finale|inicial|final|anterior|"
    r"precedente|actual|per|vorige|nieuw|poczatkowe|koncowe)\b|^\W*(begin|eind|start)saldo\b|"
    r"^\W*solde\s+(initial|final|d'ouverture|de cloture|precedent|au)\b|"
    r"^\W*(ingaende|utgaende)\s+saldo\b|^\W*(alku|loppu)saldo\b|"
    r"^\W*(pocatecni|konecny)\s+zustatek\b|^\W*(nyito|zaro)\s+egyenleg\b|"
    r"^\W*likutis\b|^\W*apyvarta\b|^\W*kontostand\b", re.IGNORECASE)
