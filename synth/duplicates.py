"""Seeded, labelled generator of trace-request batches with known firearm identities.

``generate_linked_batch`` builds a batch in which the same physical gun can appear on
several rows, so a duplicate-request finder can be scored (precision / recall) and
timed. Every cell of the English columns is a ``str`` or ``None``; four truth columns
say which rows belong together:

``_truth_gun``            int, the physical firearm
``_truth_event``          int, the recovery event (a gun recovered twice has two events)
``_truth_serial_usable``  bool, False when the serial was written as a placeholder or blank
``_truth_noise``          ';'-joined ``NOISE_KINDS`` applied to the row, or None

Rows of one event are duplicate requests ("cargas dobles": police, crime lab,
military, state and federal prosecutors sending the same gun); rows of two events of
one gun are a legitimate re-recovery. The model follows ``/work/shared/design/domain.md``
(§4 import markings, §5 serial conventions, "Realistic error patterns", "Duplicates")
and ``peers.md`` ("Duplicate detection"). Rates with no published source are
assumptions, gathered in the constants below.

Hard negatives (different guns that look alike) are built in on purpose:

* straw-purchase runs: 2-6 guns of one model bought on one day, serials consecutive in
  their last digit (no carry, so they differ in exactly one digit);
* raids: 3-10 guns of one model recovered on one day by one agency, unrelated serials
  (30 % of straw runs are also recovered together that way);
* twins: one 7-digit serial on a Star and on a Helwan, both imported by Interarms.

A true duplicate never differs from another row of its gun by a single substituted
character once labels, separators and case are removed and look-alike characters
(O/Q/D->0, I/L->1, B->8, S->5, Z->2, G->6; see ``CONFUSABLE_FOLD``) are folded:
that is the straw-run signature. The generator checks this and undoes the noise on
any later row that would break it.

Everything is vectorised with numpy (Python loops only over vocabulary entries), so a
million rows take a few seconds. The same arguments always give the same frame.
"""

from __future__ import annotations

import datetime
import re

import numpy as np
import pandas as pd

from synth.batches import _random_pos  # one random allowed column per row, shared
from synth.batches import _template as synth_template

__all__ = ["CONFUSABLE_FOLD", "HEADERS", "NOISE_KINDS", "NOISE_RATES", "PLACEHOLDERS", "PROFILES", "SERIAL_LABELS",
           "TRUTH_COLUMNS", "generate_linked_batch"]

HEADERS = ["Request ID", "Requesting Agency", "Manufacturer", "Model", "Caliber", "Type", "Serial Number",
           "Importer", "Country of Origin", "Purchase Date", "Recovery Date", "Request Date"]
TRUTH_COLUMNS = ["_truth_gun", "_truth_event", "_truth_serial_usable", "_truth_noise"]

# ---- structure rates (assumptions; domain.md suggests 2-5 % duplicate pairs) -----------------
P_SECOND_EVENT = 0.03            # guns recovered a second time, 120-2500 days later
P_MULTI_REQUEST = 0.08           # events that produce 2-5 request rows
EXTRA_REQUESTS = ([2, 3, 4, 5], [0.50, 0.25, 0.15, 0.10])
STRAW_GUN_SHARE = 0.03           # guns in straw-purchase runs of 2-6
STRAW_TOGETHER = 0.30            # straw runs whose guns are also recovered in one raid
RAID_GUN_SHARE = 0.03            # guns (~ events) in raids of 3-10
TWIN_PAIRS_PER_GUN = 0.00035     # Star/Helwan pairs sharing a serial (~3 per 10k rows)
P_PLACEHOLDER = 0.04             # rows whose serial is a placeholder or blank
FIRST_ROW_FACTOR = 0.2           # noise on the first row of an event, relative to NOISE_RATES
RECOVERY_OFFSET_DAYS = 3

# ``profile="dense"``: a national archive in which about 40 % of the rows repeat a request already
# in the batch (2-5 agencies per recovery: police, crime lab, military, prosecutors), with twice the
# re-recoveries and straw runs. Assumptions, like the rates above; the issue asks for >= 35 % repeats.
PROFILES = {
    "default": {"P_SECOND_EVENT": P_SECOND_EVENT, "P_MULTI_REQUEST": P_MULTI_REQUEST,
                "STRAW_GUN_SHARE": STRAW_GUN_SHARE, "RAID_GUN_SHARE": RAID_GUN_SHARE, "ROWS_PER_GUN": 1.15},
    "dense": {"P_SECOND_EVENT": 0.06, "P_MULTI_REQUEST": 0.36, "STRAW_GUN_SHARE": 0.06, "RAID_GUN_SHARE": 0.03,
              "ROWS_PER_GUN": 1.73},
}

# Per later (duplicate) row. serial_affix_missing applies only to serial formats with a
# droppable prefix or suffix, maker_is_importer only to imported guns.
NOISE_RATES = {
    "serial_confusable": 0.10, "serial_separator": 0.10, "serial_case": 0.05, "serial_label": 0.06,
    "serial_transposition": 0.03, "serial_indel": 0.03, "serial_affix_missing": 0.05,
    "maker_variant": 0.20, "maker_is_importer": 0.02, "model_variant": 0.15, "caliber_variant": 0.20,
    "type_variant": 0.05, "recovery_date_offset": 0.35, "recovery_date_blank": 0.03,
}
_SERIAL_CONTENT = ["serial_affix_missing", "serial_transposition", "serial_indel", "serial_confusable"]
_SERIAL_COSMETIC = ["serial_separator", "serial_case", "serial_label"]
NOISE_KINDS = [*_SERIAL_CONTENT, *_SERIAL_COSMETIC, "serial_placeholder", "maker_variant", "maker_is_importer",
               "model_variant", "caliber_variant", "type_variant", "recovery_date_offset", "recovery_date_blank"]
_BIT = {k: np.int32(1 << i) for i, k in enumerate(NOISE_KINDS)}

CONFUSABLE_FOLD = {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "B": "8", "S": "5", "Z": "2", "G": "6"}
# digit -> (look-alike letters, weights) for the digit-to-letter direction
_DIGIT_TO_LETTER = {"0": ("OQD", (0.7, 0.1, 0.2)), "1": ("IL", (0.6, 0.4)), "8": ("B", (1,)), "5": ("S", (1,)),
                    "2": ("Z", (1,)), "6": ("G", (1,))}
SERIAL_LABELS = ["S/N: ", "No. ", "#", "SERIE ", "MATRICULA ", "S/N ", "SN# ", "MAT. "]
PLACEHOLDERS = [("SIN MATRICULA", 18), ("N/A", 12), ("UNK", 10), ("MATRICULA LIMADA", 14), (None, 12), ("", 4),
                ("NONE", 6), ("OBLITERATED", 6), ("SIN NUMERO", 6), ("BORRADA", 4), ("ILEGIBLE", 4),
                ("NO SERIAL", 2), ("LIMADO", 2)]

_EPOCH = datetime.date(1970, 1, 1)
_MIN_PURCHASE = (datetime.date(1960, 1, 1) - _EPOCH).days

# ---- vocabulary ----------------------------------------------------------------------------
# make -> (spellings, canonical first; country of origin; importers or None)
_CENTURY = ["CENTURY ARMS", "CENTURY INTERNATIONAL ARMS", "CENTURY ARMS INC"]
_MAKES = {
    "glock": (["GLOCK", "Glock", "GLOCK GMBH", "GLOCK INC"], "AUSTRIA", ["GLOCK INC", "GLOCK INC SMYRNA GA"]),
    "sw": (["SMITH & WESSON", "S&W", "SMITH AND WESSON", "Smith & Wesson", "SMITH&WESSON"], "USA", None),
    "ruger": (["RUGER", "STURM RUGER", "STURM, RUGER & CO.", "Ruger"], "USA", None),
    "taurus": (["TAURUS", "FORJAS TAURUS", "Taurus"], "BRAZIL", ["TAURUS INTERNATIONAL", "TAURUS HOLDINGS INC"]),
    "sig": (["SIG SAUER", "SIG", "SIG-SAUER", "SIGARMS"], "USA", None),
    "springfield": (["SPRINGFIELD ARMORY", "SPRINGFIELD", "HS PRODUKT"], "CROATIA", ["SPRINGFIELD ARMORY INC"]),
    "colt": (["COLT", "COLT'S MFG CO", "COLT'S MANUFACTURING", "Colt"], "USA", None),
    "canik": (["CANIK", "CANIK55", "SAMSUN YURT SAVUNMA"], "TURKEY", _CENTURY),
    "romarm": (["ROMARM", "CUGIR", "ROMARM CUGIR", "ROMARM/CUGIR"], "ROMANIA", _CENTURY),
    "norinco": (["NORINCO", "CHINA NORTH INDUSTRIES"], "CHINA", ["CHINA SPORTS INC", "INTERARMS"]),
    "zastava": (["ZASTAVA", "ZASTAVA ARMS", "ZAVODI CRVENA ZASTAVA"], "SERBIA", ["ZASTAVA ARMS USA", "CENTURY ARMS"]),
    "cz": (["CZ", "CESKA ZBROJOVKA", "CZ UB"], "CZECH REPUBLIC", ["CZ-USA"]),
    "beretta": (["BERETTA", "PIETRO BERETTA", "Beretta"], "ITALY", ["BERETTA USA"]),
    "fn": (["FN HERSTAL", "FN", "FNH", "FABRIQUE NATIONALE"], "BELGIUM", ["FN AMERICA"]),
    "star": (["STAR", "STAR BONIFACIO ECHEVERRIA", "ECHEVERRIA"], "SPAIN", ["INTERARMS"]),
    "helwan": (["HELWAN", "MAADI HELWAN", "FACTORY 54"], "EGYPT", ["INTERARMS"]),
    "bersa": (["BERSA", "Bersa"], "ARGENTINA", ["EAGLE IMPORTS"]),
    "hipoint": (["HI-POINT", "HI POINT", "HIPOINT"], "USA", None),
    "bushmaster": (["BUSHMASTER", "BUSHMASTER FIREARMS"], "USA", None),
    "mossberg": (["MOSSBERG", "O.F. MOSSBERG", "MOSSBERG & SONS"], "USA", None),
    "remington": (["REMINGTON", "REMINGTON ARMS"], "USA", None),
}
_CALIBERS = {
    "9mm": ["9MM", "9mm", "9X19", "9MM LUGER", "9mm Luger", "9MM PARABELLUM", "9 MM", "9x19mm"],
    "40": ["40 S&W", ".40", ".40 S&W", "40SW", ".40 CAL"],
    "45": [".45 ACP", "45 ACP", ".45", "45 AUTO"],
    "380": [".380", "380 ACP", ".380 AUTO", "9MM CORTO"],
    "38spl": [".38 SPL", "38 SPECIAL", ".38", ".38 ESPECIAL"],
    "357": [".357 MAG", "357 MAGNUM", ".357"],
    "22lr": [".22 LR", "22LR", ".22"],
    "223": [".223", "223 REM", ".223 REM", "5.56", "5.56X45", "5.56 NATO", "5.56x45mm"],
    "762x39": ["7.62X39", "7.62 X 39 MM", "7.62x39mm", "7.62"],
    "308": [".308 WIN", ".308", "7.62X51"],
    "57x28": ["5.7X28", "5.7MM", "5.7 X 28 MM"],
    "12ga": ["12 GA", "12GA", "12 GAUGE", "CALIBRE 12"],
}
_TYPES = {"pistol": ["PISTOL", "PISTOLA", "Pistol", "SEMI-AUTO PISTOL"],
          "revolver": ["REVOLVER", "REVÓLVER", "Revolver"],
          "rifle": ["RIFLE", "FUSIL", "Rifle", "SEMI-AUTO RIFLE"],
          "shotgun": ["SHOTGUN", "ESCOPETA", "Shotgun"]}

# Serial templates: '#' digit, '@' letter (no I/O/Q), anything else literal. `core` is the
# [start, end) slice left when the prefix/suffix is missing (e.g. the 4-digit Cugir factory
# number inside Century's XX-NNNN-YY import serial), or None.
# (make, model canonical, extra model spellings, type, caliber, [(template, share, core)], weight)
_MODELS = [
    ("glock", "19", ["G19", "GLOCK 19"], "pistol", "9mm", [("@@@@###", 90, None), ("@@###US", 10, (0, 5))], 8),
    ("glock", "17", ["G17", "GLOCK 17"], "pistol", "9mm", [("@@@@###", 90, None), ("@@###US", 10, (0, 5))], 4),
    ("glock", "22", ["G22", "GLOCK 22"], "pistol", "40", [("@@@@###", 1, None)], 2),
    ("sw", "M&P9", ["MP9", "M&P 9"], "pistol", "9mm", [("@@@####", 1, None)], 6),
    ("sw", "SD9VE", ["SD9 VE", "SD9"], "pistol", "9mm", [("@@@####", 1, None)], 3),
    ("sw", "MODEL 19", ["M19"], "revolver", "357", [("@@@####", 1, None)], 2),
    ("sw", "MODEL 686", ["M686"], "revolver", "357", [("@@@####", 1, None)], 2),
    ("sw", "MODEL 10", ["M10"], "revolver", "38spl", [("@@@####", 1, None)], 2),
    ("sw", "M&P15", ["MP15", "M&P 15", "M&P-15"], "rifle", "223", [("@@@####", 1, None)], 2),
    ("ruger", "SR9", [], "pistol", "9mm", [("330-#####", 1, (4, 9))], 4),
    ("ruger", "P95", ["P95DC"], "pistol", "9mm", [("312-#####", 1, (4, 9))], 3),
    ("ruger", "LCP", ["LCP II"], "pistol", "380", [("371-#####", 1, (4, 9))], 2),
    ("ruger", "GP100", ["GP 100"], "revolver", "357", [("170-#####", 1, (4, 9))], 2),
    ("ruger", "AR-556", [], "rifle", "223", [("850-#####", 1, (4, 9))], 3),
    ("ruger", "MINI-14", [], "rifle", "223", [("580-#####", 1, (4, 9))], 1),
    ("ruger", "10/22", ["10-22", "1022"], "rifle", "22lr", [("258-#####", 1, (4, 9))], 1),
    ("taurus", "G2C", ["PT111 G2C", "PT-111"], "pistol", "9mm", [("@@@######", 70, None), ("@@#####", 30, None)], 4),
    ("taurus", "PT92", ["PT 92 AF", "PT-92"], "pistol", "9mm", [("@@@######", 60, None), ("@@#####", 40, None)], 2),
    ("taurus", "MODEL 85", ["85"], "revolver", "38spl", [("@@######", 1, None)], 3),
    ("sig", "P320", ["P 320"], "pistol", "9mm", [("##@######", 1, None)], 3),
    ("sig", "P365", [], "pistol", "9mm", [("##@######", 1, None)], 2),
    ("springfield", "XD9", ["XD-9", "XD"], "pistol", "9mm", [("XD######", 1, (2, 8))], 2),
    ("colt", "AR-15", ["AR-15 SPORTER", "M4 LE6920"], "rifle", "223",
     [("LE######", 70, (2, 8)), ("SP######", 30, (2, 8))], 6),
    ("colt", "GOVERNMENT", ["1911", "1911 GOVERNMENT"], "pistol", "45", [("GV#####", 1, (2, 7))], 3),
    ("colt", "SUPER", ["SUPER .38", "SUPER 38"], "pistol", "38spl", [("CS#####", 1, (2, 7))], 2),
    ("colt", "PYTHON", [], "revolver", "357", [("@#####", 1, None)], 1),
    ("canik", "TP9SF", ["TP9", "TP-9 SF"], "pistol", "9mm", [("##@@######", 1, None)], 2),
    ("romarm", "WASR-10", ["AK-47", "WASR 10/63"], "rifle", "762x39", [("@@-####-##", 1, (3, 7))], 6),
    ("norinco", "MAK-90", ["MAK 90 SPORTER"], "rifle", "762x39", [("########", 1, None)], 1),
    ("norinco", "213", ["TOKAREV 213", "MODEL 213"], "pistol", "9mm", [("########", 1, None)], 0.5),
    ("zastava", "M70", ["ZPAP M70", "PAP M70"], "rifle", "762x39", [("Z70-######", 1, (4, 10))], 1.5),
    ("cz", "75B", ["CZ 75 B", "CZ-75B"], "pistol", "9mm", [("@######", 1, None)], 1),
    ("beretta", "92FS", ["92 FS", "M9"], "pistol", "9mm", [("BER######Z", 1, (3, 9))], 1.5),
    ("fn", "FIVE-SEVEN", ["FIVE SEVEN", "57"], "pistol", "57x28", [("386######", 1, None)], 1.5),
    ("star", "MODEL B", ["STAR B", "MODELO B"], "pistol", "9mm", [("#######", 1, None)], 0.5),
    ("helwan", "BRIGADIER", ["HELWAN 9", "BRIGADIER 951"], "pistol", "9mm", [("#######", 1, None)], 0.4),
    ("bersa", "THUNDER 380", ["THUNDER", "THUNDER .380"], "pistol", "380", [("@######", 1, None)], 1),
    ("hipoint", "C9", ["C-9", "MODEL C9"], "pistol", "9mm", [("P#######", 1, (1, 8))], 1),
    ("bushmaster", "XM-15", ["XM15-E2S"], "rifle", "223", [("BFI######", 1, (3, 9))], 1.5),
    ("mossberg", "500", ["MAVERICK 88"], "shotgun", "12ga", [("@######", 1, None)], 3),
    ("remington", "870", ["870 EXPRESS"], "shotgun", "12ga", [("@@#######@", 1, None)], 2),
]
_TWIN_MAKES = ("star", "helwan")

# (name, weight): police, crime labs, military, state and federal prosecutors, English and Spanish.
_AGENCIES = [
    ("Fiscalía General de la República (FGR)", 16), ("SEDENA", 7), ("SEMAR", 3), ("Guardia Nacional", 5),
    ("Fiscalía General del Estado de Jalisco", 5), ("Fiscalía General del Estado de Sonora", 4),
    ("Fiscalía General del Estado de Chihuahua", 4), ("Fiscalía General de Justicia del Estado de Tamaulipas", 4),
    ("Fiscalía General del Estado de Sinaloa", 4), ("Fiscalía General del Estado de Baja California", 4),
    ("Policía Estatal de Sonora", 3), ("Secretaría de Seguridad Pública de Jalisco", 3),
    ("Instituto Jalisciense de Ciencias Forenses", 2), ("HOUSTON POLICE DEPARTMENT", 4),
    ("Phoenix Police Department", 3), ("El Paso Police Department", 3), ("Tucson Police Department", 2),
    ("Texas DPS Crime Laboratory", 3), ("Arizona DPS Crime Laboratory", 2), ("Harris County District Attorney", 2),
    ("US Attorney's Office, Southern District of Texas", 2), ("US Attorney's Office, District of Arizona", 2),
    ("US Army Criminal Investigation Division", 1), ("ATF Mexico City Country Office", 2),
]


# ---- vocabulary tables (built once) -----------------------------------------------------------

def _model_spellings(canon, extras):
    """Canonical model first, then token variants: AR-15 / AR15 / AR 15, MODEL 19 / 19."""
    out = [canon, *extras]
    for s in [canon, *extras]:
        out += [s.replace("-", ""), s.replace("-", " "), s.replace(" ", ""), s.replace(" ", "-")]
        m = re.fullmatch(r"([A-Z&]+)(\d\w*)", s)
        if m:
            out += [f"{m[1]}-{m[2]}", f"{m[1]} {m[2]}"]
        if s.startswith("MODEL "):
            out.append(s[6:])
    if re.fullmatch(r"\d+\w*", canon):
        out += [f"MODEL {canon}", f"MOD. {canon}"]
    seen = []
    for s in out:
        if s and s not in seen:
            seen.append(s)
    return seen


def _table(lists):
    """Ragged lists -> (object matrix, lengths)."""
    width = max(len(x) for x in lists)
    mat = np.full((len(lists), width), None, dtype=object)
    for i, x in enumerate(lists):
        mat[i, :len(x)] = x
    return mat, np.array([len(x) for x in lists], np.int64)


_MAKE_KEYS = list(_MAKES)
_CAL_KEYS = list(_CALIBERS)
_TYPE_KEYS = list(_TYPES)
_MAKE_TAB = _table([_MAKES[k][0] for k in _MAKE_KEYS])
_MODEL_TAB = _table([_model_spellings(m[1], m[2]) for m in _MODELS])
_CAL_TAB = _table([_CALIBERS[k] for k in _CAL_KEYS])
_TYPE_TAB = _table([_TYPES[k] for k in _TYPE_KEYS])
_IMPORTER_TAB = _table([_MAKES[k][2] or [None] for k in _MAKE_KEYS])
_COUNTRY = np.array([_MAKES[k][1] for k in _MAKE_KEYS], dtype=object)
_FOREIGN = np.array([_MAKES[k][2] is not None for k in _MAKE_KEYS])

# one row per (model, template)
_VARIANTS = [(mi, tmpl, share / sum(s for _, s, _ in m[5]) * m[6], core)
             for mi, m in enumerate(_MODELS) for tmpl, share, core in m[5]]
_VAR_MODEL = np.array([v[0] for v in _VARIANTS])
_VAR_P = np.array([v[2] for v in _VARIANTS], float) / sum(v[2] for v in _VARIANTS)
_VAR_MAKE = np.array([_MAKE_KEYS.index(_MODELS[v[0]][0]) for v in _VARIANTS])
_VAR_CAL = np.array([_CAL_KEYS.index(_MODELS[v[0]][4]) for v in _VARIANTS])
_VAR_TYPE = np.array([_TYPE_KEYS.index(_MODELS[v[0]][3]) for v in _VARIANTS])
_VAR_CORE = np.array([v[3] or (-1, -1) for v in _VARIANTS], np.int64)
_VAR_LASTDIGIT = np.array([v[1].rindex("#") for v in _VARIANTS])
_TWIN_VARS = [next(i for i, v in enumerate(_VARIANTS) if _MODELS[v[0]][0] == mk) for mk in _TWIN_MAKES]
_W = max(len(v[1]) for v in _VARIANTS) + 3  # spare columns for inserted characters

_LETTERS = np.frombuffer(b"ABCDEFGHJKLMNPRSTUVWXYZ", dtype=np.uint8)
_FOLD = np.arange(256, dtype=np.uint8)
for _a, _b in CONFUSABLE_FOLD.items():
    _FOLD[ord(_a)] = ord(_b)
_IS_SEP = np.zeros(256, bool)
_IS_SEP[[ord("-"), ord(" ")]] = True
_AG_NAMES = np.array([a for a, _ in _AGENCIES], dtype=object)
_AG_P = np.array([w for _, w in _AGENCIES], float) / sum(w for _, w in _AGENCIES)


# ---- small vectorised helpers -----------------------------------------------------------------

def _pick(rng, pairs, n):
    values = np.array([v for v, _ in pairs] + [0], dtype=object)[:-1]
    w = np.array([w for _, w in pairs], float)
    return values[rng.choice(len(pairs), size=n, p=w / w.sum())]


def _unique_serials(rng, serial, make, var, free):
    """Redraw serials that repeat another gun's serial of the same maker: a maker never stamps
    one serial twice (the Star/Helwan twins are two makers). Only single and raid guns are
    redrawn, so straw runs keep their consecutive numbers."""
    for _ in range(20):
        keys = pd.DataFrame({"make": make, "serial": [row.tobytes() for row in serial]})
        clash = np.flatnonzero(keys.duplicated(keep="first").to_numpy() & free)
        if not len(clash):
            return
        for v in np.unique(var[clash]):
            rows = clash[var[clash] == v]
            serial[rows] = _template(rng, _VARIANTS[v][1], len(rows))


def _template(rng, template, n):
    """synth's serial template drawing (same draws), padded to this module's fixed width."""
    mat = np.zeros((n, _W), np.uint8)
    mat[:, :len(template)] = synth_template(rng, template, n)
    return mat


def _delete_at(mat, pos):
    cols = np.arange(mat.shape[1])
    idx = np.minimum(cols + (cols >= pos[:, None]), mat.shape[1] - 1)
    out = np.take_along_axis(mat, idx, axis=1)
    out[:, -1] = 0
    return out


def _insert_at(mat, pos, codes):
    cols = np.arange(mat.shape[1])
    idx = np.maximum(cols - (cols > pos[:, None]), 0)
    out = np.take_along_axis(mat, idx, axis=1)
    out[np.arange(len(mat)), pos] = codes
    return out


def _to_text(mat):
    mat = np.ascontiguousarray(mat, dtype=np.uint8)
    return mat.view(f"S{mat.shape[1]}").ravel().astype(f"U{mat.shape[1]}").astype(object)


def _dates(days, blank):
    """Int days since 1970 -> ISO text (None where blank), one str object per distinct day."""
    uniq, inv = np.unique(days, return_inverse=True)
    texts = uniq.astype("datetime64[D]").astype(str).astype(object)
    out = texts[inv.ravel()]
    out[blank] = None
    return out


def _spell(rng, tab, ids, noisy):
    """Canonical spelling (column 0) of `ids`, a different one on `noisy` rows. -> (text, changed)."""
    mat, lens = tab
    ln = lens[ids]
    changed = noisy & (ln > 1)
    idx = np.where(changed, 1 + (rng.random(len(ids)) * np.maximum(ln - 1, 1)).astype(np.int64), 0)
    return mat[ids, idx], changed


def _groups_layout(rng, n_guns, share, lo, hi):
    """Group sizes in [lo, hi] adding up to about share * n_guns."""
    target = round(share * n_guns)
    sizes = rng.integers(lo, hi + 1, target // lo + 1)
    return sizes[np.cumsum(sizes) <= target]


# ---- generator ----------------------------------------------------------------------------------

def generate_linked_batch(n_rows: int, *, seed: int = 0,
                          today: datetime.date = datetime.date(2026, 11, 1), profile: str = "default"
                          ) -> pd.DataFrame:
    """Return ``n_rows`` shuffled trace requests with ``HEADERS`` and ``TRUTH_COLUMNS``.

    ``profile`` is a key of ``PROFILES``: ``"default"`` (about 13 % repeat rows) or ``"dense"``
    (about 40 %). Raises ``ValueError`` for a negative size or an unknown profile."""
    n = int(n_rows)
    if n < 0:
        raise ValueError("n_rows must be >= 0")
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")
    rates = PROFILES[profile]
    rng = np.random.default_rng(seed)
    t = (today - _EPOCH).days
    n_guns = int(n / rates["ROWS_PER_GUN"]) + 16
    while True:
        g = _guns(rng, n_guns, rates)
        ev = _events(rng, g, t, rates)
        if ev["size"].sum() >= n:
            break
        n_guns *= 2
    r = _cut_rows(rng, g, ev, n)
    cols, bits, usable = _fill_rows(rng, g, ev, r, t)
    return _frame(rng, cols, bits, usable, r, n)


def _guns(rng, n_guns, rates):
    """Physical guns: group structure (straw runs, raids, twins), model variant, stamped serial."""
    straw = _groups_layout(rng, n_guns, rates["STRAW_GUN_SHARE"], 2, 6)
    raid = _groups_layout(rng, n_guns, rates["RAID_GUN_SHARE"], 3, 10)
    n_twin = round(TWIN_PAIRS_PER_GUN * n_guns)
    sizes = np.concatenate([straw, raid, np.full(n_twin, 2)]).astype(np.int64)
    sizes = np.concatenate([sizes, np.ones(n_guns - int(sizes.sum()), np.int64)])
    kind = np.repeat([1, 2, 3, 0], [len(straw), len(raid), n_twin, len(sizes) - len(straw) - len(raid) - n_twin])
    group = np.repeat(np.arange(len(sizes)), sizes)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    member = np.arange(n_guns) - start[group]
    gkind = kind[group]
    var = rng.choice(len(_VARIANTS), size=len(sizes), p=_VAR_P)[group]
    twin = gkind == 3
    var[twin] = np.array(_TWIN_VARS)[member[twin]]
    serial = np.zeros((n_guns, _W), np.uint8)
    for v in np.unique(var):
        rows = np.flatnonzero(var == v)
        serial[rows] = _template(rng, _VARIANTS[v][1], len(rows))
    # straw runs: the leader's serial with consecutive last digits (no carry); twins: same serial
    leader = start[group]
    same = (gkind == 1) | twin
    serial[same] = serial[leader[same]]
    st = np.flatnonzero(gkind == 1)
    d0 = rng.integers(0, 11 - sizes, len(sizes))  # d0 + size - 1 <= 9
    serial[st, _VAR_LASTDIGIT[var[st]]] = (48 + d0[group[st]] + member[st]).astype(np.uint8)
    make = _VAR_MAKE[var]
    _unique_serials(rng, serial, make, var, free=(gkind == 0) | (gkind == 2))
    imp_len = _IMPORTER_TAB[1][make]
    importer = _IMPORTER_TAB[0][make, (rng.random(n_guns) * imp_len).astype(np.int64)]
    importer[same] = importer[leader[same]]
    together = (gkind == 2) | ((gkind == 1) & (rng.random(len(sizes)) < STRAW_TOGETHER)[group])
    return {"n": n_guns, "group": group, "kind": gkind, "leader": leader, "var": var, "make": make,
            "serial": serial, "importer": importer, "cluster": together}


def _events(rng, g, t, rates):
    """Recovery events (1, or 2 for re-recovered guns), their dates, first agency and request count."""
    n = g["n"]
    second = rng.random(n) < rates["P_SECOND_EVENT"]
    gap = rng.integers(120, 2501, n)
    latest = t - 40 - np.where(second, gap, 0)
    rec1 = latest - (rng.random(n) * 6 * 365).astype(np.int64)
    cl, lead = g["cluster"], g["leader"]
    rec1[cl] = rec1[lead[cl]]
    second &= rec1 + gap <= t - 40
    ttc = np.clip(np.exp(rng.normal(np.log(6 * 365), 0.9, n)), 20, 40 * 365).astype(np.int64)
    purchase = rec1 - ttc
    straw = g["kind"] == 1
    if straw.any():  # bought together: the earliest member's purchase date for the whole run
        rows = np.flatnonzero(straw)
        starts = np.flatnonzero(np.r_[True, g["group"][rows][1:] != g["group"][rows][:-1]])
        run_min = np.minimum.reduceat(purchase[rows], starts)
        purchase[rows] = np.repeat(run_min, np.diff(np.r_[starts, len(rows)]))
    purchase = np.maximum(purchase, _MIN_PURCHASE)
    n_ev = 1 + second.astype(np.int64)
    ev_gun = np.repeat(np.arange(n), n_ev)
    first_ev = np.concatenate([[0], np.cumsum(n_ev)[:-1]])
    ev_idx = np.arange(len(ev_gun)) - first_ev[ev_gun]
    ev_rec = np.where(ev_idx == 0, rec1[ev_gun], rec1[ev_gun] + gap[ev_gun])
    agency = rng.choice(len(_AGENCIES), size=len(ev_gun), p=_AG_P)
    in_cl = (ev_idx == 0) & cl[ev_gun]
    agency[in_cl] = agency[first_ev[lead[ev_gun[in_cl]]]]
    again = np.flatnonzero(ev_idx == 1)  # a re-recovery comes from another agency
    clash = again[agency[again] == agency[again - 1]]
    agency[clash] = (agency[clash] + rng.integers(1, len(_AGENCIES), len(clash))) % len(_AGENCIES)
    size = np.where(rng.random(len(ev_gun)) < rates["P_MULTI_REQUEST"],
                    rng.choice(EXTRA_REQUESTS[0], size=len(ev_gun), p=EXTRA_REQUESTS[1]), 1)
    return {"gun": ev_gun, "idx": ev_idx, "rec": ev_rec, "agency": agency, "size": size, "purchase": purchase}


def _cut_rows(rng, g, ev, n):
    """Lay rows out gun by gun in a random gun order and keep the first n (rows of one gun stay together)."""
    rank = rng.permutation(g["n"])
    order = np.lexsort((ev["idx"], rank[ev["gun"]]))
    sizes = ev["size"][order]
    m = int(np.searchsorted(np.cumsum(sizes), n)) + 1 if n else 0
    row_ev = np.repeat(order[:m], sizes[:m])[:n]
    ev_out = np.repeat(np.arange(m), sizes[:m])[:n]
    starts = np.concatenate([[0], np.cumsum(sizes[:m])[:-1]]).astype(np.int64)[:m]
    k = np.arange(n) - np.repeat(starts, sizes[:m])[:n]
    gun = ev["gun"][row_ev]
    return {"ev": row_ev, "event_id": ev_out, "k": k, "gun": gun, "gun_id": rank[gun]}


def _fill_rows(rng, g, ev, r, t):
    """Agencies, dates and the written gun fields with their noise. -> (columns, noise bits, usable)."""
    n = len(r["k"])
    later = r["k"] > 0
    rate = np.where(later, 1.0, FIRST_ROW_FACTOR)
    bits = np.zeros(n, np.int32)

    def draw(kind, eligible=True):
        hit = (rng.random(n) < NOISE_RATES[kind] * rate) & eligible
        return hit

    cols = {"Requesting Agency": _AG_NAMES[_row_agencies(rng, ev, r)]}
    # dates
    rec_ev = ev["rec"][r["ev"]]
    off = draw("recovery_date_offset", later)
    delta = rng.integers(1, RECOVERY_OFFSET_DAYS + 1, n) * np.where(rng.random(n) < 0.5, -1, 1)
    rec = rec_ev + np.where(off, delta, 0)
    blank = draw("recovery_date_blank")
    bits[off & ~blank] |= _BIT["recovery_date_offset"]
    bits[blank] |= _BIT["recovery_date_blank"]
    # the first request 4+ days after recovery; duplicate requests 1-365 days after the first
    lag = np.exp(rng.normal(np.log(75), 1.0, len(ev["rec"]))).astype(np.int64)
    first_req = ev["rec"] + np.clip(lag, RECOVERY_OFFSET_DAYS + 1, t - ev["rec"] - 30)
    first_req = first_req[r["ev"]]
    extra = 1 + (rng.random(n) * np.minimum(365, t - first_req)).astype(np.int64)
    request = first_req + np.where(later, extra, 0)
    cols["Purchase Date"] = _dates(ev["purchase"][r["gun"]], np.zeros(n, bool))
    cols["Recovery Date"] = _dates(rec, blank)
    cols["Request Date"] = _dates(request, np.zeros(n, bool))
    # gun text
    var = g["var"][r["gun"]]
    make = _VAR_MAKE[var]
    importer = g["importer"][r["gun"]]
    for col, kind, tab, ids in (("Manufacturer", "maker_variant", _MAKE_TAB, make),
                                ("Model", "model_variant", _MODEL_TAB, _VAR_MODEL[var]),
                                ("Caliber", "caliber_variant", _CAL_TAB, _VAR_CAL[var]),
                                ("Type", "type_variant", _TYPE_TAB, _VAR_TYPE[var])):
        cols[col], changed = _spell(rng, tab, ids, draw(kind))
        bits[changed] |= _BIT[kind]
    as_imp = draw("maker_is_importer", _FOREIGN[make])
    cols["Manufacturer"] = np.where(as_imp, importer, cols["Manufacturer"])
    bits[as_imp] |= _BIT["maker_is_importer"]
    bits[as_imp] &= ~_BIT["maker_variant"]
    cols["Importer"] = importer
    cols["Country of Origin"] = _COUNTRY[make]
    serial, usable = _serials(rng, g, r, var, bits, draw)
    cols["Serial Number"] = serial
    return cols, bits, usable


def _row_agencies(rng, ev, r):
    """First row: the event's agency; later rows: other agencies, all different within the event."""
    agency = ev["agency"][r["ev"]].copy()
    multi = np.flatnonzero(r["k"] > 0)
    if len(multi):
        evs, inv = np.unique(r["ev"][multi], return_inverse=True)
        keys = rng.random((len(evs), len(_AGENCIES)))
        keys[np.arange(len(evs)), ev["agency"][evs]] = -1.0
        perm = np.argsort(keys, axis=1)[:, :max(EXTRA_REQUESTS[0])]
        agency[multi] = perm[inv.ravel(), r["k"][multi]]
    return agency


def _serials(rng, g, r, var, bits, draw):
    """Serial text per row: content noise, the no-substitution guard, cosmetic noise, placeholders."""
    n = len(var)
    clean = g["serial"][r["gun"]]
    mat = clean.copy()
    placeholder = rng.random(n) < P_PLACEHOLDER
    live = ~placeholder
    core = _VAR_CORE[var]
    hits = {k: draw(k, live) for k in _SERIAL_CONTENT}
    hits["serial_affix_missing"] &= core[:, 0] >= 0
    _content_noise(rng, mat, core, hits, bits)
    gun = r["gun"]
    shared = np.flatnonzero(np.r_[False, gun[1:] == gun[:-1]] | np.r_[gun[:-1] == gun[1:], False])
    sub_mat, sub_bits = mat[shared], bits[shared]
    _guard_substitutions(sub_mat, clean[shared], gun[shared], live[shared], sub_bits)
    mat[shared], bits[shared] = sub_mat, sub_bits
    cos = {k: draw(k, live) for k in _SERIAL_COSMETIC}
    _separator_and_case(rng, mat, cos, bits)
    text = _to_text(mat)
    lab = np.flatnonzero(cos["serial_label"])
    text[lab] = _pick(rng, [(x, 1) for x in SERIAL_LABELS], len(lab)) + text[lab]
    bits[lab] |= _BIT["serial_label"]
    text[placeholder] = _pick(rng, PLACEHOLDERS, int(placeholder.sum()))
    bits[placeholder] |= _BIT["serial_placeholder"]
    return text, live


def _content_noise(rng, mat, core, hits, bits):
    """Missing prefix/suffix, adjacent transposition, dropped/added character, look-alike swap (in place)."""
    rows = np.flatnonzero(hits["serial_affix_missing"])
    if len(rows):
        s, e = core[rows, 0], core[rows, 1]
        cols = np.arange(_W)
        sub = np.take_along_axis(mat[rows], np.minimum(cols + s[:, None], _W - 1), axis=1)
        sub[cols >= (e - s)[:, None]] = 0
        mat[rows] = sub
        bits[rows] |= _BIT["serial_affix_missing"]
    rows = np.flatnonzero(hits["serial_transposition"])
    if len(rows):
        m = mat[rows]
        ok_char = (m != 0) & ~_IS_SEP[m]
        pos = _random_pos(rng, ok_char[:, :-1] & ok_char[:, 1:] & (m[:, :-1] != m[:, 1:]))
        ok = pos >= 0
        i, p = np.flatnonzero(ok), pos[ok]
        m[i, p], m[i, p + 1] = m[i, p + 1].copy(), m[i, p].copy()
        mat[rows] = m
        bits[rows[ok]] |= _BIT["serial_transposition"]
    rows = np.flatnonzero(hits["serial_indel"])
    if len(rows):
        m = mat[rows]
        ln = (m != 0).sum(axis=1)
        drop = rng.random(len(rows)) < 0.5
        pos_d = _random_pos(rng, (m != 0) & ~_IS_SEP[m])
        pos_i = (rng.random(len(rows)) * (ln + 1)).astype(np.int64)
        codes = np.where(rng.random(len(rows)) < 0.7, rng.integers(48, 58, len(rows)),
                         _LETTERS[rng.integers(0, len(_LETTERS), len(rows))]).astype(np.uint8)
        mat[rows] = np.where(drop[:, None], _delete_at(m, pos_d), _insert_at(m, pos_i, codes))
        bits[rows] |= _BIT["serial_indel"]
    rows = np.flatnonzero(hits["serial_confusable"])
    if len(rows):
        _swap_confusable(rng, mat, rows, bits)


def _swap_confusable(rng, mat, rows, bits):
    """Replace one character by its look-alike: 0->O/Q/D, 1->I/L, 8->B, ... or back to the digit."""
    m = mat[rows]
    weight = np.zeros(256)
    for ch in "0OQD":
        weight[ord(ch)] = 3.0
    for ch in "1IL8B5S2Z6G":
        weight[ord(ch)] = 1.0
    score = rng.random(m.shape) * weight[m]
    pos = score.argmax(axis=1)
    ok = score.max(axis=1) > 0
    i, p = np.flatnonzero(ok), pos[ok]
    old = m[i, p]
    new = _FOLD[old].copy()  # letter -> digit
    is_digit = (old >= 48) & (old <= 57)
    u = rng.random(len(i))
    for d, (letters, w) in _DIGIT_TO_LETTER.items():
        sel = is_digit & (old == ord(d))
        cum = np.cumsum(w) / sum(w)
        choice = np.searchsorted(cum, u[sel], side="right").clip(0, len(letters) - 1)
        new[sel] = np.frombuffer(letters.encode(), np.uint8)[choice]
    m[i, p] = new
    mat[rows] = m
    bits[rows[ok]] |= _BIT["serial_confusable"]


def _normal_form(mat):
    """Upper case, separators removed, look-alikes folded: the form duplicates are compared in."""
    up = np.where((mat >= 97) & (mat <= 122), mat - 32, mat).astype(np.uint8)
    gone = (up == 0) | _IS_SEP[up]
    order = np.argsort(gone, axis=1, kind="stable")
    out = np.take_along_axis(_FOLD[up], order, axis=1)
    out[np.take_along_axis(gone, order, axis=1)] = 0
    return out, (~gone).sum(axis=1)


def _guard_substitutions(mat, clean, gun, live, bits):
    """Undo the content noise of any later row whose normal form is one substitution away from
    another usable row of its gun (rows of a gun are contiguous here, first rows first)."""
    content = np.int32(sum(int(_BIT[k]) for k in _SERIAL_CONTENT))
    for _ in range(10):
        norm, ln = _normal_form(mat)
        bad = np.zeros(len(gun), bool)
        for off in range(1, len(gun)):
            i = np.arange(len(gun) - off)
            j = i + off
            same = gun[i] == gun[j]
            if not same.any():
                break
            cmp = same & live[i] & live[j] & (ln[i] == ln[j])
            ii, jj = i[cmp], j[cmp]
            one = (norm[ii] != norm[jj]).sum(axis=1) == 1
            ii, jj = ii[one], jj[one]
            bad[np.where(bits[jj] & content, jj, ii)] = True  # the noisy one, the later if both
        if not bad.any():
            return
        mat[bad] = clean[bad]
        bits[bad] &= ~content
    raise AssertionError("could not remove single-substitution duplicates")  # pragma: no cover


def _separator_and_case(rng, mat, cos, bits):
    """Drop an existing dash/space or insert one; lower-case the letters (in place)."""
    rows = np.flatnonzero(cos["serial_separator"])
    if len(rows):
        m = mat[rows]
        ln = (m != 0).sum(axis=1)
        has_sep = _IS_SEP[m].any(axis=1)
        drop = has_sep & (rng.random(len(rows)) < 0.6)
        pos_d = _random_pos(rng, _IS_SEP[m])
        pos_i = 1 + (rng.random(len(rows)) * np.maximum(ln - 1, 1)).astype(np.int64)
        pos_i = np.minimum(pos_i, ln)
        codes = np.where(rng.random(len(rows)) < 0.5, ord("-"), ord(" ")).astype(np.uint8)
        mat[rows] = np.where(drop[:, None], _delete_at(m, pos_d), _insert_at(m, pos_i, codes))
        bits[rows] |= _BIT["serial_separator"]
    rows = np.flatnonzero(cos["serial_case"])
    if len(rows):
        m = mat[rows]
        upper = (m >= 65) & (m <= 90)
        mat[rows] = np.where(upper, m + 32, m)
        bits[rows[upper.any(axis=1)]] |= _BIT["serial_case"]


def _noise_text(bits):
    uniq, inv = np.unique(bits, return_inverse=True)
    texts = np.array([";".join(k for k in NOISE_KINDS if int(b) & int(_BIT[k])) or None for b in uniq.tolist()]
                     + [None], dtype=object)[:-1]
    return texts[inv.ravel()]


def _frame(rng, cols, bits, usable, r, n):
    """Shuffle the rows, number the requests, add the truth columns."""
    perm = rng.permutation(n)
    width = max(7, len(str(n)))
    pw = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = ((np.arange(1, n + 1)[:, None] // pw) % 10 + 48).astype(np.uint8)
    ids = _to_text(np.concatenate([np.tile(np.frombuffer(b"TR-", np.uint8), (n, 1)), digits], axis=1))
    cols["Request ID"] = ids
    data = {h: pd.Series(ids if h == "Request ID" else cols[h][perm], dtype=object) for h in HEADERS}
    data["_truth_gun"] = pd.Series(r["gun_id"][perm], dtype=np.int64)
    data["_truth_event"] = pd.Series(r["event_id"][perm], dtype=np.int64)
    data["_truth_serial_usable"] = pd.Series(usable[perm], dtype=bool)
    data["_truth_noise"] = pd.Series(_noise_text(bits[perm]), dtype=object)
    return pd.DataFrame(data)
