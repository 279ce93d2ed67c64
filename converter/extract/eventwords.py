"""Hold the words that tell an event in English and Spanish: its kinds, cues and names."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """Return the set of the space-separated words of ``text``."""
    return frozenset(text.split())


# kind -> its words in English and Spanish; "_" joins the words of a phrase.
TERMS = {
    "course": "course courses online_course curso cursos diplomado mooc",
    "training": "training trainings train trains trained training_program training_programme"
    " capacitación capacitaciones capacita capacitan capacitó capacitaron entrenamiento",
    "workshop": "workshop workshops taller talleres",
    "seminar": "seminar seminars webinar webinars seminario seminarios webinario webinarios"
    " conversatorio conversatorios",
    "forum": "forum forums foro foros",
    "dialogue": "dialogue dialogues dialog diálogo diálogos",
    "meeting": "meeting meetings reunión reuniones encuentro encuentros roundtable round_table"
    " mesa_redonda",
    "conference": "conference conferences conferencia conferencias summit cumbre congress"
    " congreso symposium simposio",
    "signing": "memorandum_of_understanding mou memorando_de_entendimiento"
    " memorándum_de_entendimiento carta_de_entendimiento carta_de_intención letter_of_intent",
    "launch": "launch launches launched launching lanzamiento lanza lanzan lanzó lanzaron",
    "ceremony": "ceremony ceremonia graduation graduación inauguration inauguración clausura",
}
# kind -> (family, the category published: the shapes allow eight, labels in en and es).
# Kinds of one family describe the same event: a headline's "training" is the body's course.
KINDS = {
    "course": ("education", "course", "Course", "Curso"),
    "training": ("education", "training", "Training", "Capacitación"),
    "workshop": ("education", "workshop", "Workshop", "Taller"),
    "seminar": ("education", "conference", "Seminar", "Seminario"),
    "forum": ("gathering", "forum", "Forum", "Foro"),
    "dialogue": ("gathering", "forum", "Dialogue", "Diálogo"),
    "meeting": ("gathering", "meeting", "Meeting", "Reunión"),
    "conference": ("gathering", "conference", "Conference", "Conferencia"),
    "signing": ("signing", "signing", "Signing", "Firma"),
    "launch": ("launch", "launch", "Launch", "Lanzamiento"),
    "ceremony": ("ceremony", "meeting", "Ceremony", "Ceremonia"),
}
# Sentence cues: tag -> words. "sign" makes a signing only beside an "agreement".
CUES = {
    "sign": "sign signs signed signing firma firman firmaron firmó suscriben suscribieron"
    " suscribió",
    "agreement": "agreement agreements accord convenio convenios acuerdo acuerdos memorandum"
    " memorando protocol protocolo",
    "verb": "held hold holds hosted hosts organized organised organizes organises convened"
    " took_place takes_place carried_out conducted participated attended took_part concluded"
    " inaugurated opened kicked_off began started gathered brought_together delivered"
    " facilitated was_done realizó realizaron realizará llevó_a_cabo llevaron_a_cabo celebró"
    " celebraron organizó organizaron participaron participó asistieron concluyó culminó"
    " clausuró inauguró desarrolló impartió convocó reunió congregó tuvo_lugar",
    "participation": "participated participate attended took_part joined trained participaron"
    " participó asistieron capacitados capacitadas formados formadas",
    "online": "online on-line virtual virtually webinar webinars zoom videoconference remotely"
    " en_línea virtuales virtualmente videoconferencia webinario a_distancia",
    "offline": "in-person in_person face-to-face face_to_face presencial presenciales"
    " presencialmente on-site onsite",
    "mixed": "hybrid blended híbrido híbrida semipresencial bimodal",
    "today": "today tonight this_morning hoy esta_mañana esta_tarde",
    "yesterday": "yesterday ayer",
    "event": "event events evento eventos session sessions sesión sesiones",
    "publication": "report study guide handbook manual toolkit publication book assessment"
    " profile informe estudio guía publicación libro diagnóstico",
}
SPANISH = _words("el la los las del para con por una sobre y")
ENGLISH = _words("the of and for with to on by an")
RELATED = frozenset({"verb", "participation"})
EVIDENCE = frozenset({"verb", "participation", "online", "offline", "mixed", "today", "yesterday"})
# Terms that are verbs ("IOM trains officials"): they make an event but never name it.
VERB_FORMS = _words(
    "train trains trained launch launches launched launching lanza lanzan lanzó lanzaron"
    " capacita capacitan capacitó capacitaron"
)
ARTICLES = _words(
    "the a an this that these its their our el la los las lo un una este esta estos estas su sus"
)
CONNECTORS = _words("of on for and in the a an with & de del la las los el sobre para y e en con")
# Verbs that open or close a title-case headline's event name ("Panama Initiates ...").
HEADLINE_VERBS = _words(
    "launch launches launched hold holds held host hosts hosted organize organizes organized"
    " organise organises organised open opens opened close closes closed conclude concludes"
    " concluded begin begins began start starts started celebrate celebrates celebrated convene"
    " convenes convened train trains trained sign signs signed present presents presented lead"
    " leads promote promotes support supports strengthen strengthens deliver delivers offer"
    " offers provide provides conduct conducts initiate initiates initiated is was are were will"
    " realiza realizan inicia inician concluye lanza lanzan celebra celebran organiza organizan"
    " presenta presentan"
)
MAX_NAME_WORDS = 24
BY_VERBS = _words(
    "organized organised provided promoted hosted convened held led facilitated delivered"
    " organizado organizada organizados organizadas convocado convocada promovido promovida"
    " impulsado impulsada realizado realizada facilitado facilitada liderado liderada"
)
# A participant count, matched where a number starts: "50 journalists", "45 funcionarios
# públicos"; "more than", "over" or "some" before it leave the number as the count.
COUNT = (
    r"(\d{1,3}(?:[,.]\d{3})+|\d{1,6})\s+"
    r"(?:(?!(?:and|or|y|o|from|of|de|del|in|en)\b)[^\W\d_]+\s+){0,2}?"
    r"(?:participants|attendees|people|persons|journalists|officials|officers|"
    r"representatives|delegates|students|professionals|members|leaders|experts|"
    r"authorities|staff|civil\s+servants|public\s+servants|trainees|women|young\s+people|"
    r"participantes|asistentes|personas|periodistas|funcionari[oa]s|representantes|"
    r"delegad[oa]s|estudiantes|profesionales|miembros|l[ií]deres|expert[oa]s|"
    r"autoridades|servidor[ae]s|mujeres|j[oó]venes)\b"
)
