"""The demo company's parts catalogue: part kinds, their wording, cost ranges and planners.

Every item of the demo has a *kind*: TAB (tablet), KBD (folio keyboard), a module or
sub-assembly kind (DSP, LAM, MB, PCBA, BAT, HSG, KEY) or a raw-material kind. Platform-specific
raw materials (panel PNL, cover glass CGL, bare board PCB, retail box BOX, enclosure ENC,
keyboard fabric FAB) belong to one platform; the others come from *shared pools* whose parts
feed several platforms (a memory chip, a screw, a Li-ion cell, an adhesive...).
"""

from __future__ import annotations

#: Shared raw-material pools: group -> (platforms served per pool part, who uses it).
#: "all" = every platform, "keyboard" = platforms with a folio keyboard, "storage" = the
#: platforms selling that storage size (groups MEM64 ... MEM512), "lte" = platforms with LTE.
SHARED_GROUPS: dict[str, tuple[int, str]] = {
    "SOC": (3, "all"), "DRAM": (4, "all"), "PMIC": (5, "all"), "PASV": (6, "all"),
    "MEM": (4, "storage"), "MDM": (5, "lte"), "CEL": (4, "all"), "BMS": (6, "all"),
    "TAP": (8, "all"), "OCA": (8, "all"), "ADH": (8, "all"), "SCRA": (10, "all"),
    "SCRB": (10, "all"), "SCRC": (10, "all"), "SCRD": (10, "all"), "FLX": (5, "all"),
    "SPK": (6, "all"), "CAM": (4, "all"), "CBL": (10, "all"), "CHG": (10, "all"),
    "MAN": (8, "all"), "KCAP": (6, "keyboard"), "MAG": (10, "keyboard"),
}

#: Purchase price range (USD per unit) of each raw-material kind.
_RM_COST: dict[str, tuple[float, float]] = {
    "SOC": (18.0, 45.0), "DRAM": (6.0, 16.0), "PMIC": (1.8, 3.5), "PASV": (1.2, 2.8),
    "MEM64": (4.0, 6.0), "MEM128": (7.0, 10.0), "MEM256": (13.0, 18.0), "MEM512": (24.0, 34.0),
    "MDM": (11.0, 19.0), "CEL": (2.6, 4.2), "BMS": (0.9, 1.8), "TAP": (9.0, 14.0),
    "OCA": (14.0, 22.0), "ADH": (11.0, 18.0), "SCRA": (0.01, 0.03), "SCRB": (0.01, 0.03),
    "SCRC": (0.01, 0.03), "SCRD": (0.02, 0.04), "FLX": (0.6, 1.6), "SPK": (0.9, 2.2),
    "CAM": (3.5, 9.0), "CBL": (0.9, 1.9), "CHG": (3.8, 6.5), "MAN": (0.12, 0.35),
    "KCAP": (5.0, 9.0), "MAG": (0.25, 0.6), "PNL": (28.0, 75.0), "CGL": (4.0, 11.0),
    "PCB": (5.0, 12.0), "BOX": (0.9, 2.2), "ENC": (11.0, 26.0), "FAB": (2.5, 5.5),
}

#: Shelf life in weeks of the perishable kinds (Li-ion cells and packs, adhesives).
SHELF_LIFE: dict[str, int] = {"CEL": 52, "BAT": 78, "OCA": 26, "ADH": 26, "TAP": 39}

#: Planning category of each part kind.
CATEGORY: dict[str, str] = {
    "TAB": "Tablets", "KBD": "Accessories", "KEY": "Accessories", "FAB": "Accessories",
    "KCAP": "Accessories", "MAG": "Accessories",
    "DSP": "Displays", "LAM": "Displays", "PNL": "Displays", "CGL": "Displays",
    "MB": "Boards", "PCBA": "Boards", "PCB": "Boards", "PASV": "Boards", "FLX": "Boards",
    "SOC": "Chips", "DRAM": "Chips", "PMIC": "Chips", "MDM": "Chips",
    "MEM64": "Chips", "MEM128": "Chips", "MEM256": "Chips", "MEM512": "Chips",
    "BAT": "Batteries", "CEL": "Batteries", "BMS": "Batteries",
    "HSG": "Housings", "ENC": "Housings", "SPK": "Audio & Cameras", "CAM": "Audio & Cameras",
    "SCRA": "Fasteners", "SCRB": "Fasteners", "SCRC": "Fasteners", "SCRD": "Fasteners",
    "OCA": "Adhesives", "ADH": "Adhesives", "TAP": "Adhesives",
    "BOX": "Packaging", "MAN": "Packaging", "CBL": "Cables & Chargers", "CHG": "Cables & Chargers",
}

#: Responsible planners (demand planners, production planners, buyers) per category.
RESPONSIBLE: dict[str, tuple[str, ...]] = {
    "Tablets": ("Alicia Tan", "Marcus Okafor", "Ingrid Larsen"),
    "Accessories": ("Marcus Okafor",),
    "Displays": ("Daniel Weber", "Mei Lin Chua"),
    "Boards": ("Ravi Subramaniam", "Daniel Weber"),
    "Batteries": ("Sofia Almeida",),
    "Housings": ("Mei Lin Chua",),
    "Chips": ("Priya Raman", "Kenji Sato"),
    "Audio & Cameras": ("Kenji Sato",),
    "Fasteners": ("Tomasz Nowak",),
    "Adhesives": ("Sofia Almeida", "Tomasz Nowak"),
    "Packaging": ("Tomasz Nowak",),
    "Cables & Chargers": ("Hannah Brooks",),
}

_MAKERS = ("Corvid", "Tessel", "Halden", "Brightwater", "Kalmar", "Sunmoor", "Vireo", "Okapi")
_SCREWS = {"SCRA": "M1.6x3", "SCRB": "M1.2x2", "SCRC": "M1.4x2.5", "SCRD": "M1.6x4"}


def describe_shared(group: str, k: int) -> str:
    """Wording of pool part number ``k`` (0-based) of a shared raw-material group."""
    maker = _MAKERS[k % len(_MAKERS)]
    rev = chr(ord("A") + (k // len(_MAKERS)) % 26)
    if group.startswith("MEM"):
        return f"UFS flash {group[3:]} GB, {maker} rev {rev}"
    if group in _SCREWS:
        return f"Screw {_SCREWS[group]} Torx, black, {maker} rev {rev}"
    wording = {
        "SOC": "Application processor SoC 8-core",
        "DRAM": "LPDDR5 DRAM 8 GB",
        "PMIC": "Power management IC",
        "PASV": "Passive components kit (caps, resistors)",
        "MDM": "LTE modem module Cat 12",
        "CEL": "Li-ion pouch cell 3.85 V",
        "BMS": "Battery management board",
        "TAP": "Battery pull-tab adhesive tape, roll",
        "OCA": "Optical clear adhesive, 50 ml",
        "ADH": "Structural adhesive, 30 ml syringe",
        "FLX": "Flex cable FPC",
        "SPK": "Micro speaker 1 W",
        "CAM": "Camera module 13 MP",
        "CBL": "USB-C cable 1 m",
        "CHG": "USB-C charger 20 W",
        "MAN": "Quick start guide, multilingual",
        "KCAP": "Keycap set, scissor switch",
        "MAG": "Magnet strip N52",
    }[group]
    return f"{wording}, {maker} rev {rev}"


def rm_cost_range(kind: str) -> tuple[float, float]:
    """Purchase price range of a raw-material kind ((0, 0) for made parts)."""
    return _RM_COST.get(kind, (0.0, 0.0))
