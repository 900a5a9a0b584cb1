from .. import LanguageResources

RESOURCES = LanguageResources(
    code="fr",
    months={
        "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2,
        "mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7,
        "août": 8, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10,
        "novembre": 11, "nov": 11, "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
    },
    weekdays=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    crumb_heads=("accueil",),
    related_links=("lire aussi", "à lire aussi", "a lire aussi", "voir aussi", "lire la suite",
                   "à voir aussi", "sur le même sujet", "découvrez aussi", "en savoir plus"),
    prev_next=("article précédent", "article suivant", "précédent", "suivant"),
    widget_lines=("partager", "partager sur facebook", "partager sur twitter", "tweeter",
                  "envoyer par e-mail", "imprimer", "publicité", "abonnez-vous",
                  "s'abonner", "réagir", "commenter", "copier le lien", "tous droits réservés",
                  "newsletter", "suivez-nous"),
    counter_words=("partage", "partages", "commentaire", "commentaires", "réaction",
                   "réactions", "vue", "vues", "j'aime"),
    date_keys=("date", "publié le", "publié", "mis à jour le", "mis à jour", "modifié le",
               "mise à jour"),
    byline_keys=("par",),
    credit_keys=("avec", "source", "sources", "crédit", "crédits"),
    yesterday=("hier",),
    today=("aujourd'hui", "aujourd’hui"),
)
