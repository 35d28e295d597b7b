"""The back office's words in Finnish, Swedish and English, and dates and numbers in the
chosen locale (Babel). The choice is remembered in a cookie."""

import datetime as dt
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import Request

from custreg.ui import record_words

LANG_COOKIE = "custreg_lang"
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}
DEFAULT = "fi"

# key: (fi, sv, en)
TEXT: dict[str, tuple[str, str, str]] = {
    **record_words.TEXT,  # the record forms' words (ui/record_words.py)
    "app": ("Asiakasrekisteri", "Kundregister", "Customer register"),
    "sign_in": ("Kirjaudu sisään", "Logga in", "Sign in"),
    "sign_out": ("Kirjaudu ulos", "Logga ut", "Sign out"),
    "sign_in_help": (
        "API-asiakkaan tunnus ja salaisuus tai ylläpitäjän avain.",
        "API-klientens id och hemlighet, eller administratörens nyckel.",
        "An API client's id and secret, or the admin token.",
    ),
    "client_id": ("Asiakastunnus (clientId)", "Klient-id (clientId)", "Client id (clientId)"),
    "client_secret": ("Salaisuus (clientSecret)", "Hemlighet (clientSecret)", "Client secret (clientSecret)"),
    "admin_token": ("Ylläpitäjän avain", "Administratörens nyckel", "Admin token"),
    "bad_credentials": ("Tunnus tai salaisuus on väärä.", "Fel id eller hemlighet.", "Wrong id or secret."),
    "signed_in_as": ("Kirjautunut", "Inloggad", "Signed in as"),
    "companies": ("Yritykset", "Företag", "Companies"),
    "choose_company": ("Valitse yritys", "Välj företag", "Choose a company"),
    "no_companies": ("Ei yrityksiä.", "Inga företag.", "No companies."),
    "find_company": ("Etsi yritystä (tunnus tai nimi)", "Sök företag (id eller namn)", "Find a company (id or name)"),
    "companies_shown": (
        "Näytetään {shown} / {total}: etsi tarkemmin.",
        "Visar {shown} av {total}: sök för att hitta fler.",
        "Showing {shown} of {total}: search to find others.",
    ),
    "customers": ("Asiakkaat", "Kunder", "Customers"),
    "search": ("Hae", "Sök", "Search"),
    "search_help": (
        "Nimi, numero, tunnus, sähköposti, puhelin tai kaupunki",
        "Namn, nummer, id, e-post, telefon eller ort",
        "Name, number, id, e-mail, phone or city",
    ),
    "type": ("Tyyppi", "Typ", "Type"),
    "any": ("Kaikki", "Alla", "Any"),
    "group": ("Asiakasryhmä", "Kundgrupp", "Customer group"),
    "segment": ("Segmentti", "Segment", "Segment"),
    "include_excluded": ("Näytä myös poistetut näkyvistä", "Visa även dolda", "Include excluded"),
    "sort": ("Järjestys", "Sortering", "Sort by"),
    "filter": ("Suodata", "Filtrera", "Filter"),
    "rows": (
        "{total} asiakasta, {first}–{last}",
        "{total} kunder, {first}–{last}",
        "{total} customers, {first}–{last}",
    ),
    "no_rows": ("Ei asiakkaita.", "Inga kunder.", "No customers."),
    "previous": ("Edellinen", "Föregående", "Previous"),
    "next": ("Seuraava", "Nästa", "Next"),
    "number": ("Numero", "Nummer", "Number"),
    "name": ("Nimi", "Namn", "Name"),
    "city": ("Kaupunki", "Ort", "City"),
    "id_number": ("Tunnus", "Id-nummer", "Id number"),
    "changed": ("Muutettu", "Ändrad", "Changed"),
    "new_customer": ("Uusi asiakas", "Ny kund", "New customer"),
    "edit": ("Muokkaa", "Redigera", "Edit"),
    "save": ("Tallenna", "Spara", "Save"),
    "cancel": ("Peruuta", "Avbryt", "Cancel"),
    "fields": ("Tiedot", "Uppgifter", "Fields"),
    "history": ("Muutoshistoria", "Ändringshistorik", "Change history"),
    "timeline": ("Aikajana", "Tidslinje", "Timeline"),
    "none": ("Ei tietoja.", "Inga uppgifter.", "None."),
    "errors_below": ("Tarkista merkityt kentät.", "Kontrollera de markerade fälten.", "Check the fields marked below."),
    "conflict": (
        "Joku muu muutti asiakasta sillä välin. Alla nykyiset arvot; tarkista ja tallenna uudelleen.",
        "Någon annan ändrade kunden under tiden. Nedan de nuvarande värdena; kontrollera och spara igen.",
        "Changed by someone else meanwhile. The current values are shown; check them and save again.",
    ),
    "now_is": ("Nyt:", "Nu:", "Now:"),
    "saved": ("Tallennettu.", "Sparat.", "Saved."),
    "consent": ("Markkinointilupa", "Marknadsföringstillstånd", "Consent"),
    "consent_change": ("Muuta lupaa", "Ändra tillstånd", "Change consent"),
    "channel": ("Kanava", "Kanal", "Channel"),
    "granted": ("Annettu", "Givet", "Granted"),
    "withdrawn": ("Peruttu", "Återkallat", "Withdrawn"),
    "source": ("Lähde", "Källa", "Source"),
    "yes": ("kyllä", "ja", "yes"),
    "no": ("ei", "nej", "no"),
    "when": ("Milloin", "När", "When"),
    "who": ("Kuka", "Vem", "Who"),
    "what": ("Mitä", "Vad", "What"),
    "export_csv": ("Vie CSV", "Exportera CSV", "Export CSV"),
    "export_xml": ("Vie XML", "Exportera XML", "Export XML"),
    "language": ("Kieli", "Språk", "Language"),
    "person": ("Henkilö", "Person", "Person"),
    "company": ("Yritys", "Företag", "Company"),
    "read_only": ("Vain luku", "Endast läsning", "Read only"),
    "skip": ("Siirry sisältöön", "Hoppa till innehållet", "Skip to content"),
    "addresses": ("Osoitteet", "Adresser", "Addresses"),
    "bankAccounts": ("Pankkitilit", "Bankkonton", "Bank accounts"),
    "contacts": ("Yhteyshenkilöt", "Kontaktpersoner", "Contacts"),
    "externalIds": ("Ulkoiset tunnisteet", "Externa id", "External ids"),
    "consents": ("Markkinointiluvat", "Marknadsföringstillstånd", "Consents"),
    "parameters": ("Parametrit", "Parametrar", "Parameters"),
    "extraFields": ("Lisäkentät", "Extra fält", "Extra fields"),
    "directDebitMandates": ("Suoramaksuvaltuutukset", "Autogiromedgivanden", "Direct debit mandates"),
    "creditInsurances": ("Luottovakuutukset", "Kreditförsäkringar", "Credit insurances"),
    "guarantees": ("Takaukset", "Borgen", "Guarantees"),
    "collaterals": ("Vakuudet", "Säkerheter", "Collaterals"),
    "actions": ("Toimenpiteet", "Åtgärder", "Actions"),
    "relations": ("Suhteet", "Relationer", "Relations"),
    "myGuarantors": ("Takaajat", "Borgensmän", "Guarantors"),
    "guaranteeFor": ("Takaa", "Borgen för", "Guarantee for"),
    "allRelatedCustomers": ("Liittyvät asiakkaat", "Relaterade kunder", "Related customers"),
    "attachedUsers": ("Liitetyt käyttäjät", "Kopplade användare", "Attached users"),
    "basic": ("Perustiedot", "Grunduppgifter", "Basic details"),
    "forbidden": ("Ei oikeutta.", "Ingen behörighet.", "Not allowed."),
    "register": ("Rekisterin koodit", "Registrets koder", "Register codes"),
    # register configuration and import pages (ui/register.py, ui/transfer.py)
    "register_help": (
        "Vain oikeudella register:admin voi muuttaa näitä.",
        "Endast med behörigheten register:admin kan dessa ändras.",
        "Only a credential with the scope register:admin changes these.",
    ),
    "register_settings": ("Rekisterin säännöt", "Registrets regler", "Register rules"),
    "uniqueIdentityNumbers": (
        "Henkilö- ja Y-tunnukset yksilöllisiä",
        "Person- och FO-nummer unika",
        "Identity numbers unique",
    ),
    "register_form_help": (
        "Muuta koodeja ja nimiä, merkitse poistettavat tai lisää uusia tyhjille riveille. Käytössä olevaa koodia ei voi poistaa.",
        "Ändra koder och namn, markera de som ska tas bort eller lägg till nya på de tomma raderna. En kod som används kan inte tas bort.",
        "Change codes and names, mark those to delete, or add new ones on the empty rows. A code in use cannot be deleted.",
    ),
    "register_values_help": (
        "Dimension arvot riveittäin: koodi, välilyönti, nimi.",
        "Dimensionens värden en per rad: kod, mellanslag, namn.",
        "A dimension's values one a line: the code, a space, the name.",
    ),
    "register_conflict": (
        "Joku muu muutti rekisterin asetuksia sillä välin. Tarkista ja tallenna uudelleen.",
        "Någon annan ändrade registrets inställningar under tiden. Kontrollera och spara igen.",
        "Changed by someone else meanwhile. Check and save again.",
    ),
    "import_csv": ("Tuo CSV", "Importera CSV", "Import CSV"),
    "import_start": ("Tuo", "Importera", "Import"),
    "import_rows": ("{rows} riviä", "{rows} rader", "{rows} rows"),
    "import_report": (
        "luotu {created}, päivitetty {updated}, virheellisiä {failed}",
        "skapade {created}, uppdaterade {updated}, felaktiga {failed}",
        "created {created}, updated {updated}, failed {failed}",
    ),
    "import_errors": ("Virheraportti", "Felrapport", "Error report"),
    "api_clients": ("API-asiakkaat", "API-klienter", "API clients"),
    "new_client": ("Uusi API-asiakas", "Ny API-klient", "New API client"),
    "revoke": ("Peru", "Återkalla", "Revoke"),
    "secret_once": (
        "Salaisuus näytetään vain nyt: tallenna se.",
        "Hemligheten visas bara nu: spara den.",
        "The secret is shown only now: store it.",
    ),
    "duplicates": ("Kaksoiskappaleet", "Dubbletter", "Duplicates"),
    "duplicates_of": ("Mahdolliset kaksoiskappaleet:", "Möjliga dubbletter av", "Possible duplicates of"),
    "duplicates_help": (
        "Parit, jotka `custreg duplicates` viimeksi laski, todennäköisin ensin.",
        "Paren som `custreg duplicates` senast beräknade, de troligaste först.",
        "The pairs `custreg duplicates` last computed, the likeliest first.",
    ),
    "no_duplicates": ("Ei kaksoiskappaleehdokkaita.", "Inga dubblettkandidater.", "No candidate duplicates."),
    "score": ("Pisteet", "Poäng", "Score"),
    "reasons": ("Perusteet", "Skäl", "Reasons"),
    "merge": ("Yhdistä", "Slå samman", "Merge"),
    "merge_help": (
        "Valitse säilyvä asiakas ja jokaisen eroavan kentän arvo. Muiden tiedot siirtyvät säilyvälle.",
        "Välj den kund som blir kvar och värdet för varje fält som skiljer sig. De andras uppgifter flyttas dit.",
        "Choose the customer that remains and the value of each field that differs. The others' records move to it.",
    ),
    "merge_fields": ("Kenttien arvot", "Fältens värden", "Field values"),
    "merge_conflict": (
        "Joku muu muutti asiakkaita sillä välin. Alla nykyiset arvot; tarkista valinnat ja yhdistä uudelleen.",
        "Någon annan ändrade kunderna under tiden. Nedan de nuvarande värdena; kontrollera valen och slå samman igen.",
        "Changed by someone else meanwhile. The current values are shown; check the choices and merge again.",
    ),
    "survivor": ("Säilyvä asiakas", "Kunden som blir kvar", "Surviving customer"),
    "field": ("Kenttä", "Fält", "Field"),
    "merged": ("Asiakkaat yhdistetty.", "Kunderna sammanslagna.", "Customers merged."),
    "erase": ("Poista henkilötiedot", "Radera personuppgifter", "Erase personal data"),
    "erase_help": (
        "Henkilön tiedot poistetaan kaikkialta. Asiakasnumero, poiston tieto ja taloudelliset tiedot säilyvät.",
        "Personens uppgifter raderas överallt. Kundnumret, uppgiften om raderingen och ekonomiska uppgifter finns kvar.",
        "The person's data is erased everywhere. The number, the fact of erasure and financial records stay.",
    ),
    "erase_reason": ("Syy (pakollinen)", "Orsak (obligatorisk)", "Reason (required)"),
    "erase_confirm": ("Vahvista poisto", "Bekräfta raderingen", "Confirm erasure"),
    "erase_refused": (
        "Poistoa ei tehty: säilytyssääntö on voimassa.",
        "Raderingen gjordes inte: en lagringsregel gäller.",
        "Erasure refused: a retention rule holds.",
    ),
    "erased": ("Henkilötiedot poistettu.", "Personuppgifterna raderade.", "Personal data erased."),
    "conflict_reload": (
        "Joku muu muutti asiakasta sillä välin. Tarkista tiedot ja vahvista uudelleen.",
        "Någon annan ändrade kunden under tiden. Kontrollera uppgifterna och bekräfta igen.",
        "Changed by someone else meanwhile. Check the customer and confirm again.",
    ),
    "pledges": ("Takaukset ja vakuudet", "Borgen och säkerheter", "Guarantees and collaterals"),
    "financialRetentionYears": ("Kirjanpidon säilytysaika", "Bokföringens lagringstid", "Financial retention period"),
    "subject_export": ("Rekisteriote (JSON)", "Registerutdrag (JSON)", "Subject export (JSON)"),
    "webhooks": ("Webhookit", "Webhooks", "Webhooks"),
    "no_webhooks": ("Ei webhookeja.", "Inga webhooks.", "No webhooks."),
    "new_webhook": ("Uusi webhook", "Ny webhook", "New webhook"),
    "webhook_url": ("Osoite (https)", "Adress (https)", "Address (https)"),
    "webhook_events": ("Tapahtumat", "Händelser", "Events"),
    "webhook_events_help": (
        "Välilyönnein tai pilkuin erotettuina, esim. customer.* (tyhjä: kaikki)",
        "Åtskilda med mellanslag eller komma, t.ex. customer.* (tomt: alla)",
        "Separated by spaces or commas, e.g. customer.* (empty: all)",
    ),
    "webhook_description": ("Kuvaus", "Beskrivning", "Description"),
    "webhook_includeObject": (
        "Lähetä asiakkaan kaikki tiedot (includeObject)",
        "Skicka kundens alla uppgifter (includeObject)",
        "Send the customer's full body (includeObject)",
    ),
    "webhook_secret_once": (
        "Allekirjoitusavain näytetään vain nyt: tallenna se.",
        "Signeringsnyckeln visas bara nu: spara den.",
        "The signing secret is shown only now: store it.",
    ),
    "events": ("Tapahtumat", "Händelser", "Events"),
    "event": ("Tapahtuma", "Händelse", "Event"),
    "description": ("Kuvaus", "Beskrivning", "Description"),
    "enabled": ("käytössä", "aktiv", "enabled"),
    "disabled": ("pois käytöstä", "inaktiv", "disabled"),
    "enable": ("Ota käyttöön", "Aktivera", "Enable"),
    "disable": ("Poista käytöstä", "Inaktivera", "Disable"),
    "delete": ("Poista", "Ta bort", "Delete"),
    "disabled_reason": ("Miksi pois käytöstä", "Varför inaktiv", "Why disabled"),
    "created": ("Luotu", "Skapad", "Created"),
    "deliveries": ("Viimeisimmät toimitukset", "Senaste leveranser", "Recent deliveries"),
    "status": ("Tila", "Status", "Status"),
    "tries": ("Yrityksiä", "Försök", "Tries"),
    "last_answer": ("Viimeisin vastaus", "Senaste svar", "Last answer"),
    "pending": ("odottaa", "väntar", "pending"),
    "delivered": ("toimitettu", "levererad", "delivered"),
    "failed": ("epäonnistui", "misslyckades", "failed"),
}


def choose(request: Request) -> str:
    """The user's language: the cookie, else the browser's first of fi, sv, en."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LOCALES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return DEFAULT


class Words:
    """`t("key")` in the templates, and the locale's dates and numbers."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.locale = LOCALES[lang]
        self._i = ("fi", "sv", "en").index(lang)

    def __call__(self, key: str, **values: object) -> str:
        text = TEXT[key][self._i] if key in TEXT else key
        return text.format(**values) if values else text

    def when(self, value: object) -> str:
        if isinstance(value, str):
            text = value
            try:
                value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                return text
        if isinstance(value, dt.datetime):
            return format_datetime(value, "short", locale=self.locale)
        if isinstance(value, dt.date):
            return format_date(value, "medium", locale=self.locale)
        return "" if value is None else str(value)

    def number(self, value: object) -> str:
        if isinstance(value, bool) or value is None:
            return self.value(value)
        if isinstance(value, int | float | Decimal):
            return format_decimal(value, locale=self.locale)
        return str(value)

    def value(self, value: object) -> str:
        """Any field's value as shown on a page."""
        if value is None or value == "":
            return "–"
        if isinstance(value, bool):
            return self("yes") if value else self("no")
        if isinstance(value, dt.date):
            return self.when(value)
        if isinstance(value, int | float | Decimal):
            return self.number(value)
        return str(value)
