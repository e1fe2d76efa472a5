"""Realistic contact spreadsheets for the import benchmark: Argentine names, phones written the
many ways people write them, some emails, a tags column, and 1% bad rows."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import openpyxl

FIRST = [
    "Ana",
    "José",
    "María",
    "Juan",
    "Lucía",
    "Martín",
    "Sofía",
    "Pedro",
    "Valentina",
    "Nicolás",
    "Camila",
]
LAST = ["González", "Rodríguez", "Gómez", "Fernández", "López", "Díaz", "Martínez", "Pérez", "Núñez", "Peña"]
TAGS = ["cliente", "feria", "mayorista", "vip", "newsletter", ""]
HEADERS = ["Teléfono", "Nombre", "Email", "Etiquetas"]


def phone(n: int) -> str:
    """A distinct Buenos Aires mobile per n, in one of the local ways of writing it."""
    subscriber = f"{50_000_000 + n:08d}"
    a, b = subscriber[:4], subscriber[4:]
    return [
        f"011 15-{a}-{b}",
        f"11 {a}-{b}",
        f"+54 9 11 {a}-{b}",
        f"54911{subscriber}",
        f"(011) 15 {a} {b}",
    ][n % 5]


def rows(count: int, seed: int = 5) -> list[list[str]]:
    generator = random.Random(seed)
    result = []
    for n in range(count):
        name = f"{generator.choice(FIRST)} {generator.choice(LAST)}"
        email = f"cliente{n}@example.com" if n % 3 == 0 else ""
        tags = ", ".join({generator.choice(TAGS) for _ in range(2)} - {""})
        number = phone(n)
        if n % 100 == 99:  # 1% bad rows: half bad phones, half bad emails
            number, email = ("12345", email) if n % 200 == 99 else (number, "no-es-un-mail")
        result.append([number, name, email, tags])
    return result


def write_csv(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=";")
        writer.writerow(HEADERS)
        writer.writerows(rows(count))
    return path


def write_xlsx(path: Path, count: int) -> Path:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for row in rows(count):
        # Excel keeps digit-only phones as numbers: 5491150000003.0 once read back.
        sheet.append([int(row[0]) if row[0].isdigit() else row[0], *row[1:]])
    workbook.save(path)
    return path
