"""The starter rule pack ``tracecheck init-pack`` writes: commented YAML, in English or Spanish.

``starter_pack(lang, schema)`` is the text. Only ``extends``, ``name`` and ``version`` are live; every
other section is an example commented out with a single ``# `` (remove it, keep the indentation, and
the section works: the tests load the pack with every example uncommented), while explanations start
with ``## ``. ``schema`` is written into the ``yaml-language-server`` comment, so editors complete
and check the keys. Pure text: the CLI writes it.
"""

from __future__ import annotations

EXAMPLE_PREFIX = "# "  # an example line; explanations start with "## "

_EN = """\
# yaml-language-server: $schema={schema}
## A tracecheck rule pack, written by `tracecheck init-pack`. Use it with:
##   tracecheck check batch.xlsx --rules {file}
## Lines starting with "## " explain. Lines starting with a single "# " are examples: delete the "# "
## (keep the indentation) to use one. Lists here ADD to the shipped defaults: never repeat them.
## A mistake stops the run before any batch is read, with one line naming this file, the line, the rule
## and the key (exit code 2). `tracecheck rules --rules {file}` shows the rules this pack runs.

extends: default          # the shipped rules, reference tables and header names
name: my-agency
version: "1"

## Rules you do not want, by code (TC312), prefix (TC3), name (late-submission) or family (dates).
# ignore: [short-time-to-crime]

## One `rules:` mapping, by code or name. To change a shipped rule give only what changes: severity
## (error, warning or info), params, message, fix. `tracecheck explain TC310` lists a rule's parameters.
## A new rule takes a code the shipped pack does not use (TC901...) and reuses a shipped check kind
## (`check:`) with its own parameters; it needs every key shown (the example is checked as you load it).
# rules:
#   model-missing: {{severity: error}}
#   stale-purchase: {{params: {{max_years: 3}}}}
#   late-submission: {{severity: error, params: {{max_days: 180}}}}
#   TC901:
#     name: recovery-location-missing
#     severity: warning
#     check: value_missing
#     params: {{column: recovery_location}}
#     message: "Recovery location is missing ({{reason}})"
#     fix: "Enter the city and state where the firearm was recovered"
#     why: The tracing center ranks leads by where the firearm was recovered.
#     example:
#       bad: [{{serial_number: ABC1234, manufacturer: Glock, recovery_location: ""}}]
#       good: [{{serial_number: ABC1234, manufacturer: Glock, recovery_location: "Gary, IN"}}]
#   TC902:
#     name: purchase-over-ten-years
#     severity: info
#     fact: true
#     check: age_over
#     params: {{metric: request_age_days, start: purchase_date, end: request_date, max_years: 10}}
#     message: "Purchased {{years:.1f}} years before the request (over {{max_years}})"
#     fix: "Nothing to correct: send recent purchases first"
#     why: Records of sales more than ten years old are often gone.
#     example:
#       bad: [{{serial_number: ABC1234, purchase_date: "2005-01-01", request_date: "2021-06-01"}}]
#       good: [{{serial_number: ABC1234, purchase_date: "2019-01-01", request_date: "2021-06-01"}}]

## Other headers your sheets use for a field (added to the shipped names). `tracecheck map FILE --pack`
## drafts this section, and `map:`, from one of your sheets.
# columns:
#   serial_number: ["Gun no.", "Serial #"]
#   recovery_location: [Where seized]

## A fixed header for a field, when the same sheet layout comes every time.
# map:
#   request_id: "Internal ref"

## How close (0-100) a header must be to a known name to be taken for it (default 88).
# fuzzy_threshold: 90

## Serial values that mean "no serial" in your sheets, and words meaning it was obliterated.
# placeholders:
#   missing: [NOT RECORDED, SEE REPORT]
#   obliterated: [GROUND OFF]

## Makers and their countries: a new maker, or more spellings of a known one (by name).
# manufacturers:
#   - {{name: Sarsilmaz, country: Turkey, aliases: [SARSILMAZ, SAR ARMS]}}
#   - {{name: Glock, country: Austria, us_plant: true, aliases: [GLOCK USA]}}

## Other names of one agency (acronyms, former names): counted and shown as the name on the left.
# agency_aliases:
#   Cook County Sheriff's Office: [CCSO, Cook County Sheriff]
"""

_ES = """\
# yaml-language-server: $schema={schema}
## Paquete de reglas de tracecheck, escrito por `tracecheck init-pack`. Úselo así:
##   tracecheck check lote.xlsx --rules {file} --lang es
## Las líneas que empiezan con "## " explican. Las que empiezan con un solo "# " son ejemplos: borre el
## "# " (conserve la sangría) para usarlo. Las listas de aquí SE SUMAN a las de fábrica: no las repita.
## Un error detiene la ejecución antes de leer el lote, con una línea que nombra este archivo, la línea,
## la regla y la clave (código de salida 2). `tracecheck rules --rules {file}` muestra sus reglas.

extends: default          # las reglas, tablas y nombres de encabezado de fábrica
name: mi-dependencia
version: "1"

## Reglas que no quiere, por código (TC312), prefijo (TC3), nombre (late-submission) o familia (dates).
# ignore: [short-time-to-crime]

## Un solo mapeo `rules:`, por código o nombre. Para cambiar una regla de fábrica dé solo lo que cambia:
## severidad (error, warning o info), params, message, fix. `tracecheck explain TC310` da sus parámetros.
## Una regla nueva lleva un código que el paquete de fábrica no usa (TC901...) y reutiliza un tipo de
## verificación de fábrica (`check:`) con sus propios parámetros; necesita todas las claves del ejemplo.
# rules:
#   model-missing: {{severity: error}}
#   stale-purchase: {{params: {{max_years: 3}}}}
#   late-submission: {{severity: error, params: {{max_days: 180}}}}
#   TC901:
#     name: recovery-location-missing
#     severity: warning
#     check: value_missing
#     params: {{column: recovery_location}}
#     message: "Falta el lugar de aseguramiento ({{reason}})"
#     fix: "Anote el municipio y el estado donde se aseguró el arma"
#     why: El centro de rastreo ordena las pistas por el lugar del aseguramiento.
#     example:
#       bad: [{{serial_number: ABC1234, manufacturer: Glock, recovery_location: ""}}]
#       good: [{{serial_number: ABC1234, manufacturer: Glock, recovery_location: "Uruapan, Michoacán"}}]
#   TC902:
#     name: purchase-over-ten-years
#     severity: info
#     fact: true
#     check: age_over
#     params: {{metric: request_age_days, start: purchase_date, end: request_date, max_years: 10}}
#     message: "Comprada {{years:.1f}} años antes de la solicitud (más de {{max_years}})"
#     fix: "Nada que corregir: envíe primero las compras recientes"
#     why: Los registros de ventas de hace más de diez años suelen haberse perdido.
#     example:
#       bad: [{{serial_number: ABC1234, purchase_date: "2005-01-01", request_date: "2021-06-01"}}]
#       good: [{{serial_number: ABC1234, purchase_date: "2019-01-01", request_date: "2021-06-01"}}]

## Otros encabezados que sus hojas usan para un campo (se suman a los de fábrica).
## `tracecheck map ARCHIVO --pack` redacta esta sección, y `map:`, a partir de una de sus hojas.
# columns:
#   serial_number: ["No. de arma", "Matrícula del arma"]
#   recovery_location: [Lugar del hecho]

## Un encabezado fijo para un campo, cuando la hoja llega siempre con el mismo formato.
# map:
#   request_id: "Folio interno"

## Qué tan parecido (0-100) debe ser un encabezado a un nombre conocido para tomarlo (88 por omisión).
# fuzzy_threshold: 90

## Valores de serie que en sus hojas significan "sin serie", y palabras que indican que fue borrada.
# placeholders:
#   missing: [NO REGISTRADO, VER DICTAMEN]
#   obliterated: [DEVASTAD]

## Fabricantes y su país: uno nuevo, u otras grafías de uno conocido (por nombre).
# manufacturers:
#   - {{name: Sarsilmaz, country: Turkey, aliases: [SARSILMAZ, SAR ARMS]}}
#   - {{name: Glock, country: Austria, us_plant: true, aliases: [GLOCK MEXICO]}}

## Otros nombres de una dependencia (siglas, nombres anteriores): se cuentan y muestran con el de la izquierda.
# agency_aliases:
#   Fiscalía General del Estado de Jalisco: [FGE Jalisco, FGEJ]
"""

TEMPLATES = {"en": _EN, "es": _ES}


def starter_pack(lang: str, schema: str, file: str = "agency-pack.yml") -> str:
    """The starter pack's YAML in ``lang`` (en, es; KeyError otherwise); ``schema`` is the path or URL of
    the pack JSON Schema for the editor comment, ``file`` the pack's name in the usage lines."""
    return TEMPLATES[lang].format(schema=schema, file=file)


def uncommented(text: str) -> str:
    """``text`` with every example line's ``# `` removed (what a user gets by using every example)."""
    return "".join(line[len(EXAMPLE_PREFIX):] if line.startswith(EXAMPLE_PREFIX) and not line.startswith("# yaml-")
                   else line for line in text.splitlines(keepends=True))
