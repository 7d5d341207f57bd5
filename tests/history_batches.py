"""Small batches for the history store tests: the same guns sent by three agencies months apart.

State police (March) → army (June: a dash, a maker alias, a swapped pair, a dropped character, one gun
recovered again later) → prosecutor (September: one more copy). Written as csv files by ``write``."""

from __future__ import annotations

from pathlib import Path

HEADER = ("Request ID,Agency,Manufacturer,Model,Caliber,Type,Serial Number,Country of Origin,Importer,"
          "Purchase Date,Recovery Date,Request Date,Purchaser Name\n")

MARCH = HEADER + (
    "PE-0412,Policia Estatal,ROMARM,WASR-10,7.62X39,RIFLE,1983OR7017,Romania,CENTURY ARMS,2019-01-01,2024-03-01,"
    "2024-03-20,Juan Perez Lopez\n"
    "PE-0413,Policia Estatal,Glock,19,9MM,PISTOL,BXYZ123,Austria,GLOCK INC,2020-08-15,2024-03-02,2024-03-20,"
    "Maria Garcia\n"
    "PE-0414,Policia Estatal,Taurus,G2C,9MM,PISTOL,TCD456789,Brazil,TAURUS USA,2021-05-05,2024-03-03,2024-03-20,\n"
    "PE-0415,Policia Estatal,Ruger,LCP,.380,PISTOL,371-12345,US,,2021-01-10,2023-06-01,2024-03-20,\n"
    "PE-0416,Policia Estatal,Glock,17,9MM,PISTOL,ABC4521,Austria,GLOCK INC,2020-02-02,2024-03-04,2024-03-20,\n")

JUNE = HEADER + (
    "SD-1187,SEDENA,CUGIR,WASR 10,7.62 X 39 MM,RIFLE,1983-0R7017,Romania,CENTURY ARMS,2019-01-01,2024-03-01,"
    "2024-06-10,\n"
    "SD-1188,SEDENA,GLOCK,MODEL 19,9 MM,PISTOL,BXZY123,Austria,GLOCK INC,2020-08-15,2024-03-02,2024-06-10,\n"
    "SD-1189,SEDENA,Taurus,G2C,9MM,PISTOL,TCD45789,Brazil,TAURUS USA,2021-05-05,2024-03-03,2024-06-10,\n"
    "SD-1190,SEDENA,Ruger,LCP,.380,PISTOL,37112345,US,,2021-01-10,2024-05-20,2024-06-10,\n"
    "SD-1191,SEDENA,Glock,17,9MM,PISTOL,ABC4522,Austria,GLOCK INC,2020-02-02,2024-03-04,2024-06-10,\n"
    "SD-1192,SEDENA,Colt,1911,45,PISTOL,ZZ99881,US,,2018-01-01,2024-05-01,2024-06-10,\n")

SEPTEMBER = HEADER + (
    "FGR-77,Fiscalía General de la República,Romarm,WASR10,7.62X39,RIFLE,1983 OR 7017,Romania,CENTURY ARMS,"
    "2019-01-01,2024-03-01,2024-09-05,\n"
    "FGR-78,FGR,Smith & Wesson,M&P Shield,9MM,PISTOL,HKR4521,US,,2020-11-02,2024-08-14,2024-09-05,\n")


def write(folder: Path, **batches: str) -> dict[str, Path]:
    """Each named batch text as ``<name>.csv`` in ``folder``; name -> path."""
    paths = {}
    for name, text in batches.items():
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths
