"""French time words (for ``recoupe.nlp.time``)."""

from .. import TimeLexicon

_LAST = ("dernier", "dernière", "derniers", "dernières", "passé", "passée", "précédent",
         "précédente")
_NEXT = ("prochain", "prochaine", "prochains", "prochaines", "suivant", "suivante")

TIME = TimeLexicon(
    code="fr",
    numbers={
        "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
        "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
        "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40,
        "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100, "mille": 1000,
    },
    multipliers=("vingt", "vingts", "cent", "cents", "mille"),
    first_day=("premier",),
    day_suffixes=("er", "ᵉʳ"),
    determiners=("le", "la", "l'", "les"),
    this=("ce", "cet", "cette", "ces"),
    last=_LAST,
    next=_NEXT,
    day_offsets={"aujourd'hui": 0, "hier": -1, "avant-hier": -2, "demain": 1,
                 "après-demain": 2},
    narrative_offsets={"le lendemain": 1, "la veille": -1, "le surlendemain": 2,
                       "l'avant-veille": -2, "le même jour": 0, "ce même jour": 0,
                       "le jour même": 0},
    parts_of_day={"matin": "MO", "matinée": "MO", "après-midi": "AF", "soir": "EV",
                  "soirée": "EV", "nuit": "NI", "mi-journée": "MI"},
    clock_words={"midi": 12, "minuit": 0},
    hour_marks=("h",),
    hour_words=("heure", "heures"),
    clock_preps=("à", "a", "vers", "dès", "jusqu'à", "avant", "après", "depuis", "de"),
    units={
        "seconde": ("TS", 1), "secondes": ("TS", 1), "minute": ("TM", 1), "minutes": ("TM", 1),
        "heure": ("TH", 1), "heures": ("TH", 1), "jour": ("D", 1), "jours": ("D", 1),
        "journée": ("D", 1), "journées": ("D", 1), "semaine": ("W", 1), "semaines": ("W", 1),
        "week-end": ("WE", 1), "mois": ("M", 1), "trimestre": ("M", 3), "trimestres": ("M", 3),
        "semestre": ("M", 6), "semestres": ("M", 6), "an": ("Y", 1), "ans": ("Y", 1),
        "année": ("Y", 1), "années": ("Y", 1), "décennie": ("Y", 10), "décennies": ("Y", 10),
        "siècle": ("Y", 100), "siècles": ("Y", 100), "quinquennat": ("Y", 5),
        "septennat": ("Y", 7), "millénaire": ("Y", 1000),
    },
    lone_durations=("quinquennat", "septennat", "décennie", "demi-siècle"),
    someday=("un jour",),
    half=("demi",),
    and_half=("et demi", "et demie"),
    vague=("quelques", "plusieurs"),
    seasons={"printemps": "SP", "été": "SU", "automne": "FA", "hiver": "WI"},
    season_dets=("l'", "cet", "ce", "en", "au", "cette", "de l'", "du"),
    mods={
        "début": "START", "au début de": "START", "en début de": "START", "dès le début de": "START",
        "fin": "END", "à la fin de": "END", "la fin de": "END", "le début de": "START", "en fin de": "END", "d'ici la fin de": "END",
        "mi": "MID", "à la mi": "MID", "au milieu de": "MID", "milieu": "MID",
        "vers": "APPROX", "environ": "APPROX", "près de": "APPROX", "quelque": "APPROX",
        "aux alentours de": "APPROX", "autour de": "APPROX", "une dizaine de": "APPROX",
        "plus de": "MORE_THAN", "moins de": "LESS_THAN", "au moins": "EQUAL_OR_MORE",
        "au plus": "EQUAL_OR_LESS",
    },
    refs={
        "actuellement": "PRESENT_REF", "désormais": "PRESENT_REF", "maintenant": "PRESENT_REF",
        "à présent": "PRESENT_REF", "de nos jours": "PRESENT_REF", "actuel": "PRESENT_REF",
        "actuelle": "PRESENT_REF", "actuels": "PRESENT_REF", "actuelles": "PRESENT_REF",
        "l'avenir": "FUTURE_REF", "à l'avenir": "FUTURE_REF", "le futur": "FUTURE_REF",
        "prochainement": "FUTURE_REF", "bientôt": "FUTURE_REF", "autrefois": "PAST_REF",
        "jadis": "PAST_REF", "naguère": "PAST_REF", "récemment": "PAST_REF",
        "prochain": "FUTURE_REF", "prochaine": "FUTURE_REF", "prochains": "FUTURE_REF",
        "prochaines": "FUTURE_REF", "précédent": "PAST_REF", "précédente": "PAST_REF",
        "précédents": "PAST_REF", "précédentes": "PAST_REF",
    },
    each=("chaque", "tous les", "toutes les"),
    per=("par",),
    ago_before=("il y a", "voici", "voilà"),
    within=("dans", "d'ici"),
    night_of=("la nuit de", "la nuit du", "dans la nuit de", "dans la nuit du"),
    age_before=("âgé de", "âgée de", "âgés de", "âgées de", "l'âge de", "âge de"),
    duration_nouns=("peine", "période", "durée", "prison", "réclusion", "mandat", "contrat",
                    "absence", "intervalle", "espace", "délai", "plus", "moins", "bail",
                    "programme", "plan", "sursis", "retard", "attente", "suspension"),
    decade=r"(?:les\s+)?années\s+(?P<dec>(?:19|20)?\d0)\b",
    century=r"(?:le\s+|au\s+|du\s+)?(?P<c>[IVX]{1,5}|\d{1,2})(?:e|è|ème|eme)\s+siècle",
    year_before=("en", "de", "depuis", "dès", "à", "au", "et", "l'an", "année", "avant",
                 "après", "jusqu'en", "entre", "vers", "fin", "début", "mi", "mi-", "courant",
                 "printemps", "été", "automne", "hiver", "janvier", "février", "mars", "avril",
                 "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
                 "décembre", "d'ici", "pour", "(", "dans", "saison", "exercice", "budget",
                 "promotion", "cru", "millésime", "édition", "ou", "que", "qu'en"),
    year_after=("et", "à", "au", "ou", "contre", "où", "le", "la", "les", "l'", "en", "pour",
                "par", "avec", "sur", "dans", "de", "des", "du", "qui", "que", "a", "ont",
                "est", "sont", "était", "avait", "se", "s'", "il", "elle", "ils", "on", "-",
                "puis", "déjà", "alors", "aussi", "encore", "avant", "après", "mais", "lors",
                "environ", "selon", "seulement", "jusqu'à", "jusqu'en", "ne", "n'", "y",
                "sur", "sous", "comme", "quand", "lorsque", "lorsqu'"),
    # Future: simple future and near future ("débuteront", "aura lieu", "va signer"), "doit"
    # + infinitive, "prévu", "à venir". Past: compound tenses, imparfait, passé simple.
    future=(r"\b(?:[a-zàâçéèêëîïôûù]{2,}(?:era|ira|dra|tra|vra|cra|lra|ora|ura|"
            r"eront|iront|dront|tront|vront|ront|rons|rez)|sera|seront|aura|auront|fera|"
            r"feront|ira|iront|va|vont|allons|allez|doit|doivent|devra|devront|devrait|"
            r"devraient|prévue?s?|programmée?s?|à venir|attendue?s?)\b"),
    past=(r"\b(?:(?:a|ai|as|avons|avez|ont|avait|avais|avions|aviez|avaient|eut|eurent|est|suis|"
          r"sommes|êtes|sont|était|étaient|fut|furent|s'est|se sont)\s+(?:\w+\s+)?"
          r"[a-zàâçéèêëîïôûù]+(?:é|ée|és|ées|i|ie|is|ies|ise|ises|it|ite|its|ites|u|ue|us|ues|"
          r"ert|erte|erts|ertes|aint|ainte|eint|einte|int|inte|ort|orte|orts|ortes)"
          r"|[a-zàâçéèêëîïôûù]{2,}(?<!r)(?:ait|aient)|[a-zàâçéèêëîïôûù]{2,}(?:èrent|irent|urent)"
          r"|dernier|dernière)\b"),
)
