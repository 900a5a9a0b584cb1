from .. import LanguageResources

RESOURCES = LanguageResources(
    code="it",
    months={
        "gennaio": 1, "gen": 1, "febbraio": 2, "feb": 2, "marzo": 3, "mar": 3, "aprile": 4,
        "apr": 4, "maggio": 5, "mag": 5, "giugno": 6, "giu": 6, "luglio": 7, "lug": 7,
        "agosto": 8, "ago": 8, "settembre": 9, "set": 9, "ottobre": 10, "ott": 10,
        "novembre": 11, "nov": 11, "dicembre": 12, "dic": 12,
    },
    weekdays=("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
    crumb_heads=("home", "homepage"),
    furniture=("cookie", "accedi", "registrati", "password", "iscriviti", "abbonati",
               "newsletter", "leggi anche", "articoli correlati", "più letti",
               "lascia un commento", "note legali", "tutti i diritti riservati", "seguici",
               "home page", "vai al contenuto", "partita iva", "p.iva"),
    related_links=("leggi anche", "vedi anche", "potrebbe interessarti", "articoli correlati",
                   "leggi di più"),
    prev_next=("articolo precedente", "articolo successivo"),
    widget_lines=("condividi", "condividi su facebook", "condividi su twitter", "stampa",
                  "pubblicità", "abbonati", "commenta", "commenti",
                  "tutti i diritti riservati", "seguici"),
    counter_words=("commento", "commenti", "condivisioni", "visualizzazioni"),
    date_keys=("data", "pubblicato", "pubblicato il", "aggiornato", "aggiornato il"),
    byline_keys=("di",),
    credit_keys=("con", "fonte", "fonti"),
    yesterday=("ieri",),
    today=("oggi",),
)
