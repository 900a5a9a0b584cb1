from .. import LanguageResources

RESOURCES = LanguageResources(
    code="es",
    months={
        "enero": 1, "ene": 1, "febrero": 2, "feb": 2, "marzo": 3, "mar": 3, "abril": 4,
        "abr": 4, "mayo": 5, "may": 5, "junio": 6, "jun": 6, "julio": 7, "jul": 7,
        "agosto": 8, "ago": 8, "septiembre": 9, "setiembre": 9, "sep": 9, "octubre": 10,
        "oct": 10, "noviembre": 11, "nov": 11, "diciembre": 12, "dic": 12,
    },
    weekdays=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    crumb_heads=("inicio", "portada"),
    related_links=("lea también", "lee también", "leer más", "ver también", "te puede interesar",
                   "noticias relacionadas", "más información"),
    prev_next=("artículo anterior", "artículo siguiente", "noticia anterior",
               "noticia siguiente"),
    widget_lines=("compartir", "compartir en facebook", "compartir en twitter", "tuitear",
                  "imprimir", "publicidad", "suscríbete", "comentar", "comentarios",
                  "todos los derechos reservados", "síguenos"),
    counter_words=("comentario", "comentarios", "compartido", "compartidos", "visitas"),
    date_keys=("fecha", "publicado", "publicado el", "actualizado", "actualizado el"),
    byline_keys=("por",),
    credit_keys=("con", "fuente", "fuentes"),
    yesterday=("ayer",),
    today=("hoy",),
)
