"""English and Spanish messages for the pages, and the small formatters they need.

One catalog per language (a flat dict of dotted keys). Templates get a
`Translator`, called as `t("key", name=value)`; a `count` argument picks the
`.one` / `.other` form. Dates, times, numbers and money are formatted here by
hand (no Babel): the pages only need a handful of shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from server.search.query import MatchCount
from web import (
    i18n_accounts,
    i18n_badges,
    i18n_dashboard,
    i18n_dashboard_stacks,
    i18n_stacks,
)

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"

EN: dict[str, str] = {
    "site.name": "CityLearn",
    "site.tagline": "Find summer programs, workshops and events near you.",
    "nav.label": "Main",
    "nav.home": "Home",
    "nav.search": "Search",
    "nav.online": "Online",
    "lang.switch": "Español",
    "lang.switch_code": "es",
    "skip": "Skip to main content",
    "footer.text": "CityLearn connects young people with learning all over the city.",
    "footer.privacy": "We do not track you. Our cookies only remember your language and keep "
    "you signed in.",
    # Home
    "home.title": "Find something to learn this summer",
    "home.lead": "Programs, camps, workshops and events from museums, libraries, "
    "parks and community groups.",
    "home.topics": "Popular topics",
    "home.online": "Browse online activities",
    "home.all": "See everything coming up",
    # Search form
    "form.q": "ZIP code or address",
    "form.q_hint": "For example 60614",
    "form.text": "Keywords",
    "form.text_hint": "Robots, soccer, art…",
    "form.submit": "Search",
    "form.apply": "Show results",
    "form.locate": "Use my location",
    "form.locating": "Finding your location…",
    "form.locate_failed": "We could not get your location. Type a ZIP code instead.",
    "form.filters": "Filters",
    "form.radius": "Distance",
    "form.radius_option": "Within {km} km ({mi} mi)",
    "form.age": "Age",
    "form.age_hint": "Your age",
    "form.topics": "Topics",
    "form.cost": "Cost",
    "form.free": "Free only",
    "form.max_cost": "Costs at most ($)",
    "form.delivery": "How",
    "form.kind": "Type",
    "form.any": "Any",
    "form.dates": "Dates",
    "form.from": "From",
    "form.to": "To",
    "form.days": "Days",
    "form.time": "Time of day",
    "form.language": "Taught in",
    "form.access": "Accessibility",
    "form.sort": "Sort by",
    "form.reset": "Clear all filters",
    # Search results
    "search.title": "Search",
    "search.results_title": "Results",
    "search.count.one": "{count} result",
    "search.count.other": "{count} results",
    "search.count_capped": "More than {count} results",
    "search.near": "near {place}",
    "search.near_you": "near your location",
    "search.within": "within {km} km",
    "search.everywhere": "everywhere, soonest first",
    "search.none": "Nothing matched. Try a bigger distance or fewer filters.",
    "search.next": "Next page",
    "search.first": "Back to first page",
    "search.pages": "More results",
    "search.online_hint": "A search near a place only shows programs that happen somewhere.",
    "search.online_link": "See online opportunities",
    "search.no_place_link": "Search without a location",
    "search.map": "Map of the results on this page",
    "search.map_center": "Search center",
    "search.map_note": "The map shows results on this page. Numbers match the list.",
    "result.distance": "Distance",
    "result.online": "Online",
    "result.stale": "This listing may be out of date: check with the organization.",
    "result.next": "Next",
    "result.no_dates": "Ongoing, no set dates",
    "result.cost": "Cost",
    "result.ages": "Ages",
    "result.how": "How",
    "result.org": "Offered by",
    # Values
    "cost.free": "Free",
    "cost.aid": "financial aid available",
    "ages.range": "{min}\u2013{max}",
    "ages.plus": "{min}+",
    "distance.value": "{km} km ({mi} mi)",
    "grade.k": "Kindergarten",
    "grade.n": "Grade {n}",
    "grade.post": "College",
    "grades.range": "{min} to {max}",
    # Detail
    "detail.when": "When",
    "detail.upcoming": "Upcoming dates",
    "detail.more_dates.one": "and {count} more date",
    "detail.more_dates.other": "and {count} more dates",
    "detail.where": "Where",
    "detail.directions": "Directions",
    "detail.approximate": "Location is approximate (ZIP code area).",
    "detail.ages": "Ages",
    "detail.grades": "Grades",
    "detail.cost": "Cost",
    "detail.languages": "Languages",
    "detail.access": "Accessibility",
    "detail.topics": "Topics",
    "detail.register": "Register",
    "detail.register_note": "Registration happens on the organizer's website.",
    "detail.calendar": "Add to calendar (.ics)",
    "calendar.subscribe": "Subscribe (iCalendar)",
    "calendar.search_name": "CityLearn search",
    "detail.about": "About",
    "detail.by": "Offered by",
    "detail.online_place": "Online",
    "detail.capacity": "Spots",
    "detail.free_internet": "Free internet here",
    "detail.back": "Back to search",
    # Organization
    "org.places": "Places",
    "org.listings": "Opportunities",
    "org.website": "Website",
    "org.no_listings": "No upcoming opportunities right now.",
    # Errors
    "error.title": "Please check your search",
    "error.q": "We could not find that ZIP code or address. Try a 5-digit ZIP code like 60614.",
    "error.latlng": "That location is not valid. Type a ZIP code instead.",
    "error.radius": "Choose a distance from the list.",
    "error.age": "Age must be a whole number, like 12.",
    "error.max_cost": "Maximum cost must be a number of dollars, 0 or more.",
    "error.date": "Dates look like 2026-07-01.",
    "error.dates_order": "The end date is before the start date.",
    "error.day": "Pick days from the list.",
    "error.choice": "Pick a value from the list.",
    "error.after": "That page link is out of date. Start again from the first page.",
    "error.text": "The keywords are too long.",
    "error.generic": "Something in the search is not valid.",
    "notfound.title": "Page not found",
    "notfound.text": "We could not find that page. It may have ended or moved.",
    "notfound.search": "Search for opportunities",
    # Enumerations
    "kind.program": "Program",
    "kind.workshop": "Workshop",
    "kind.event": "Event",
    "kind.online_activity": "Online activity",
    "kind.drop_in": "Drop-in",
    "kind.camp": "Camp",
    "kind.course": "Course",
    "kind.volunteering": "Volunteering",
    "kind.internship": "Internship",
    "kind.job_shadow": "Job shadow",
    "kind.apprenticeship": "Apprenticeship",
    "delivery.onsite": "In person",
    "delivery.online": "Online",
    "delivery.hybrid": "In person and online",
    "access.wheelchair": "Wheelchair accessible",
    "access.asl": "ASL interpretation",
    "access.sensory_friendly": "Sensory friendly",
    "access.captions": "Captions",
    "access.transit_nearby": "Near public transit",
    "time.morning": "Morning",
    "time.afternoon": "Afternoon",
    "time.evening": "Evening",
    "sort.distance": "Nearest first",
    "sort.soonest": "Soonest first",
    "sort.relevance": "Best match",
}

ES: dict[str, str] = {
    "site.name": "CityLearn",
    "site.tagline": "Encuentra programas de verano, talleres y eventos cerca de ti.",
    "nav.label": "Principal",
    "nav.home": "Inicio",
    "nav.search": "Buscar",
    "nav.online": "En línea",
    "lang.switch": "English",
    "lang.switch_code": "en",
    "skip": "Saltar al contenido principal",
    "footer.text": "CityLearn conecta a la juventud con el aprendizaje en toda la ciudad.",
    "footer.privacy": "No te rastreamos. Nuestras cookies solo recuerdan tu idioma y mantienen "
    "tu sesión abierta.",
    "home.title": "Encuentra algo para aprender este verano",
    "home.lead": "Programas, campamentos, talleres y eventos de museos, bibliotecas, "
    "parques y grupos comunitarios.",
    "home.topics": "Temas populares",
    "home.online": "Ver actividades en línea",
    "home.all": "Ver todo lo que viene",
    "form.q": "Código postal o dirección",
    "form.q_hint": "Por ejemplo 60614",
    "form.text": "Palabras clave",
    "form.text_hint": "Robots, fútbol, arte…",
    "form.submit": "Buscar",
    "form.apply": "Ver resultados",
    "form.locate": "Usar mi ubicación",
    "form.locating": "Buscando tu ubicación…",
    "form.locate_failed": "No pudimos obtener tu ubicación. Escribe un código postal.",
    "form.filters": "Filtros",
    "form.radius": "Distancia",
    "form.radius_option": "A menos de {km} km ({mi} mi)",
    "form.age": "Edad",
    "form.age_hint": "Tu edad",
    "form.topics": "Temas",
    "form.cost": "Costo",
    "form.free": "Solo gratis",
    "form.max_cost": "Cuesta como máximo ($)",
    "form.delivery": "Modalidad",
    "form.kind": "Tipo",
    "form.any": "Cualquiera",
    "form.dates": "Fechas",
    "form.from": "Desde",
    "form.to": "Hasta",
    "form.days": "Días",
    "form.time": "Hora del día",
    "form.language": "Idioma de enseñanza",
    "form.access": "Accesibilidad",
    "form.sort": "Ordenar por",
    "form.reset": "Quitar todos los filtros",
    "search.title": "Buscar",
    "search.results_title": "Resultados",
    "search.count.one": "{count} resultado",
    "search.count.other": "{count} resultados",
    "search.count_capped": "Más de {count} resultados",
    "search.near": "cerca de {place}",
    "search.near_you": "cerca de tu ubicación",
    "search.within": "a menos de {km} km",
    "search.everywhere": "en todas partes, los más próximos primero",
    "search.none": "No hubo resultados. Prueba una distancia mayor o menos filtros.",
    "search.next": "Página siguiente",
    "search.first": "Volver a la primera página",
    "search.pages": "Más resultados",
    "search.online_hint": "Una búsqueda cerca de un lugar solo muestra programas presenciales.",
    "search.online_link": "Ver oportunidades en línea",
    "search.no_place_link": "Buscar sin ubicación",
    "search.map": "Mapa de los resultados de esta página",
    "search.map_center": "Centro de la búsqueda",
    "search.map_note": "El mapa muestra los resultados de esta página. "
    "Los números coinciden con la lista.",
    "result.distance": "Distancia",
    "result.online": "En línea",
    "result.stale": "Esta actividad puede no estar al día: confírmala con la organización.",
    "result.next": "Próxima fecha",
    "result.no_dates": "Continuo, sin fechas fijas",
    "result.cost": "Costo",
    "result.ages": "Edades",
    "result.how": "Modalidad",
    "result.org": "Ofrecido por",
    "cost.free": "Gratis",
    "cost.aid": "hay ayuda financiera",
    "ages.range": "{min}\u2013{max}",
    "ages.plus": "{min}+",
    "distance.value": "{km} km ({mi} mi)",
    "grade.k": "Kínder",
    "grade.n": "Grado {n}",
    "grade.post": "Universidad",
    "grades.range": "{min} a {max}",
    "detail.when": "Cuándo",
    "detail.upcoming": "Próximas fechas",
    "detail.more_dates.one": "y {count} fecha más",
    "detail.more_dates.other": "y {count} fechas más",
    "detail.where": "Dónde",
    "detail.directions": "Cómo llegar",
    "detail.approximate": "La ubicación es aproximada (zona del código postal).",
    "detail.ages": "Edades",
    "detail.grades": "Grados",
    "detail.cost": "Costo",
    "detail.languages": "Idiomas",
    "detail.access": "Accesibilidad",
    "detail.topics": "Temas",
    "detail.register": "Inscribirse",
    "detail.register_note": "La inscripción se hace en el sitio web del organizador.",
    "detail.calendar": "Agregar al calendario (.ics)",
    "calendar.subscribe": "Suscribirse (iCalendar)",
    "calendar.search_name": "Búsqueda en CityLearn",
    "detail.about": "Descripción",
    "detail.by": "Ofrecido por",
    "detail.online_place": "En línea",
    "detail.capacity": "Cupos",
    "detail.free_internet": "Internet gratis aquí",
    "detail.back": "Volver a la búsqueda",
    "org.places": "Lugares",
    "org.listings": "Oportunidades",
    "org.website": "Sitio web",
    "org.no_listings": "No hay oportunidades próximas por ahora.",
    "error.title": "Revisa tu búsqueda",
    "error.q": "No encontramos ese código postal o dirección. "
    "Prueba un código de 5 dígitos como 60614.",
    "error.latlng": "Esa ubicación no es válida. Escribe un código postal.",
    "error.radius": "Elige una distancia de la lista.",
    "error.age": "La edad debe ser un número entero, como 12.",
    "error.max_cost": "El costo máximo debe ser una cantidad en dólares, 0 o más.",
    "error.date": "Las fechas se escriben así: 2026-07-01.",
    "error.dates_order": "La fecha final es anterior a la inicial.",
    "error.day": "Elige días de la lista.",
    "error.choice": "Elige un valor de la lista.",
    "error.after": "Ese enlace de página ya no vale. Empieza otra vez desde la primera página.",
    "error.text": "Las palabras clave son demasiado largas.",
    "error.generic": "Algo en la búsqueda no es válido.",
    "notfound.title": "Página no encontrada",
    "notfound.text": "No encontramos esa página. Puede que haya terminado o se haya movido.",
    "notfound.search": "Buscar oportunidades",
    "kind.program": "Programa",
    "kind.workshop": "Taller",
    "kind.event": "Evento",
    "kind.online_activity": "Actividad en línea",
    "kind.drop_in": "Sin cita previa",
    "kind.camp": "Campamento",
    "kind.course": "Curso",
    "kind.volunteering": "Voluntariado",
    "kind.internship": "Pasantía",
    "kind.job_shadow": "Observación laboral",
    "kind.apprenticeship": "Aprendizaje profesional",
    "delivery.onsite": "Presencial",
    "delivery.online": "En línea",
    "delivery.hybrid": "Presencial y en línea",
    "access.wheelchair": "Accesible en silla de ruedas",
    "access.asl": "Interpretación en lengua de señas (ASL)",
    "access.sensory_friendly": "Adaptado sensorialmente",
    "access.captions": "Subtítulos",
    "access.transit_nearby": "Cerca del transporte público",
    "time.morning": "Mañana",
    "time.afternoon": "Tarde",
    "time.evening": "Noche",
    "sort.distance": "Más cerca primero",
    "sort.soonest": "Más pronto primero",
    "sort.relevance": "Más relevante",
}

# The account, consent and partner pages keep their messages in their own module.
EN.update(i18n_accounts.EN)
ES.update(i18n_accounts.ES)
# The partner dashboard's listings, feeds and import pages: theirs too.
EN.update(i18n_dashboard.EN)
ES.update(i18n_dashboard.ES)

EN.update(i18n_badges.EN)
ES.update(i18n_badges.ES)
# The partner dashboard's stacks, gates and applicants pages, and rules in words.
EN.update(i18n_dashboard_stacks.EN)
ES.update(i18n_dashboard_stacks.ES)
# The learner's stacks pages, the apply form and the search marker.
EN.update(i18n_stacks.EN)
ES.update(i18n_stacks.ES)

CATALOGS: dict[str, dict[str, str]] = {"en": EN, "es": ES}

# Languages a listing may be taught in, by ISO 639-1 code: (English name, Spanish name).
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "en": ("English", "inglés"),
    "es": ("Spanish", "español"),
    "pl": ("Polish", "polaco"),
    "zh": ("Chinese", "chino"),
    "ar": ("Arabic", "árabe"),
    "ko": ("Korean", "coreano"),
    "vi": ("Vietnamese", "vietnamita"),
    "tl": ("Tagalog", "tagalo"),
    "ur": ("Urdu", "urdu"),
    "hi": ("Hindi", "hindi"),
    "fr": ("French", "francés"),
    "ru": ("Russian", "ruso"),
    "uk": ("Ukrainian", "ucraniano"),
    "asl": ("American Sign Language", "lengua de señas americana"),
}

_MONTHS = {
    "en": (
        "January February March April May June July August September October November December"
    ).split(),
    "es": (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    ).split(),
}
_DAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
    "es": "lunes martes miércoles jueves viernes sábado domingo".split(),
}
_SHORT_DAYS = {
    "en": "Mon Tue Wed Thu Fri Sat Sun".split(),
    "es": "lun mar mié jue vie sáb dom".split(),
}
_SHORT_MONTHS = {
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
    "es": "ene feb mar abr may jun jul ago sept oct nov dic".split(),
}

KM_PER_MILE = 1.609344


def normalize(code: str | None) -> str | None:
    """'es-MX' -> 'es'; None for languages the site does not speak."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in CATALOGS else None


def from_accept_language(header: str | None) -> str | None:
    """The best supported language of an Accept-Language header, honoring q-values."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:20]):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        code = normalize(tag)
        if code and quality > 0:
            ranked.append((-quality, index, code))
    return min(ranked)[2] if ranked else None


def choose_language(
    query_lang: str | None, cookie_lang: str | None, accept_language: str | None
) -> str:
    return (
        normalize(query_lang)
        or normalize(cookie_lang)
        or from_accept_language(accept_language)
        or DEFAULT_LANGUAGE
    )


def _decimal(value: float, digits: int, lang: str) -> str:
    text = f"{value:,.{digits}f}"
    if lang == "es":
        # 1,234.5 -> 1.234,5
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


class Translator:
    """Messages and formatting for one language; passed into templates as `t`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in CATALOGS else DEFAULT_LANGUAGE
        self.messages = CATALOGS[self.lang]

    def __call__(self, key: str, **params: object) -> str:
        count = params.get("count")
        if isinstance(count, int):
            plural = f"{key}.one" if count == 1 else f"{key}.other"
            if plural in self.messages:
                key = plural
        message = self.messages.get(key) or EN.get(key) or key
        return message.format(**params) if params else message

    def has(self, key: str) -> bool:
        return key in self.messages

    def match_count(self, total: MatchCount) -> str:
        """'12 results', or 'More than 100 results' when the count stopped at its cap."""
        key = "search.count_capped" if total.capped else "search.count"
        if not total.capped:
            key += ".one" if total.value == 1 else ".other"
        message = self.messages.get(key) or EN[key]
        return message.format(count=self.number(total.value))

    # -- numbers ---------------------------------------------------------------

    def number(self, value: float, digits: int = 0) -> str:
        return _decimal(value, digits, self.lang)

    def distance(self, km: float) -> str:
        miles = km / KM_PER_MILE
        return self("distance.value", km=self.number(km, 1), mi=self.number(miles, 1))

    def km_option(self, km: float) -> str:
        digits = 0 if km == int(km) else 1
        return self(
            "form.radius_option",
            km=self.number(km, digits),
            mi=self.number(km / KM_PER_MILE, 1),
        )

    def money(self, cents: int) -> str:
        if cents == 0:
            return self("cost.free")
        digits = 0 if cents % 100 == 0 else 2
        return "$" + self.number(cents / 100, digits)

    def ages(self, min_age: int, max_age: int) -> str:
        if max_age >= 99:
            return self("ages.plus", min=min_age)
        return self("ages.range", min=min_age, max=max_age)

    def grade(self, grade: int) -> str:
        if grade <= 0:
            return self("grade.k")
        if grade >= 13:
            return self("grade.post")
        return self("grade.n", n=grade)

    def grades(self, min_grade: int | None, max_grade: int | None) -> str | None:
        if min_grade is None and max_grade is None:
            return None
        if min_grade is None or max_grade is None or min_grade == max_grade:
            return self.grade(min_grade if min_grade is not None else max_grade or 0)
        return self("grades.range", min=self.grade(min_grade), max=self.grade(max_grade))

    def language_name(self, code: str) -> str:
        names = LANGUAGE_NAMES.get(code.lower())
        if names is None:
            return code
        return names[0] if self.lang == "en" else names[1]

    # -- dates and times -------------------------------------------------------

    def weekday(self, iso_day: int) -> str:
        return _DAYS[self.lang][(iso_day - 1) % 7]

    def month(self, month: int) -> str:
        return _MONTHS[self.lang][month - 1]

    def clock(self, value: time | datetime) -> str:
        if self.lang == "en":
            hour = value.hour % 12 or 12
            suffix = "AM" if value.hour < 12 else "PM"
            if value.minute:
                return f"{hour}:{value.minute:02d} {suffix}"
            return f"{hour} {suffix}"
        return f"{value.hour}:{value.minute:02d}"

    def long_date(self, value: date) -> str:
        """Long form: 'Saturday, June 14, 2026' / 'sábado, 14 de junio de 2026'."""
        day = self.weekday(value.isoweekday())
        if self.lang == "en":
            return f"{day}, {self.month(value.month)} {value.day}, {value.year}"
        return f"{day}, {value.day} de {self.month(value.month)} de {value.year}"

    def short_date(self, value: date, *, today: date | None = None) -> str:
        """'Sat, Jun 14' / 'sáb 14 jun', with the year only when it is not this year."""
        day = _SHORT_DAYS[self.lang][value.isoweekday() - 1]
        month = _SHORT_MONTHS[self.lang][value.month - 1]
        show_year = today is not None and value.year != today.year
        if self.lang == "en":
            text = f"{day}, {month} {value.day}"
            return f"{text}, {value.year}" if show_year else text
        text = f"{day} {value.day} {month}"
        return f"{text} {value.year}" if show_year else text

    def when(
        self,
        starts_at: datetime,
        ends_at: datetime | None,
        zone: str,
        *,
        long: bool = False,
        today: date | None = None,
    ) -> str:
        """A session in the listing's own time zone: 'Sat, Jun 14, 10 AM - 12 PM'."""
        tz = _zone(zone)
        start = starts_at.astimezone(tz)
        day = self.long_date(start.date()) if long else self.short_date(start.date(), today=today)
        text = f"{day}, {self.clock(start)}"
        if ends_at is not None:
            end = ends_at.astimezone(tz)
            if end.date() == start.date():
                text += f" \u2013 {self.clock(end)}"
            else:
                end_day = self.short_date(end.date(), today=today)
                text += f" \u2013 {end_day}, {self.clock(end)}"
        return text


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo("America/Chicago")


def translators() -> Mapping[str, Translator]:
    return {code: Translator(code) for code in LANGUAGES}
