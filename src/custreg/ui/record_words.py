"""The words of the record forms (ui/records.py) in Finnish, Swedish and English; i18n.TEXT
holds them with the rest."""

# key: (fi, sv, en)
TEXT: dict[str, tuple[str, str, str]] = {
    "add": ("Lisää", "Lägg till", "Add"),
    "loans": ("Lainat", "Lån", "Loans"),
    "record_conflict": (
        "Joku muu muutti tai poisti tämän tiedon sillä välin. Alla nykyiset arvot; tarkista ja tallenna uudelleen.",
        "Någon annan ändrade eller tog bort uppgiften under tiden. Nedan de nuvarande värdena; kontrollera och "
        "spara igen.",
        "Changed by someone else meanwhile (or deleted). The current values are shown; check them and save again.",
    ),
    "close_mandate": ("Sulje valtuutus", "Stäng medgivandet", "Close the mandate"),
    "answer": ("Kirjaa asiakkaan vastaus", "Registrera kundens svar", "Record the customer's answer"),
    "delete_confirm": ("Poistetaanko tämä tieto?", "Ta bort uppgiften?", "Delete this record?"),
    "one_per_line": ("Yksi arvo riviä kohden.", "Ett värde per rad.", "One value a line."),
    "datetime_help": (
        "VVVV-KK-PP tai VVVV-KK-PPTHH:MM (UTC)",
        "ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM-DDTHH:MM (UTC)",
        "YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)",
    ),
    "rows_help": (
        "Täytä viimeinen tyhjä rivi lisätäksesi rivin; tyhjennä rivi poistaaksesi sen.",
        "Fyll i den sista tomma raden för att lägga till en rad; töm en rad för att ta bort den.",
        "Fill in the last, empty row to add one; empty a row to remove it.",
    ),
}
