"""Seeded generator of realistic, dirty firearm trace-request batches.

``generate_batch`` returns a DataFrame shaped like a trace-request spreadsheet read
as text: the columns are the raw English or Spanish headers, every cell is a
``str`` or ``None``. It is pure (no file I/O) and fully vectorised with numpy, so a
million rows take seconds. The same arguments always give the same frame.

The error patterns and their rates follow ``/work/shared/design/domain.md``
("Realistic error patterns for synthetic data", sections 2, 4 and 5). Rates
marked *assumption* there are assumptions here too. With ``with_truth=True``
extra ``_truth_*`` columns record what was injected, so detection can be scored:

``_truth_defects``       ';'-joined defect kinds (see ``DEFECT_KINDS``), or None
``_truth_duplicate_of``  request id of the original row for injected duplicates
``_truth_serial``        the serial as stamped, before any defect
``_truth_foreign``       "1" when the gun is foreign-made, else "0"
``_truth_ttc_days``      true recovery - purchase, in days
``_truth_lag_days``      true request - recovery, in days
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["DEFECT_KINDS", "HEADERS", "SERIAL_DEFECT_RATES", "generate_batch"]

HEADERS = {
    "en": ["Request ID", "Requesting Agency", "Manufacturer", "Model", "Caliber", "Type",
           "Serial Number", "Obliterated", "Importer", "Country of Origin", "Purchase Date",
           "Recovery Date", "Request Date", "Recovery Location", "FFL Number"],
    "es": ["Folio", "Dependencia", "Marca", "Modelo", "Calibre", "Tipo de arma", "Matrícula",
           "Matrícula limada", "Importador", "País de fabricación", "Fecha de compra",
           "Fecha de aseguramiento", "Fecha de solicitud", "Lugar de aseguramiento",
           "Licencia del armero"],
}
_KEYS = ["request_id", "agency", "manufacturer", "model", "caliber", "type", "serial",
         "obliterated", "importer", "country", "purchase_date", "recovery_date", "request_date",
         "location", "ffl"]

# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------

TYPES = ["pistol", "rifle", "revolver", "shotgun", "other"]
# Mexico 2016: ~50% pistols, ~27% rifles, ~15% revolvers; rest long guns / other.
_TYPE_MIX = {"mexico": [0.50, 0.27, 0.15, 0.06, 0.02],
             "us": [0.60, 0.14, 0.15, 0.09, 0.02]}
_TYPE_NAMES = {
    "en": {"pistol": [("PISTOL", 70), ("Pistol", 15), ("SEMI-AUTO PISTOL", 10), ("PI", 5)],
           "rifle": [("RIFLE", 80), ("Rifle", 10), ("SEMI-AUTO RIFLE", 10)],
           "revolver": [("REVOLVER", 85), ("Revolver", 10), ("PR", 5)],
           "shotgun": [("SHOTGUN", 85), ("Shotgun", 15)],
           "derringer": [("DERRINGER", 80), ("PD", 20)],
           "receiver": [("RECEIVER/FRAME", 60), ("RECEIVER", 40)]},
    "es": {"pistol": [("PISTOLA", 85), ("Pistola", 10), ("ARMA CORTA", 5)],
           "rifle": [("RIFLE", 45), ("FUSIL", 40), ("FUSIL DE ASALTO", 10), ("ARMA LARGA", 5)],
           "revolver": [("REVOLVER", 70), ("REVÓLVER", 25), ("Revolver", 5)],
           "shotgun": [("ESCOPETA", 90), ("Escopeta", 10)],
           "derringer": [("DERRINGER", 60), ("PISTOLA DERRINGER", 40)],
           "receiver": [("RECEPTOR", 60), ("ARMAZÓN", 40)]},
}

_CALIBERS = {
    "9mm": ([("9MM", 45), ("9 MM", 15), ("9MM LUGER", 10), ("9X19", 10), ("9mm", 10), ("9MM.", 10)],
            [("9 MM.", 25), ("9MM", 35), ("9 MM", 20), ("9X19", 10), ("9 mm", 10)]),
    "40": ([("40 S&W", 40), (".40", 25), (".40 S&W", 20), ("40 SW", 10), ("40", 5)],
           [(".40", 35), ("40 S&W", 30), (".40 S&W", 25), ("CAL. .40", 10)]),
    "45": ([(".45 ACP", 40), ("45 ACP", 25), (".45", 25), ("45AUTO", 10)],
           [(".45", 45), (".45 ACP", 25), ("CAL. .45", 20), ("45 ACP", 10)]),
    "380": ([(".380", 40), ("380 ACP", 30), (".380 AUTO", 30)],
            [(".380", 50), ("9MM CORTO", 25), ("380 ACP", 25)]),
    "38spl": ([(".38 SPL", 45), ("38 SPECIAL", 25), (".38", 20), ("38 SPL", 10)],
              [(".38 SPL", 40), (".38 ESPECIAL", 30), (".38", 30)]),
    "357": ([(".357 MAG", 50), ("357 MAGNUM", 30), (".357", 20)],
            [(".357", 50), (".357 MAGNUM", 50)]),
    "22lr": ([(".22 LR", 50), ("22LR", 25), (".22", 25)],
             [(".22", 50), (".22 L.R.", 30), ("22LR", 20)]),
    "223": ([(".223 REM", 35), ("223", 15), ("5.56", 20), ("5.56X45", 10), (".223/5.56", 10), ("5.56 NATO", 10)],
            [(".223 REM", 35), (".223", 30), ("5.56 MM", 20), ("5.56X45", 15)]),
    "762x39": ([("7.62X39", 60), ("7.62 X 39", 20), ("7.62x39mm", 20)],
               [("7.62X39", 50), ("7.62 X 39 MM", 30), ("7.62 MM", 20)]),
    "308": ([(".308 WIN", 50), (".308", 30), ("7.62X51", 20)],
            [(".308", 60), ("7.62X51", 40)]),
    "57x28": ([("5.7X28", 70), ("5.7MM", 30)], [("5.7X28", 60), ("5.7 X 28 MM", 40)]),
    "50bmg": ([(".50 BMG", 80), ("50 CAL", 20)], [(".50", 50), (".50 BMG", 50)]),
    "12ga": ([("12 GA", 50), ("12GA", 30), ("12 GAUGE", 20)],
             [("CALIBRE 12", 45), ("12 GA", 30), ("CAL. 12", 25)]),
}

_US = ([("USA", 45), ("US", 20), ("UNITED STATES", 35)],
       [("ESTADOS UNIDOS", 45), ("EUA", 25), ("E.U.A.", 15), ("USA", 15)])
_COUNTRIES = {
    "US": _US,
    "AT": ([("AUSTRIA", 1)], [("AUSTRIA", 1)]),
    "BR": ([("BRAZIL", 1)], [("BRASIL", 1)]),
    "TR": ([("TURKEY", 80), ("TURKIYE", 20)], [("TURQUÍA", 70), ("TURQUIA", 30)]),
    "RO": ([("ROMANIA", 1)], [("RUMANIA", 60), ("RUMANÍA", 40)]),
    "CN": ([("CHINA", 1)], [("CHINA", 1)]),
    "RS": ([("SERBIA", 1)], [("SERBIA", 1)]),
    "CZ": ([("CZECH REPUBLIC", 80), ("CZECHIA", 20)], [("REPÚBLICA CHECA", 70), ("REP. CHECA", 30)]),
    "BE": ([("BELGIUM", 1)], [("BÉLGICA", 70), ("BELGICA", 30)]),
    "IT": ([("ITALY", 1)], [("ITALIA", 1)]),
    "HR": ([("CROATIA", 1)], [("CROACIA", 1)]),
    "AR": ([("ARGENTINA", 1)], [("ARGENTINA", 1)]),
}

_CENTURY = [("CENTURY ARMS", 40), ("CENTURY INTERNATIONAL ARMS", 25), ("CENTURY ARMS INC", 15),
            ("CAI GEORGIA VT", 10), ("CAI ST ALBANS VT", 10)]
# make key -> (spellings, country code, importer spellings)
_MAKES = {
    "glock": ([("GLOCK", 80), ("Glock", 15), ("GLOCK GMBH", 5)], "AT",
              [("GLOCK INC", 60), ("GLOCK INC SMYRNA GA", 25), ("GLOCK, INC.", 15)]),
    "sw": ([("SMITH & WESSON", 40), ("S&W", 25), ("Smith and Wesson", 15), ("SMITH AND WESSON", 10),
            ("SMITH&WESSON", 10)], "US", None),
    "ruger": ([("RUGER", 55), ("STURM RUGER", 25), ("STURM, RUGER & CO.", 10), ("Ruger", 10)], "US", None),
    "taurus": ([("TAURUS", 75), ("FORJAS TAURUS", 15), ("Taurus", 10)], "BR",
               [("TAURUS INTERNATIONAL", 50), ("TAURUS HOLDINGS INC", 30), ("TAURUS INTL MFG MIAMI FL", 20)]),
    "sig": ([("SIG SAUER", 60), ("SIG", 20), ("SIG-SAUER", 10), ("SIGARMS", 10)], "US", None),
    "springfield": ([("SPRINGFIELD ARMORY", 60), ("SPRINGFIELD", 30), ("HS PRODUKT", 10)], "HR",
                    [("SPRINGFIELD ARMORY", 70), ("SPRINGFIELD INC GENESEO IL", 30)]),
    "colt": ([("COLT", 70), ("COLT'S MFG", 20), ("COLT'S MANUFACTURING", 10)], "US", None),
    "canik": ([("CANIK", 80), ("CANIK55", 20)], "TR", _CENTURY),
    "romarm": ([("ROMARM", 35), ("CUGIR", 30), ("ROMARM/CUGIR", 25), ("ROMARM CUGIR", 10)], "RO", _CENTURY),
    "norinco": ([("NORINCO", 85), ("CHINA NORTH INDUSTRIES", 15)], "CN",
                [("CHINA SPORTS INC", 60), ("INTERARMS", 40)]),
    "zastava": ([("ZASTAVA", 70), ("ZASTAVA ARMS", 30)], "RS", [("ZASTAVA ARMS USA", 60), ("CENTURY ARMS", 40)]),
    "cz": ([("CZ", 60), ("CESKA ZBROJOVKA", 30), ("CZ (CESKA ZBROJOVKA)", 10)], "CZ",
           [("CZ-USA", 70), ("CZ USA KANSAS CITY KS", 30)]),
    "fn": ([("FN", 45), ("FN HERSTAL", 30), ("FNH", 15), ("FABRIQUE NATIONALE", 10)], "BE",
           [("FN AMERICA", 70), ("FNH USA", 30)]),
    "fn_us": ([("FN", 50), ("FN AMERICA", 30), ("FNH", 20)], "US", None),
    "beretta": ([("BERETTA", 75), ("PIETRO BERETTA", 25)], "IT", [("BERETTA USA", 70), ("BERETTA USA CORP", 30)]),
    "bersa": ([("BERSA", 1)], "AR", [("EAGLE IMPORTS", 70), ("EAGLE IMPORTS INC", 30)]),
    "hipoint": ([("HI-POINT", 60), ("HI POINT", 40)], "US", None),
    "barrett": ([("BARRETT", 1)], "US", None),
    "bushmaster": ([("BUSHMASTER", 1)], "US", None),
    "century_us": ([("CENTURY ARMS", 1)], "US", None),
    "mossberg": ([("MOSSBERG", 70), ("O.F. MOSSBERG", 30)], "US", None),
    "remington": ([("REMINGTON", 80), ("REMINGTON ARMS", 20)], "US", None),
    "stoeger": ([("STOEGER", 1)], "TR", [("STOEGER INDUSTRIES", 1)]),
    "cobra": ([("COBRA", 70), ("COBRA ENTERPRISES", 30)], "US", None),
    "anderson": ([("ANDERSON MANUFACTURING", 60), ("ANDERSON", 40)], "US", None),
}

# Serial templates: '#' digit, '@' letter (no I/O/Q), anything else literal.
# (make, [model aliases], type, caliber, [(serial template, share)], weight mexico, weight us, prefix_len)
_MODELS = [
    ("glock", [("19", 40), ("GLOCK 19", 40), ("G19", 20)], "pistol", "9mm", [("@@@@###", 90), ("@@###US", 10)], 3.5, 8, 0),
    ("glock", [("17", 50), ("GLOCK 17", 50)], "pistol", "9mm", [("@@@@###", 90), ("@@###US", 10)], 2, 4, 0),
    ("glock", [("22", 50), ("GLOCK 22", 50)], "pistol", "40", [("@@@@###", 1)], 1, 3, 0),
    ("sw", [("M&P9", 40), ("M&P 9", 40), ("MP9", 20)], "pistol", "9mm", [("@@@####", 1)], 7, 8, 0),
    ("sw", [("SD9VE", 70), ("SD9 VE", 30)], "pistol", "9mm", [("@@@####", 1)], 4, 5, 0),
    ("sw", [("M&P40", 60), ("M&P 40", 40)], "pistol", "40", [("@@@####", 1)], 2, 2, 0),
    ("ruger", [("SR9", 1)], "pistol", "9mm", [("330-#####", 60), ("330#####", 40)], 5, 3, 3),
    ("ruger", [("P95", 70), ("P95DC", 30)], "pistol", "9mm", [("312-#####", 60), ("312#####", 40)], 4, 2, 3),
    ("ruger", [("LCP", 80), ("LCP II", 20)], "pistol", "380", [("371-#####", 60), ("371#####", 40)], 2, 4, 3),
    ("taurus", [("PT111 G2C", 40), ("G2C", 40), ("PT-111", 20)], "pistol", "9mm", [("@@@######", 70), ("@@#####", 30)], 3, 4, 0),
    ("taurus", [("PT92", 60), ("PT 92 AF", 40)], "pistol", "9mm", [("@@@######", 60), ("@@#####", 40)], 1.5, 1, 0),
    ("sig", [("P320", 60), ("P 320", 40)], "pistol", "9mm", [("##@######", 1)], 3, 3, 0),
    ("sig", [("P365", 1)], "pistol", "9mm", [("##@######", 1)], 2, 3, 0),
    ("springfield", [("XD9", 50), ("XD-9", 30), ("XD", 20)], "pistol", "9mm", [("XD######", 1)], 1, 3, 0),
    ("springfield", [("XD-S", 60), ("XDS", 40)], "pistol", "45", [("XD######", 1)], 0.5, 2, 0),
    ("colt", [("1911 GOVERNMENT", 50), ("GOVERNMENT", 30), ("1911", 20)], "pistol", "45", [("GV#####", 1)], 4, 1, 0),
    ("colt", [("SUPER", 60), ("SUPER .38", 40)], "pistol", "38spl", [("CS#####", 1)], 2, 0.2, 0),
    ("canik", [("TP9SF", 70), ("TP9", 30)], "pistol", "9mm", [("##@@######", 1)], 1.5, 2, 0),
    ("cz", [("CZ 75 B", 60), ("75B", 40)], "pistol", "9mm", [("@######", 1)], 0.7, 1, 0),
    ("fn", [("FIVE-SEVEN", 60), ("FIVE SEVEN", 25), ("57", 15)], "pistol", "57x28", [("386######", 1)], 1.5, 0.3, 0),
    ("fn_us", [("509", 70), ("FN 509", 30)], "pistol", "9mm", [("GKS######", 1)], 0.5, 1, 0),
    ("beretta", [("92FS", 60), ("92 FS", 25), ("M9", 15)], "pistol", "9mm", [("BER######Z", 1)], 1.5, 1, 0),
    ("norinco", [("213", 50), ("TOKAREV 213", 50)], "pistol", "9mm", [("########", 1)], 0.4, 0.2, 0),
    ("bersa", [("THUNDER 380", 60), ("THUNDER", 40)], "pistol", "380", [("@######", 1)], 0.8, 0.7, 0),
    ("hipoint", [("C9", 100)], "pistol", "9mm", [("P#######", 1)], 1, 4, 0),
    ("sw", [("686", 40), ("MODEL 686", 60)], "revolver", "357", [("@@@####", 1)], 3, 2, 0),
    ("sw", [("642", 50), ("MODEL 642", 50)], "revolver", "38spl", [("@@@####", 1)], 3, 3, 0),
    ("sw", [("MODEL 10", 60), ("10", 40)], "revolver", "38spl", [("@@@####", 1)], 3, 2, 0),
    ("ruger", [("GP100", 60), ("GP 100", 40)], "revolver", "357", [("170-#####", 60), ("170#####", 40)], 2, 2, 3),
    ("ruger", [("SP101", 1)], "revolver", "38spl", [("570-#####", 60), ("570#####", 40)], 2, 2, 3),
    ("ruger", [("LCR", 1)], "revolver", "38spl", [("540-#####", 60), ("540#####", 40)], 1, 2, 3),
    ("taurus", [("85", 50), ("MODEL 85", 50)], "revolver", "38spl", [("@@######", 1)], 4, 2, 0),
    ("colt", [("PYTHON", 70), ("PHYTON", 30)], "revolver", "357", [("@#####", 1)], 2, 0.5, 0),
    ("colt", [("AR-15", 40), ("M4 LE6920", 30), ("AR15 SPORTER", 30)], "rifle", "223", [("LE######", 70), ("SP######", 30)], 7, 2, 0),
    ("ruger", [("AR-556", 80), ("AR556", 20)], "rifle", "223", [("850-#####", 60), ("850#####", 40)], 3, 2, 3),
    ("ruger", [("10/22", 70), ("10-22", 30)], "rifle", "22lr", [("258-#####", 60), ("258#####", 40)], 1, 3, 3),
    ("ruger", [("MINI-14", 60), ("MINI 14", 40)], "rifle", "223", [("580-#####", 60), ("580#####", 40)], 1, 1, 3),
    ("romarm", [("WASR-10", 60), ("WASR 10", 25), ("AK-47", 15)], "rifle", "762x39", [("@@-####-##", 80), ("####", 20)], 6, 1, 0),
    ("norinco", [("MAK-90", 50), ("SKS", 50)], "rifle", "762x39", [("########", 1)], 1.5, 0.5, 0),
    ("zastava", [("M70", 50), ("ZPAP M70", 50)], "rifle", "762x39", [("Z70-######", 1)], 1.5, 0.5, 0),
    ("century_us", [("VSKA", 60), ("RAS47", 40)], "rifle", "762x39", [("SV######", 1)], 2, 1, 0),
    ("barrett", [("M82A1", 70), ("M82", 30)], "rifle", "50bmg", [("AA00####", 1)], 1, 0.1, 0),
    ("bushmaster", [("XM-15", 70), ("XM15-E2S", 30)], "rifle", "223", [("BFI######", 1)], 2, 1, 0),
    ("sw", [("M&P15", 60), ("M&P 15", 40)], "rifle", "223", [("@@@####", 1)], 2, 2, 0),
    ("fn", [("SCAR 17", 1)], "rifle", "308", [("HC#####", 1)], 0.5, 0.2, 0),
    ("mossberg", [("500", 60), ("MAVERICK 88", 40)], "shotgun", "12ga", [("@######", 1)], 4, 5, 0),
    ("remington", [("870", 60), ("870 EXPRESS", 40)], "shotgun", "12ga", [("@@#######@", 1)], 3, 4, 0),
    ("stoeger", [("P3000", 1)], "shotgun", "12ga", [("#@@######", 1)], 1, 0.5, 0),
    ("cobra", [("DERRINGER", 50), ("CB38", 50)], "derringer", "38spl", [("CT######", 1)], 1, 1, 0),
    ("anderson", [("AM-15", 1)], "receiver", "223", [("16######", 1)], 1, 1, 0),
]

_AGENCIES = {
    "en": [("HOUSTON POLICE DEPARTMENT", 10), ("Phoenix Police Dept.", 8), ("Harris County Sheriff's Office", 6),
           ("Texas DPS Crime Laboratory", 5), ("Chicago Police Department", 10), ("Baltimore Police Department", 6),
           ("Los Angeles County Sheriff's Department", 7), ("Arizona Department of Public Safety", 5),
           ("Maricopa County Sheriff's Office", 5), ("Illinois State Police Crime Lab", 4),
           ("Tucson Police Department", 4), ("San Antonio Police Department", 5), ("El Paso Police Department", 5),
           ("ATF Mexico City Country Office", 4)],
    "es": [("FGR", 30), ("Fiscalía General de la República", 8), ("Fiscalía General del Estado de Jalisco", 6),
           ("Fiscalía General del Estado de Sonora", 5), ("Fiscalía General del Estado de Chihuahua", 5),
           ("Fiscalía General de Justicia del Estado de Tamaulipas", 5),
           ("Fiscalía General del Estado de Baja California", 5), ("Fiscalía General del Estado de Sinaloa", 5),
           ("Fiscalía General de Justicia del Estado de México", 4), ("Fiscalía General del Estado de Michoacán", 4),
           ("Fiscalía General del Estado de Guerrero", 4), ("SEDENA", 6), ("Guardia Nacional", 5),
           ("Policía Estatal de Sonora", 3), ("Secretaría de Seguridad Pública de Jalisco", 3)],
}
_LOCATIONS = {
    "mexico": [("Culiacán, Sinaloa", 8), ("Tijuana, Baja California", 8), ("Guadalajara, Jalisco", 7),
               ("Ciudad Juárez, Chihuahua", 7), ("Reynosa, Tamaulipas", 6), ("Hermosillo, Sonora", 5),
               ("Zapopan, Jalisco", 4), ("Morelia, Michoacán", 4), ("Acapulco, Guerrero", 4),
               ("Nogales, Sonora", 4), ("Nuevo Laredo, Tamaulipas", 4), ("Ciudad de México", 5),
               ("Uruapan, Michoacán", 3), ("Mazatlán, Sinaloa", 3), ("Matamoros, Tamaulipas", 3)],
    "us": [("Houston, TX", 8), ("Chicago, IL", 10), ("Phoenix, AZ", 6), ("Baltimore, MD", 6),
           ("Los Angeles, CA", 7), ("San Antonio, TX", 5), ("El Paso, TX", 4), ("Tucson, AZ", 4),
           ("Philadelphia, PA", 6), ("Atlanta, GA", 5), ("Memphis, TN", 5), ("Miami, FL", 4),
           ("Albuquerque, NM", 3), ("Las Vegas, NV", 3)],
}
# FFL (region, IRS district) pairs named in the domain notes, with weights per profile; every pair is in
# rules/ffl_districts.yml (real ATF licences). District 54 (VA) is region 1: an earlier 8-54 gave TC131.
_FFL_RD = [(5, 74, 12, 4), (5, 75, 8, 4), (5, 76, 10, 5), (5, 85, 4, 2), (9, 86, 12, 5), (9, 33, 4, 3),
           (9, 68, 3, 2), (9, 77, 3, 2), (9, 95, 6, 4), (9, 88, 2, 2), (1, 58, 3, 8), (1, 59, 3, 8),
           (1, 62, 2, 6), (8, 23, 1, 6), (8, 25, 1, 3), (8, 52, 1, 6), (1, 54, 2, 7)]

_PH_GENERIC = {"en": [("NONE", 20), ("N/A", 15), ("UNK", 15), ("UNKNOWN", 12), ("NONE MARKED", 5), ("NO SERIAL", 5),
                      ("0000", 6), ("-", 6), ("?", 5), ("NA", 5), ("SIN NUMERO", 3), ("XXX", 3)],
               "es": [("SIN NUMERO", 20), ("SIN NÚMERO", 8), ("SIN MATRICULA", 15), ("SIN MATRÍCULA", 6),
                      ("S/N", 15), ("N/A", 8), ("0000", 6), ("-", 6), ("?", 5), ("NONE", 5), ("UNK", 3),
                      ("UNKNOWN", 3)]}
_PH_OBLIT = {"en": [("OBLITERATED", 45), ("DEFACED", 15), ("GROUND OFF", 10), ("ILLEGIBLE", 15),
                    ("MATRICULA LIMADA", 5), ("BORRADA", 5), ("NO VISIBLE", 5)],
             "es": [("MATRICULA LIMADA", 25), ("MATRÍCULA LIMADA", 8), ("LIMADA", 10), ("LIMADO", 5),
                    ("BORRADA", 12), ("BORRADO", 5), ("ILEGIBLE", 10), ("NO VISIBLE", 8), ("NO LEGIBLE", 4),
                    ("REMARCADA", 3), ("OBLITERATED", 10)]}
_FLAG = {"en": {"yes": [("Y", 70), ("YES", 20), ("y", 10)], "no": [("N", 75), ("NO", 15), ("n", 10)]},
         "es": {"yes": [("SI", 60), ("SÍ", 25), ("Si", 15)], "no": [("NO", 85), ("No", 15)]}}
_LABELS = {"en": [("S/N: ", 25), ("SN# ", 20), ("#", 20), ("SN ", 10), ("SERIAL ", 10), ("NO. ", 10), ("S/N ", 5)],
           "es": [("MATRICULA ", 25), ("MAT. ", 15), ("No. ", 15), ("S/N: ", 15), ("#", 15), ("Nº ", 10),
                  ("SN# ", 5)]}
_JUNK_DATES = {"en": ["31/02/2020", "pending", "??", "TBD", "00/00/0000", "2/30/2019", "UNKNOWN", "13/13/2021"],
               "es": ["31/02/2020", "pendiente", "??", "SIN FECHA", "00/00/0000", "N/D", "30/02/2021", "se ignora"]}
# Of those, the ones that are no date at all (impossible days and months); the rest stand for an unknown
# date (words and database sentinels: a placeholder, not an unreadable date).
_IMPOSSIBLE_DATES = {"31/02/2020", "2/30/2019", "13/13/2021", "30/02/2021"}
_MONTHS_ES = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]

# Serial defect categories: one draw per row; rates are per row, by profile.
# (domain.md: placeholders/blank 2-5 %, truncated 0.5-1 %, labels 1-3 %, confusables 2-4 %,
#  transposition ~1 %, dropped/added ~1 %, spaces/hyphens 3-5 %, obliterated 3-8 % for Mexico.)
SERIAL_DEFECT_RATES = {
    "mexico": {"serial_obliterated": 0.05, "serial_blank": 0.025, "serial_placeholder": 0.02,
               "serial_truncated": 0.008, "serial_label": 0.02, "serial_confusable": 0.03,
               "serial_transposition": 0.01, "serial_indel": 0.01, "serial_spaces_hyphens": 0.04,
               "serial_non_ascii": 0.003, "serial_repeated_char": 0.002, "obliterated_flag_with_serial": 0.003},
    "us": {"serial_obliterated": 0.015, "serial_blank": 0.02, "serial_placeholder": 0.015,
           "serial_truncated": 0.006, "serial_label": 0.015, "serial_confusable": 0.025,
           "serial_transposition": 0.01, "serial_indel": 0.01, "serial_spaces_hyphens": 0.035,
           "serial_non_ascii": 0.002, "serial_repeated_char": 0.002, "obliterated_flag_with_serial": 0.002},
}
_SERIAL_CATS = list(SERIAL_DEFECT_RATES["mexico"])

DEFECT_KINDS = [
    *_SERIAL_CATS,
    "serial_excel_mangled",         # all-digit serial shown as 1.23457E+07
    "serial_lowercase",             # cosmetic
    "obliterated_flag_inconsistent",  # obliterated placeholder/blank serial but flag N
    "manufacturer_missing", "model_missing", "caliber_missing", "type_missing",
    "manufacturer_is_importer",     # e.g. CENTURY ARMS as make of a WASR-10
    "importer_missing",             # foreign-made, importer blank
    "import_serial_missing",        # WASR with only the 4-digit factory number
    "foreign_make_country_us",      # foreign maker, country US, no importer
    "country_missing",
    "purchase_date_blank", "recovery_date_blank", "request_date_blank", "date_unparseable",
    "date_placeholder",             # drawn with date_unparseable: the junk text that stands for an unknown date
    "purchase_after_recovery", "recovery_after_request", "date_future",
    "ffl_abbreviated", "ffl_short_sequence", "ffl_region_district_mismatch", "ffl_bad_type",
    "agency_missing", "location_missing",
    "duplicate_exact", "duplicate_fuzzy",
]
_BIT = {k: i for i, k in enumerate(DEFECT_KINDS)}
# Defects that travel with the gun when a row is re-submitted as a duplicate.
_GUN_DEFECTS = [k for k in DEFECT_KINDS if k.startswith(("serial_", "obliterated", "manufacturer", "model",
                                                          "caliber", "type", "import", "foreign", "country",
                                                          "ffl_", "purchase_date_blank"))]

_LETTERS = np.frombuffer(b"ABCDEFGHJKLMNPRSTUVWXYZ", dtype=np.uint8).astype(np.uint32)
_CONFUSE = {"O": "0", "0": "O", "I": "1", "1": "I", "S": "5", "5": "S", "B": "8", "8": "B",
            "Z": "2", "2": "Z", "G": "6", "6": "G"}
_CONFUSE_W = {"0": 5, "O": 5, "1": 2, "I": 2, "S": 1.5, "5": 1.5, "B": 1.5, "8": 1.5,
              "Z": 1, "2": 1, "G": 1, "6": 1}
_CYRILLIC = {"A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р", "C": "С",
             "T": "Т", "X": "Х", "0": "О"}
_LATIN1 = {"0": "Ø", "O": "Ø", "N": "Ñ", "E": "É", "A": "Á"}
_MIN_PURCHASE = (np.datetime64("1950-01-01", "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)


# --------------------------------------------------------------------------------------
# Small vectorised helpers
# --------------------------------------------------------------------------------------

def _opts(pairs):
    values = np.array([v for v, _ in pairs], dtype=object)
    w = np.array([w for _, w in pairs], dtype=float)
    return values, w / w.sum()


def _pick(rng, pairs, n):
    values, p = _opts(pairs)
    return values[rng.choice(len(values), size=n, p=p)]


def _groups(ids, n_groups):
    order = np.argsort(ids, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(ids, minlength=n_groups))])
    return [order[bounds[g]:bounds[g + 1]] for g in range(n_groups)]


def _pick_grouped(rng, groups, options, out):
    """For each group g, fill out[rows of g] from options[g] (a pairs list, or None to leave)."""
    for rows, pairs in zip(groups, options):
        if len(rows) and pairs:
            out[rows] = _pick(rng, pairs, len(rows))
    return out


def _categorical(rng, n, probs, ensure, eligible=None, avoid=None):
    """Draw one category per row (len(probs) means "none"). With `ensure`, every category
    with a non-zero rate occurs at least once (taken from eligible "none" rows), so small
    demonstration batches still show each defect kind; for large batches this never triggers."""
    probs = np.asarray(probs, dtype=float)
    cat = rng.choice(len(probs) + 1, size=n, p=np.append(probs, 1.0 - probs.sum()))
    if eligible is not None:
        cat[~eligible] = len(probs)
    if ensure and n:
        counts = np.bincount(cat if avoid is None else cat[~avoid], minlength=len(probs) + 1)
        for c in np.flatnonzero((counts[:-1] == 0) & (probs > 0)):
            free = (cat == len(probs)) & (True if eligible is None else eligible)
            free = np.flatnonzero(free & (True if avoid is None else ~avoid))
            if len(free) > 1:
                cat[free[rng.integers(len(free))]] = c
    return cat


def _mask(rng, n, rate, ensure, eligible=None, avoid=None):
    return _categorical(rng, n, [rate], ensure, eligible, avoid) == 0


def _to_mat(values, extra=0):
    """Object array of str -> (uint32 code-point matrix, lengths); `extra` spare columns."""
    arr = np.asarray(values, dtype=object).astype(str)
    width = max(arr.dtype.itemsize // 4, 1) + extra
    arr = arr.astype(f"<U{width}")
    mat = np.ascontiguousarray(arr).view(np.uint32).reshape(len(arr), width).copy()
    return mat, (mat != 0).sum(axis=1)


def _from_mat(mat):
    mat = np.ascontiguousarray(mat, dtype=np.uint32)
    if mat.shape[1] == 0:
        return np.full(mat.shape[0], "", dtype=object)
    return mat.view(f"<U{mat.shape[1]}").ravel().astype(object)


def _random_pos(rng, allowed):
    """One random True column per row of `allowed`; -1 where none."""
    score = rng.random(allowed.shape)
    score[~allowed] = -1.0
    pos = score.argmax(axis=1)
    pos[~allowed.any(axis=1)] = -1
    return pos


def _delete_at(mat, pos):
    cols = np.arange(mat.shape[1])
    idx = np.minimum(cols + (cols >= pos[:, None]), mat.shape[1] - 1)
    out = np.take_along_axis(mat, idx, axis=1)
    out[:, -1] = np.where(pos >= 0, 0, out[:, -1])
    return out


def _insert_at(mat, pos, codes):
    k, w = mat.shape
    padded = np.concatenate([mat, np.zeros((k, 1), np.uint32)], axis=1)
    cols = np.arange(w + 1)
    idx = np.maximum(cols - (cols > pos[:, None]), 0)
    out = np.take_along_axis(padded, idx, axis=1)
    out[np.arange(k), pos] = codes
    return out


def _digits(values, width):
    """Non-negative ints -> uint32 matrix of ASCII digits, zero-padded to `width`."""
    pw = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((np.asarray(values, np.int64)[:, None] // pw) % 10 + 48).astype(np.uint32)


def _lit(text, n):
    return np.tile(np.array([ord(c) for c in text], np.uint32), (n, 1))


def _template(rng, template, n):
    mat = np.empty((n, len(template)), np.uint32)
    for j, ch in enumerate(template):
        if ch == "#":
            mat[:, j] = rng.integers(48, 58, n)
        elif ch == "@":
            mat[:, j] = _LETTERS[rng.integers(0, len(_LETTERS), n)]
        else:
            mat[:, j] = ord(ch)
    return mat


def _map_codes(mat, mapping):
    lut = np.arange(0x10000, dtype=np.uint32)
    for a, b in mapping.items():
        lut[ord(a)] = ord(b)
    return lut[np.minimum(mat, 0xFFFF)]


# --------------------------------------------------------------------------------------
# Generator
#
# generate_batch runs the steps below in this order. Every value comes from one
# numpy Generator, so moving or reordering a draw changes every value drawn after it.
# --------------------------------------------------------------------------------------

@dataclass
class _Batch:
    """Working state of one batch: the Generator, the options, the output columns and shared per-row facts."""

    rng: np.random.Generator
    n: int
    language: str
    profile: str
    today: int  # days since 1970-01-01
    ensure: bool  # batches of 40+ rows show every defect kind at least once
    n_dup: int  # rows reserved for re-submissions ("cargas dobles")
    is_dup: np.ndarray  # reserved rows; after _duplicates, the rows that really are duplicates
    bits: np.ndarray  # injected defects, one bit per DEFECT_KINDS entry (see _BIT)
    col: dict = field(default_factory=dict)  # output columns by _KEYS name
    # filled in by the steps
    make_id: np.ndarray = None
    true_serial: np.ndarray = None
    serial_len_hint: np.ndarray = None  # template length
    numeric: np.ndarray = None  # all-digit serial of 8+ characters (Excel mangles it)
    prefix_len: np.ndarray = None  # Ruger model prefix kept when a serial is truncated
    foreign: np.ndarray = None
    serial_cat: np.ndarray = None  # index into _SERIAL_CATS; len(_SERIAL_CATS) = clean
    agency_values: np.ndarray = None
    agency_id: np.ndarray = None
    purchase: np.ndarray = None  # dates as int days since 1970-01-01
    recovery: np.ndarray = None
    request: np.ndarray = None
    dup_of: np.ndarray = None  # row index of the original, -1 for none
    ttc_days: np.ndarray = None  # true recovery - purchase, before date defects
    lag_days: np.ndarray = None  # true request - recovery, before date defects

    @property
    def lang(self) -> int:
        """Index into the (English, Spanish) spelling pairs."""
        return 0 if self.language == "en" else 1

    @property
    def mx(self) -> bool:
        return self.profile == "mexico"

    def mark(self, name, rows):
        """Record defect `name` on `rows`."""
        self.bits[rows] |= np.int64(1) << _BIT[name]


def generate_batch(n_rows: int, *, seed: int = 0, language: str = "en", profile: str = "mexico",
                   with_truth: bool = False, start_request_id: int = 1,
                   today: datetime.date = datetime.date(2026, 11, 1)) -> pd.DataFrame:
    """Return a synthetic trace-request batch as a text-only DataFrame with raw headers."""
    if language not in HEADERS:
        raise ValueError(f"language must be 'en' or 'es', not {language!r}")
    if profile not in _TYPE_MIX:
        raise ValueError(f"profile must be 'mexico' or 'us', not {profile!r}")
    n = int(n_rows)
    if n < 0:
        raise ValueError("n_rows must be >= 0")
    b = _new_batch(n, seed, language, profile, today)
    _gun_fields(b)
    _import_defects(b)
    _serial_defects(b)
    _missing_gun_fields(b)
    _draw_agency_and_location(b)
    _ffl_numbers(b)
    _true_dates(b)
    _duplicates(b)
    row_defects = _draw_row_defects(b)
    _date_value_defects(b, row_defects)
    _date_texts(b, row_defects["date_future"])
    _date_text_defects(b, row_defects)
    _agency_location_blanks(b, row_defects["agency_missing"])
    return _to_frame(b, with_truth, start_request_id)


def _new_batch(n, seed, language, profile, today):
    """Seed the Generator and reserve the rows that will become duplicates (the first draw)."""
    rng = np.random.default_rng(seed)
    ensure = n >= 40
    n_dup = max(round(0.03 * n), 2 if ensure else 0) if n >= 10 else 0
    is_dup = np.zeros(n, bool)
    is_dup[rng.choice(np.arange(1, n), size=n_dup, replace=False) if n_dup else []] = True
    return _Batch(rng=rng, n=n, language=language, profile=profile, today=(today - datetime.date(1970, 1, 1)).days,
                  ensure=ensure, n_dup=n_dup, is_dup=is_dup, bits=np.zeros(n, dtype=np.int64))


# ---- firearm -------------------------------------------------------------------------

def _model_table(profile):
    """One row per (model, serial template) with its probability under the profile's type mix."""
    rows = []
    for mi, (make, _aliases, typ, cal, serials, w_mx, w_us, plen) in enumerate(_MODELS):
        total = sum(s for _, s in serials)
        for template, share in serials:
            rows.append((mi, make, typ, cal, template, (w_mx if profile == "mexico" else w_us) * share / total, plen))
    type_of = np.array([r[2] if r[2] in TYPES else "other" for r in rows])
    w = np.array([r[5] for r in rows], dtype=float)
    p = np.zeros(len(rows))
    for t, share in zip(TYPES, _TYPE_MIX[profile]):
        sel = type_of == t
        p[sel] = share * w[sel] / w[sel].sum()
    return rows, p / p.sum()


def _gun_fields(b):
    """Draw each row's model variant, then its stamped serial and the gun's text fields."""
    table, p = _model_table(b.profile)
    var = b.rng.choice(len(table), size=b.n, p=p)
    make_keys = list(_MAKES)
    b.make_id = np.array([make_keys.index(r[1]) for r in table])[var]
    mgroups = _groups(b.make_id, len(make_keys))
    modgroups = _groups(np.array([r[0] for r in table])[var], len(_MODELS))
    _stamp_serials(b, table, var)
    _gun_text(b, mgroups, modgroups)
    _country_and_importer(b, mgroups)


def _stamp_serials(b, table, var):
    """The serial as stamped, from each variant's template ('#' digit, '@' letter)."""
    b.true_serial = np.empty(b.n, dtype=object)
    b.serial_len_hint = np.zeros(b.n, np.int64)
    b.numeric = np.zeros(b.n, bool)
    b.prefix_len = np.zeros(b.n, np.int64)
    for v, rows in enumerate(_groups(var, len(table))):
        if len(rows):
            tmpl = table[v][4]
            b.true_serial[rows] = _from_mat(_template(b.rng, tmpl, len(rows)))
            b.serial_len_hint[rows] = len(tmpl)
            b.numeric[rows] = set(tmpl) <= set("#0123456789") and len(tmpl) >= 8
            b.prefix_len[rows] = table[v][6]


def _gun_text(b, mgroups, modgroups):
    """Manufacturer, model, caliber and type as an agency would write them, in the batch's language."""
    rng, n, col = b.rng, b.n, b.col
    col["manufacturer"] = _pick_grouped(rng, mgroups, [_MAKES[k][0] for k in _MAKES], np.empty(n, object))
    col["model"] = _pick_grouped(rng, modgroups, [m[1] for m in _MODELS], np.empty(n, object))
    calibers = [_CALIBERS[m[3]][b.lang] for m in _MODELS]
    col["caliber"] = _pick_grouped(rng, modgroups, calibers, np.empty(n, object))
    types = [_TYPE_NAMES[b.language][m[2]] for m in _MODELS]
    col["type"] = _pick_grouped(rng, modgroups, types, np.empty(n, object))


def _country_and_importer(b, mgroups):
    """Country of origin from the maker; importer for foreign makes, "N/A" on a few US guns."""
    make_keys, cc_keys = list(_MAKES), list(_COUNTRIES)
    b.foreign = np.array([_MAKES[k][1] for k in make_keys])[b.make_id] != "US"
    cgroups = _groups(np.array([cc_keys.index(_MAKES[k][1]) for k in make_keys])[b.make_id], len(cc_keys))
    countries = [_COUNTRIES[c][b.lang] for c in cc_keys]
    b.col["country"] = _pick_grouped(b.rng, cgroups, countries, np.empty(b.n, object))
    importer = _pick_grouped(b.rng, mgroups, [_MAKES[k][2] for k in make_keys], np.full(b.n, None, object))
    us_rows = np.flatnonzero(~b.foreign)
    na = us_rows[b.rng.random(len(us_rows)) < 0.05]
    importer[na] = "N/A" if b.language == "en" else "NO APLICA"
    b.col["importer"] = importer


def _import_defects(b):
    """Importer blank, foreign make shown as US-made, WASR without import serial, importer given as maker."""
    rng, col = b.rng, b.col
    frows = np.flatnonzero(b.foreign)
    ucat = _categorical(rng, len(frows), [0.25, 0.02], b.ensure, avoid=b.is_dup[frows])
    imp_missing = frows[ucat == 0]
    col["importer"][imp_missing] = None
    b.mark("importer_missing", imp_missing)
    as_us = frows[ucat == 1]
    col["importer"][as_us] = None
    col["country"][as_us] = _pick(rng, _US[b.lang], len(as_us))
    b.mark("foreign_make_country_us", as_us)
    make_keys = list(_MAKES)
    romarm, canik = make_keys.index("romarm"), make_keys.index("canik")
    b.mark("import_serial_missing", np.flatnonzero((b.make_id == romarm) & (b.serial_len_hint == 4)))
    century = np.flatnonzero(np.isin(b.make_id, [romarm, canik]))
    as_imp = century[_mask(rng, len(century), 0.03, b.ensure, avoid=b.is_dup[century])]
    col["manufacturer"][as_imp] = _pick(rng, _CENTURY[:3], len(as_imp))
    b.mark("manufacturer_is_importer", as_imp)


# ---- serial and obliterated flag -------------------------------------------------------

def _serial_defects(b):
    """One serial-defect category per row (SERIAL_DEFECT_RATES), applied with the obliterated flag."""
    cat_p = np.array([SERIAL_DEFECT_RATES[b.profile][c] for c in _SERIAL_CATS])
    b.serial_cat = cat = _categorical(b.rng, b.n, cat_p, b.ensure, avoid=b.is_dup)
    serial = b.true_serial.copy()
    flag = np.full(b.n, None, dtype=object)
    no_rows = np.flatnonzero(b.rng.random(b.n) < 0.7)
    flag[no_rows] = _pick(b.rng, _FLAG[b.language]["no"], len(no_rows))
    _serial_noise(b, serial, cat)
    _truncate_serials(b, serial, _cat_rows(cat, "serial_truncated"))
    _obliterate_serials(b, serial, flag, _cat_rows(cat, "serial_obliterated"))
    _missing_serials(b, serial, flag, cat)
    _excel_and_lowercase_serials(b, serial, cat == len(_SERIAL_CATS))
    b.col["serial"], b.col["obliterated"] = serial, flag


def _cat_rows(cat, name):
    return np.flatnonzero(cat == _SERIAL_CATS.index(name))


def _serial_noise(b, serial, cat):
    """Apply the character-level serial defects (_SERIAL_NOISE, in order) in place; mark rows changed."""
    for name, change in _SERIAL_NOISE:
        rows = _cat_rows(cat, name)
        if len(rows):
            changed, ok = change(b.rng, serial[rows], b.language)
            serial[rows] = changed
            b.mark(name, rows[ok])


# Each takes (rng, serials, language) and returns (new serials, mask of rows really changed).

def _swap_confusable(rng, values, language):
    """Swap one look-alike character (O/0, I/1, S/5, ...), the common ones more often."""
    mat, _ = _to_mat(values)
    w = np.zeros(0x10000)
    for ch, wt in _CONFUSE_W.items():
        w[ord(ch)] = wt
    score = rng.random(mat.shape) * w[np.minimum(mat, 0xFFFF)]
    pos = score.argmax(axis=1)
    ok = score.max(axis=1) > 0
    r = np.arange(len(values))[ok]
    mat[r, pos[ok]] = _map_codes(mat[r, pos[ok]][:, None], _CONFUSE)[:, 0]
    return _from_mat(mat), ok


def _transpose(rng, values, language):
    """Swap two adjacent, different characters."""
    mat, _ = _to_mat(values)
    allowed = (mat[:, :-1] != mat[:, 1:]) & (mat[:, 1:] != 0)
    pos = _random_pos(rng, allowed)
    ok = pos >= 0
    r = np.flatnonzero(ok)
    left, right = mat[r, pos[ok]].copy(), mat[r, pos[ok] + 1].copy()
    mat[r, pos[ok]], mat[r, pos[ok] + 1] = right, left
    return _from_mat(mat), ok


def _drop_or_add(rng, values, language):
    """Drop one character, or add a digit (70 %) or letter after one."""
    k = len(values)
    mat, ln = _to_mat(values, extra=1)
    drop = rng.random(k) < 0.5
    pos = (rng.random(k) * ln).astype(np.int64)
    out = np.where(drop[:, None], _delete_at(mat, pos), mat)
    add_codes = np.where(rng.random(k) < 0.7, rng.integers(48, 58, k),
                         _LETTERS[rng.integers(0, len(_LETTERS), k)]).astype(np.uint32)
    ins = _insert_at(mat, np.minimum(pos + 1, ln), add_codes)[:, :mat.shape[1]]
    out = np.where(drop[:, None], out, ins)
    return _from_mat(out), np.ones(k, bool)


def _insert_separators(rng, values, language):
    """Insert a space or hyphen inside the serial, a second one on a quarter of rows."""
    k = len(values)
    mat, ln = _to_mat(values)
    pos = 1 + (rng.random(k) * np.maximum(ln - 1, 1)).astype(np.int64)
    codes = np.where(rng.random(k) < 0.55, ord(" "), ord("-")).astype(np.uint32)
    out = _insert_at(mat, np.minimum(pos, ln), codes)
    twice = rng.random(k) < 0.25
    if twice.any():
        pos2 = np.minimum(pos + 2 + (rng.random(k) * 3).astype(np.int64), ln + 1)
        wide = np.concatenate([out, np.zeros((k, 1), np.uint32)], axis=1)
        out = np.where(twice[:, None], _insert_at(out, pos2, codes), wide)
    return _from_mat(out), np.ones(k, bool)


def _add_label(rng, values, language):
    """Label noise: "S/N: ABC1234", "SN# ...", "#...", sometimes a trailing "(29N)"-style code."""
    k = len(values)
    lab = _pick(rng, _LABELS[language], k)
    trail = np.where(rng.random(k) < 0.15, " (29N)", "").astype(object)
    return lab + values + trail, np.ones(k, bool)


def _non_ascii(rng, values, language):
    """One look-alike Cyrillic (or, mostly for Spanish, Latin-1) character; else a stray "Ж" first."""
    mat, _ = _to_mat(values)
    cyr = _map_codes(mat, _CYRILLIC)
    lat = _map_codes(mat, _LATIN1)
    use_lat = (rng.random(len(values)) < (0.7 if language == "es" else 0.1))[:, None]
    target = np.where(use_lat, lat, cyr)
    pos = _random_pos(rng, target != mat)
    ok = pos >= 0
    r = np.flatnonzero(ok)
    mat[r, pos[ok]] = target[r, pos[ok]]
    mat[~ok, 0] = ord("Ж")
    return _from_mat(mat), np.ones(len(values), bool)


def _repeated_char(rng, values, language):
    """Replace the serial with one digit repeated 6-8 times ("1111111")."""
    k = len(values)
    digit = rng.integers(1, 10, k)
    length = rng.integers(6, 9, k)
    mat = np.where(np.arange(8)[None, :] < length[:, None], digit[:, None] + 48, 0).astype(np.uint32)
    return _from_mat(mat), np.ones(k, bool)


_SERIAL_NOISE = [("serial_confusable", _swap_confusable), ("serial_transposition", _transpose),
                 ("serial_indel", _drop_or_add), ("serial_spaces_hyphens", _insert_separators),
                 ("serial_label", _add_label), ("serial_non_ascii", _non_ascii),
                 ("serial_repeated_char", _repeated_char)]


def _truncate_serials(b, serial, rows):
    """Keep only the Ruger model prefix, or the first 1-3 characters for other makes."""
    if len(rows):
        plen = b.prefix_len[rows]
        keep = np.where(plen > 0, plen, b.rng.integers(1, 4, len(rows)))
        mat, _ = _to_mat(serial[rows])
        mat[np.arange(mat.shape[1])[None, :] >= keep[:, None]] = 0
        serial[rows] = _from_mat(mat)
        b.mark("serial_truncated", rows)


def _obliterate_serials(b, serial, flag, rows):
    """Placeholder text (65 %) or blank serial; flag mostly "Y", else "N" or blank (inconsistent)."""
    if not len(rows):
        return
    rng, language = b.rng, b.language
    ph = rng.random(len(rows)) < 0.65
    serial[rows[ph]] = _pick(rng, _PH_OBLIT[language], int(ph.sum()))
    serial[rows[~ph]] = np.where(rng.random(int((~ph).sum())) < 0.8, None, "")
    fu = rng.random(len(rows))
    fresh = ~b.is_dup[rows]
    if b.ensure and fresh.sum() > 1 and not (fu >= 0.85)[fresh].any():
        fu[rng.choice(np.flatnonzero(fresh))] = 0.99
    flag[rows[fu < 0.85]] = _pick(rng, _FLAG[language]["yes"], int((fu < 0.85).sum()))
    bad = rows[fu >= 0.85]
    cut = (len(bad) * 2) // 3
    flag[bad[:cut]] = _pick(rng, _FLAG[language]["no"], cut)
    flag[bad[cut:]] = None
    b.mark("serial_obliterated", rows)
    b.mark("obliterated_flag_inconsistent", bad)


def _missing_serials(b, serial, flag, cat):
    """Blank serials, placeholder text ("NONE", "S/N"), and the obliterated flag set on a legible serial."""
    rng, language = b.rng, b.language
    rows = _cat_rows(cat, "serial_blank")
    serial[rows] = np.where(rng.random(len(rows)) < 0.85, None, np.where(rng.random(len(rows)) < 0.5, "", " "))
    b.mark("serial_blank", rows)
    rows = _cat_rows(cat, "serial_placeholder")
    serial[rows] = _pick(rng, _PH_GENERIC[language], len(rows))
    b.mark("serial_placeholder", rows)
    rows = _cat_rows(cat, "obliterated_flag_with_serial")
    flag[rows] = _pick(rng, _FLAG[language]["yes"], len(rows))
    b.mark("obliterated_flag_with_serial", rows)


def _excel_and_lowercase_serials(b, serial, clean):
    """On otherwise clean serials: Excel scientific notation for long all-digit ones, else lower case."""
    rows = np.flatnonzero(clean & b.numeric)
    rows = rows[_mask(b.rng, len(rows), 0.04, b.ensure, avoid=b.is_dup[rows])]
    if len(rows):
        serial[rows] = np.array([f"{float(s):.5E}" for s in serial[rows]], dtype=object)
        b.mark("serial_excel_mangled", rows)
    rows = np.flatnonzero(clean & ~b.numeric)
    rows = rows[_mask(b.rng, len(rows), 0.01, b.ensure, avoid=b.is_dup[rows])]
    if len(rows):
        serial[rows] = np.array([s.lower() for s in serial[rows]], dtype=object)
        b.mark("serial_lowercase", rows)


def _missing_gun_fields(b):
    """Blank manufacturer, model, caliber, type or country on a few rows (defect "<field>_missing")."""
    for key, rate in (("manufacturer", 0.02), ("model", 0.03), ("caliber", 0.03), ("type", 0.03),
                      ("country", 0.01)):
        rows = np.flatnonzero(_mask(b.rng, b.n, rate, b.ensure, avoid=b.is_dup))
        b.col[key][rows] = None
        b.mark(f"{key}_missing", rows)


# ---- agency, location, FFL number ----------------------------------------------------------

def _draw_agency_and_location(b):
    """Requesting agency (kept as an index until duplicates are made) and recovery location."""
    b.agency_values, p = _opts(_AGENCIES[b.language])
    b.agency_id = b.rng.choice(len(b.agency_values), size=b.n, p=p)
    b.col["location"] = _pick(b.rng, _LOCATIONS[b.profile], b.n)


def _ffl_numbers(b):
    """Dealer licence X-XX-XXX-XX-XL-XXXXX on 50 % (Mexico) or 70 % (US) of rows, a few malformed."""
    rng = b.rng
    ffl = np.full(b.n, None, dtype=object)
    has_ffl = np.flatnonzero(rng.random(b.n) < (0.5 if b.mx else 0.7))
    k = len(has_ffl)
    rd = np.array([(r, d) for r, d, _, _ in _FFL_RD])
    rdw = np.array([wm if b.mx else wu for _, _, wm, wu in _FFL_RD], float)
    pick = rng.choice(len(rd), size=k, p=rdw / rdw.sum())
    region, district = rd[pick, 0].copy(), rd[pick, 1].copy()
    ltype = np.where(rng.random(k) < 0.8, 1, 2)
    seq = rng.integers(0, 100000, k)
    fcat = _categorical(rng, k, [0.015, 0.01, 0.015, 0.08, 0.10], b.ensure, avoid=b.is_dup[has_ffl])
    mism, badtype, short, abbrev, nohyph = (fcat == i for i in range(5))
    alt = rng.integers(0, 2, k)
    district[mism] = [_OTHER_DISTRICT[r][a] for r, a in zip(region[mism].tolist(), alt[mism].tolist())]
    ltype[badtype] = 5
    full = _ffl_matrix(rng, region, district, ltype, seq)
    ffl[has_ffl] = _from_mat(_ffl_malform(full, region, district, seq, short, abbrev, nohyph))
    b.col["ffl"] = ffl
    b.mark("ffl_region_district_mismatch", has_ffl[mism])
    b.mark("ffl_bad_type", has_ffl[badtype])
    b.mark("ffl_short_sequence", has_ffl[short])
    b.mark("ffl_abbreviated", has_ffl[abbrev])


# For a mismatched FFL: region -> two IRS districts that belong to another region.
_OTHER_DISTRICT = {5: (86, 59), 9: (74, 23), 1: (76, 95), 8: (58, 85)}


def _ffl_matrix(rng, region, district, ltype, seq):
    """Code-point matrix of full licence numbers: region-district-county-type-expiry-sequence."""
    k = len(region)
    h = _lit("-", k)
    exp_letter = np.frombuffer(b"ABCDEFGHJKLM", np.uint8).astype(np.uint32)[rng.integers(0, 12, k)]
    return np.concatenate([_digits(region, 1), h, _digits(district, 2), h, _digits(rng.integers(1, 500, k), 3), h,
                           _digits(ltype, 2), h, _digits(rng.integers(0, 10, k), 1), exp_letter[:, None], h,
                           _digits(seq, 5)], axis=1)


def _ffl_malform(full, region, district, seq, short, abbrev, nohyph):
    """4-digit sequence, hyphens dropped, or abbreviated to region-district-sequence (no draws)."""
    k = len(region)
    full[short, -1] = 0
    if nohyph.any():
        keep_cols = [j for j in range(full.shape[1]) if j not in (1, 4, 8, 11, 14)]
        pad = np.zeros((int(nohyph.sum()), 5), np.uint32)
        full[nohyph] = np.concatenate([full[nohyph][:, keep_cols], pad], axis=1)
    h = _lit("-", k)
    ab = np.concatenate([_digits(region, 1), h, _digits(district, 2), h, _digits(seq, 5)], axis=1)
    ab = np.concatenate([ab, np.zeros((k, full.shape[1] - ab.shape[1]), np.uint32)], axis=1)
    full[abbrev] = ab[abbrev]
    return full


# ---- dates -------------------------------------------------------------------------------

def _true_dates(b):
    """Request, recovery and purchase days from profile-specific lag and time-to-crime draws."""
    request = b.today - b.rng.integers(1, 700, b.n)
    lag, ttc_y, cap = _lag_and_time_to_crime(b.rng, b.n, b.mx)
    big = ttc_y > cap
    ttc_y[big] = b.rng.uniform(35, cap, int(big.sum()))
    recovery = request - lag.astype(np.int64)
    b.request, b.recovery = request, recovery
    b.purchase = np.maximum(recovery - (ttc_y * 365.25).astype(np.int64), _MIN_PURCHASE)


def _lag_and_time_to_crime(rng, n, mx):
    """Returns (recovery-to-request lag in days, time-to-crime in years, cap on the years)."""
    if mx:
        lag = np.exp(rng.normal(np.log(300.0), 0.9, n))
        over = lag > 1150
        lag[over] = rng.uniform(30, 1100, int(over.sum()))
        short_ttc = rng.random(n) < 0.20
        ttc_y = np.where(short_ttc, np.exp(rng.normal(np.log(1.3), 0.7, n)), np.exp(rng.normal(np.log(15.0), 0.5, n)))
        return lag, ttc_y, 58.0
    lag = np.exp(rng.normal(np.log(12.0), 1.2, n))
    over = lag > 1100
    lag[over] = rng.uniform(0, 90, int(over.sum()))
    short_ttc = rng.random(n) < 0.35
    ttc_y = np.where(short_ttc, np.exp(rng.normal(np.log(0.5), 1.2, n)), np.exp(rng.normal(np.log(11.0), 0.75, n)))
    return lag, ttc_y, 55.0


# ---- duplicates ("cargas dobles") ----------------------------------------------------------

def _duplicates(b):
    """Turn the reserved rows into re-submissions of earlier clean rows: half exact, half one serial change."""
    b.dup_of = np.full(b.n, -1, np.int64)
    if not b.n_dup:
        return
    dups, orig = _pick_originals(b)
    b.is_dup[:] = False
    b.is_dup[dups] = True
    b.dup_of[dups] = orig
    _copy_gun(b, dups, orig)
    _resubmit(b, dups, orig)
    fuzzy = b.rng.permutation(np.arange(len(dups)) % 2 == 1)
    b.mark("duplicate_exact", dups[~fuzzy])
    b.mark("duplicate_fuzzy", dups[fuzzy])
    frows = dups[fuzzy]
    if len(frows):
        b.col["serial"][frows] = _one_char_change(b.rng, b.col["serial"][frows])


def _pick_originals(b):
    """For each reserved row, a random earlier row that is not reserved and has a clean serial of 6+ characters.
    Reserved rows with no such row are dropped."""
    slen = np.char.str_len(b.col["serial"].astype(str))
    eligible = np.flatnonzero(~b.is_dup & (b.serial_cat == len(_SERIAL_CATS)) & (slen >= 6))
    dups = np.sort(np.flatnonzero(b.is_dup))
    cnt = np.searchsorted(eligible, dups)
    dups, cnt = dups[cnt > 0], cnt[cnt > 0]
    orig = eligible[(b.rng.random(len(dups)) * cnt).astype(np.int64)]
    return dups, orig


def _copy_gun(b, dups, orig):
    """A re-submission repeats the gun, licence and place, and the defects that travel with the gun."""
    for key in ("manufacturer", "model", "caliber", "type", "serial", "obliterated", "importer", "country",
                "ffl", "location"):
        b.col[key][dups] = b.col[key][orig]
    b.true_serial[dups] = b.true_serial[orig]
    b.foreign[dups] = b.foreign[orig]
    gun_mask = np.int64(sum(1 << _BIT[kd] for kd in _GUN_DEFECTS))
    b.bits[dups] = b.bits[orig] & gun_mask


def _resubmit(b, dups, orig):
    """Another agency asks later; the recovery date may be off by a few days."""
    rng, k, n_agencies = b.rng, len(dups), len(b.agency_values)
    shift = rng.integers(1, n_agencies, k)
    b.agency_id[dups] = (b.agency_id[orig] + shift) % n_agencies
    delta = np.where(rng.random(k) < 0.6, 0, rng.integers(-3, 4, k))
    b.purchase[dups] = b.purchase[orig]
    b.recovery[dups] = b.recovery[orig] + delta
    later = np.minimum(b.request[orig] + rng.integers(5, 240, k), b.recovery[dups] + 1150)
    b.request[dups] = np.maximum(np.minimum(later, b.today - 1), b.recovery[dups])


def _one_char_change(rng, values):
    """Fuzzy duplicate: confusable swap, dropped dash/space, or one digit changed."""
    mat, _ = _to_mat(values)
    k = len(values)
    kind = rng.integers(0, 3, k)
    conf = np.zeros(0x10000, bool)
    conf[[ord(c) for c in _CONFUSE]] = True
    pos_conf = _random_pos(rng, conf[np.minimum(mat, 0xFFFF)])
    pos_sep = _random_pos(rng, (mat == ord("-")) | (mat == ord(" ")))
    pos_dig = _random_pos(rng, (mat >= 48) & (mat <= 57))
    out = mat.copy()
    # fall back to changing a digit when the chosen change is impossible
    kind = np.where((kind == 0) & (pos_conf < 0), 2, kind)
    kind = np.where((kind == 1) & (pos_sep < 0), 2, kind)
    kind = np.where((kind == 2) & (pos_dig < 0), 0, kind)
    r = np.flatnonzero((kind == 0) & (pos_conf >= 0))
    out[r, pos_conf[r]] = _map_codes(mat[r, pos_conf[r]][:, None], _CONFUSE)[:, 0]
    r = np.flatnonzero(kind == 2)
    if len(r):
        old = mat[r, pos_dig[r]] - 48
        out[r, pos_dig[r]] = ((old + rng.integers(1, 10, len(r))) % 10 + 48).astype(np.uint32)
    r = np.flatnonzero(kind == 1)
    if len(r):
        out[r] = _delete_at(out[r], pos_sep[r])
    return _from_mat(out)


# ---- date and agency defects (never on duplicate rows) ---------------------------------------

# One draw per non-duplicate row picks at most one of these.
_ROW_DEFECT_RATES = {"purchase_after_recovery": 0.0025, "recovery_after_request": 0.0025, "date_future": 0.002,
                     "recovery_date_blank": 0.005, "request_date_blank": 0.002, "date_unparseable": 0.01,
                     "agency_missing": 0.003}


def _draw_row_defects(b):
    """Rows per _ROW_DEFECT_RATES kind, drawn among the non-duplicate rows."""
    nd = np.flatnonzero(~b.is_dup)
    dcat = _categorical(b.rng, len(nd), list(_ROW_DEFECT_RATES.values()), b.ensure)
    return {name: nd[dcat == i] for i, name in enumerate(_ROW_DEFECT_RATES)}


def _date_value_defects(b, rows):
    """Record the true gaps, then: purchase after recovery, recovery after request, request in the future."""
    b.ttc_days = b.recovery - b.purchase
    b.lag_days = b.request - b.recovery
    rng = b.rng
    pa = rows["purchase_after_recovery"]
    b.purchase[pa] = b.recovery[pa] + np.clip(b.today - b.recovery[pa], 1, rng.integers(1, 400, len(pa)))
    b.mark("purchase_after_recovery", pa)
    rr = rows["recovery_after_request"]
    b.recovery[rr] = b.request[rr] + rng.integers(1, 60, len(rr))
    b.mark("recovery_after_request", rr)
    fut = rows["date_future"]
    b.request[fut] = b.today + rng.integers(1, 365, len(fut))
    b.mark("date_future", fut)


def _date_texts(b, future):
    """Format the three dates as text; one format per row, shared by its three dates."""
    fmt = b.rng.choice(4, size=b.n, p=[0.70, 0.08, 0.10, 0.12] if b.lang == 0 else [0.78, 0.11, 0.11, 0.0])
    fmt[future] = 0  # a two-digit future year would read as 19xx
    for key, days in (("purchase_date", b.purchase), ("recovery_date", b.recovery), ("request_date", b.request)):
        b.col[key] = _format_dates(days, fmt, b.language)


def _format_dates(days, fmt, language):
    """days: int64 days since epoch (or -1 for none); fmt: small int per row -> object array."""
    out = np.full(len(days), None, dtype=object)
    have = days >= -100000
    code = days[have] * 4 + fmt[have]
    uniq, inv = np.unique(code, return_inverse=True)
    texts = np.empty(len(uniq), dtype=object)
    base = datetime.date(1970, 1, 1)
    for i, c in enumerate(uniq.tolist()):
        d = base + datetime.timedelta(days=c // 4)
        f = c % 4
        if language == "en":
            texts[i] = (f"{d.month}/{d.day}/{d.year}", f"{d.month:02d}/{d.day:02d}/{d.year}",
                        d.isoformat(), f"{d.month}/{d.day}/{d.year % 100:02d}")[f]
        else:
            texts[i] = (f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}",
                        f"{d.day}-{_MONTHS_ES[d.month - 1]}-{d.year}", f"{d.day}/{d.month}/{d.year}")[f]
    out[have] = texts[inv]
    return out


def _date_text_defects(b, rows):
    """Blank dates (a blank purchase date is repeated on its duplicates), and date text that gives no date:
    impossible dates (date_unparseable) and words or sentinels for an unknown date (date_placeholder)."""
    rng, col = b.rng, b.col
    pb = np.flatnonzero(_mask(rng, b.n, 0.03, b.ensure, eligible=~b.is_dup))
    col["purchase_date"][pb] = None
    b.mark("purchase_date_blank", pb)
    dup_rows = np.flatnonzero(b.dup_of >= 0)
    mirror = dup_rows[np.equal(col["purchase_date"][b.dup_of[dup_rows]], None)]
    col["purchase_date"][mirror] = None
    b.mark("purchase_date_blank", mirror)
    for key in ("recovery_date", "request_date"):
        col[key][rows[f"{key}_blank"]] = None
        b.mark(f"{key}_blank", rows[f"{key}_blank"])
    junk = rows["date_unparseable"]
    which = rng.integers(0, 3, len(junk))
    jv = _pick(rng, [(j, 1) for j in _JUNK_DATES[b.language]], len(junk))
    for w, key in enumerate(("purchase_date", "recovery_date", "request_date")):
        col[key][junk[which == w]] = jv[which == w]
    impossible = np.isin(jv, list(_IMPOSSIBLE_DATES))
    b.mark("date_unparseable", junk[impossible])
    b.mark("date_placeholder", junk[~impossible])


def _agency_location_blanks(b, agency_rows):
    """Build the agency column, blanking `agency_rows`; blank a few locations."""
    agency = b.agency_values[b.agency_id]
    agency[agency_rows] = None
    b.col["agency"] = agency
    b.mark("agency_missing", agency_rows)
    rows = np.flatnonzero(_mask(b.rng, b.n, 0.01, b.ensure, eligible=~b.is_dup))
    b.col["location"][rows] = None
    b.mark("location_missing", rows)


# ---- output --------------------------------------------------------------------------------

def _to_frame(b, with_truth, start_request_id):
    """The columns under the language's raw headers, plus the _truth_* columns if asked."""
    b.col["request_id"] = _request_ids(b.n, b.language, start_request_id)
    frame = pd.DataFrame({h: b.col[k] for h, k in zip(HEADERS[b.language], _KEYS)}, dtype=object)
    if with_truth:
        _add_truth(frame, b)
    return frame


def _request_ids(n, language, start):
    """Sequential ids: "T2026" (English) or "FGR-ATF-" (Spanish) + at least 7 digits."""
    if not n:
        return np.empty(0, object)
    ids = np.arange(start, start + n, dtype=np.int64)
    width = max(7, len(str(int(ids[-1]))))
    prefix = "T2026" if language == "en" else "FGR-ATF-"
    return _from_mat(np.concatenate([_lit(prefix, n), _digits(ids, width)], axis=1))


def _add_truth(frame, b):
    """The _truth_* columns described in the module docstring."""
    frame["_truth_defects"] = _bits_to_text(b.bits)
    dup_rows = np.flatnonzero(b.dup_of >= 0)
    dup_text = np.full(b.n, None, dtype=object)
    dup_text[dup_rows] = b.col["request_id"][b.dup_of[dup_rows]]
    frame["_truth_duplicate_of"] = pd.Series(dup_text, dtype=object)
    frame["_truth_serial"] = pd.Series(b.true_serial, dtype=object)
    frame["_truth_foreign"] = pd.Series(np.where(b.foreign, "1", "0").astype(object), dtype=object)
    frame["_truth_ttc_days"] = pd.Series(b.ttc_days.astype(str).astype(object), dtype=object)
    frame["_truth_lag_days"] = pd.Series(b.lag_days.astype(str).astype(object), dtype=object)


def _bits_to_text(bits):
    """Defect bit sets -> ';'-joined DEFECT_KINDS names (None for none)."""
    uniq, inv = np.unique(bits, return_inverse=True)
    texts = np.empty(len(uniq), dtype=object)
    for i, b in enumerate(uniq.tolist()):
        names = [kd for kd in DEFECT_KINDS if b >> _BIT[kd] & 1]
        texts[i] = ";".join(names) if names else None
    return pd.Series(texts[inv], dtype=object)
