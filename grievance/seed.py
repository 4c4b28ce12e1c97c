"""`grievance seed --demo`: a small Indonesian government, its staff, and reports with histories.

The structure (regions with Kemendagri codes, agencies and their units, working calendars,
categories in five languages, routing rules, staff with one demo password, the SLA policy) is
written directly. The reports are not: about ninety days of them are replayed through the services
with the clock moved back (`grievance.clock.set_source`), each along a random but legal path, and
the periodic sweep runs along the replay as it would in production. Every event, clock, breach,
rating and notification is therefore exactly what the real system writes, and the audit chains
verify.

No message leaves the machine: while seeding, jobs run inline, Redis is bypassed and every
notification goes to a transport that only records a reference, so the outbox ends up "sent"
at the moment of its event (see `_undelivered`).
"""

from __future__ import annotations

import heapq
import time as timer
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from typing import Any
from zoneinfo import ZoneInfo

import click
import phonenumbers
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import and_, event, func, or_, select, union_all

from grievance import clock, jobs
from grievance.extensions import db
from grievance.models import (
    Agency,
    Calendar,
    CalendarClosure,
    Category,
    Region,
    Report,
    ReportEvent,
    RoutingRule,
    SlaPolicyRow,
    StaffUser,
)
from grievance.notifications.delivery import deliver_due
from grievance.notifications.transports import TRANSPORT_EXTENSION
from grievance.services import actions, admin
from grievance.services.errors import ServiceError
from grievance.services.reports import (
    ReporterAccess,
    file_report,
    reporter_by_code,
    reporter_by_phone,
)
from grievance.services.sweep import run_sweep
from workflows.calendar import WorkingCalendar
from workflows.states import (
    OPEN_STATES,
    AgencyLevel,
    ArchiveReason,
    Channel,
    Classification,
    Outcome,
    Role,
    State,
    Tier,
)
from workflows.transitions import Actor

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - a published demo login, not a secret
EMAIL_DOMAIN = "lapor.example.org"
# The demo's own agency: when it exists, the demo data is already loaded.
MARKER_AGENCY = "KEMENPANRB"
DEFAULT_REPORTS = 300
DEFAULT_SEED = 2026
HISTORY_DAYS = 90
JAKARTA = ZoneInfo("Asia/Jakarta")

# --- regions and agencies ----------------------------------------------------------------------

_P, _R = AgencyLevel.PROVINCE, AgencyLevel.REGENCY
REGIONS: tuple[tuple[str, str, AgencyLevel, str | None], ...] = (
    ("32", "Jawa Barat", _P, None),
    ("32.04", "Kabupaten Bandung", _R, "32"),
    ("32.73", "Kota Bandung", _R, "32"),
    ("35", "Jawa Timur", _P, None),
    ("35.07", "Kabupaten Malang", _R, "35"),
    ("35.78", "Kota Surabaya", _R, "35"),
)

NATIONAL_AGENCIES: tuple[tuple[str, str], ...] = (
    ("KEMENPANRB", "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"),
    ("KEMENDAGRI", "Kementerian Dalam Negeri"),
    ("KEMENPU", "Kementerian Pekerjaan Umum"),
    ("KEMENHUB", "Kementerian Perhubungan"),
    ("KEMENKES", "Kementerian Kesehatan"),
    ("KEMENDIKDASMEN", "Kementerian Pendidikan Dasar dan Menengah"),
    ("KEMENSOS", "Kementerian Sosial"),
    ("BKPM", "Kementerian Investasi dan Hilirisasi/BKPM"),
    ("KLH", "Kementerian Lingkungan Hidup"),
    ("ATRBPN", "Kementerian Agraria dan Tata Ruang/Badan Pertanahan Nasional"),
    ("PLN", "PT PLN (Persero)"),
    ("POLRI", "Kepolisian Negara Republik Indonesia"),
)
# Provinces sit under the Ministry of Home Affairs, which supervises regional governments.
REGIONAL_ROOT = "KEMENDAGRI"

# National bodies with an office per province: (national code, province region) -> unit.
VERTICAL_UNITS: dict[tuple[str, str], tuple[str, str]] = {
    ("PLN", "32"): ("PLN-UID-JABAR", "PLN Unit Induk Distribusi Jawa Barat"),
    ("PLN", "35"): ("PLN-UID-JATIM", "PLN Unit Induk Distribusi Jawa Timur"),
    ("POLRI", "32"): ("POLDA-JABAR", "Kepolisian Daerah Jawa Barat"),
    ("POLRI", "35"): ("POLDA-JATIM", "Kepolisian Daerah Jawa Timur"),
    ("ATRBPN", "32"): ("BPN-JABAR", "Kantor Wilayah BPN Provinsi Jawa Barat"),
    ("ATRBPN", "35"): ("BPN-JATIM", "Kantor Wilayah BPN Provinsi Jawa Timur"),
}


@dataclass(frozen=True)
class _Province:
    code: str
    name: str
    region: str
    units: dict[str, str]


@dataclass(frozen=True)
class _City:
    code: str
    name: str
    region: str
    province: str
    water_utility: str


PROVINCES = (
    _Province(
        "PROV-JABAR", "Pemerintah Provinsi Jawa Barat", "32",
        {
            "BM": "Dinas Bina Marga dan Penataan Ruang Provinsi Jawa Barat",
            "SDA": "Dinas Sumber Daya Air Provinsi Jawa Barat",
            "DISHUB": "Dinas Perhubungan Provinsi Jawa Barat",
            "DLH": "Dinas Lingkungan Hidup Provinsi Jawa Barat",
        },
    ),
    _Province(
        "PROV-JATIM", "Pemerintah Provinsi Jawa Timur", "35",
        {
            "BM": "Dinas Pekerjaan Umum Bina Marga Provinsi Jawa Timur",
            "SDA": "Dinas Pekerjaan Umum Sumber Daya Air Provinsi Jawa Timur",
            "DISHUB": "Dinas Perhubungan Provinsi Jawa Timur",
            "DLH": "Dinas Lingkungan Hidup Provinsi Jawa Timur",
        },
    ),
)

CITIES = (
    _City("KOTA-BDG", "Pemerintah Kota Bandung", "32.73", "PROV-JABAR",
          "Perumda Air Minum Tirtawening Kota Bandung"),
    _City("KAB-BDG", "Pemerintah Kabupaten Bandung", "32.04", "PROV-JABAR",
          "Perumda Air Minum Tirta Raharja Kabupaten Bandung"),
    _City("KOTA-SBY", "Pemerintah Kota Surabaya", "35.78", "PROV-JATIM",
          "Perumda Air Minum Surya Sembada Kota Surabaya"),
    _City("KAB-MLG", "Pemerintah Kabupaten Malang", "35.07", "PROV-JATIM",
          "Perumda Air Minum Tirta Kanjuruhan Kabupaten Malang"),
)

# Every city and regency has these units ("PDAM" is named after its water utility).
CITY_UNITS: tuple[tuple[str, str], ...] = (
    ("DPU", "Dinas Pekerjaan Umum"),
    ("DISHUB", "Dinas Perhubungan"),
    ("PDAM", ""),
    ("DLH", "Dinas Lingkungan Hidup"),
    ("DINKES", "Dinas Kesehatan"),
    ("DISDIK", "Dinas Pendidikan"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil"),
    ("DINSOS", "Dinas Sosial"),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
    ("INSPEKTORAT", "Inspektorat"),
)
# Units that have an officer of their own; elsewhere the city's officers handle the unit's reports.
UNIT_OFFICERS = {
    "KOTA-BDG": ("DPU", "DISDUKCAPIL"),
    "KAB-BDG": ("DPU", "DINSOS"),
    "KOTA-SBY": ("DPU", "DLH"),
    "KAB-MLG": ("DPU", "DINKES"),
}

# --- categories ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CategorySpec:
    code: str
    names: dict[str, str]
    tier: Tier
    weight: int
    national: str  # the region-less fallback
    city_unit: str | None = None  # "" means the city government itself
    province_unit: str | None = None
    vertical: str | None = None  # a national body with an office per province


def _names(en: str, id_: str, fr: str, es: str, sw: str) -> dict[str, str]:
    return {"en": en, "id": id_, "fr": fr, "es": es, "sw": sw}


_MIN, _NORM, _STD, _INV = Tier.MINOR, Tier.NORMATIVE, Tier.STANDARD, Tier.INVESTIGATION
CATEGORIES: tuple[_CategorySpec, ...] = (
    _CategorySpec(
        "roads",
        _names("Roads and bridges", "Jalan dan jembatan", "Routes et ponts",
               "Calles y puentes", "Barabara na madaraja"),
        _STD, 14, "KEMENPU", city_unit="DPU", province_unit="BM",
    ),
    _CategorySpec(
        "street_lighting",
        _names("Street lighting", "Penerangan jalan umum", "Éclairage public",
               "Alumbrado público", "Taa za barabarani"),
        _MIN, 6, "KEMENDAGRI", city_unit="DISHUB",
    ),
    _CategorySpec(
        "water_supply",
        _names("Water supply", "Air bersih (PDAM)", "Eau potable", "Agua potable",
               "Huduma ya maji"),
        _NORM, 8, "KEMENPU", city_unit="PDAM",
    ),
    _CategorySpec(
        "waste",
        _names("Waste collection", "Pengangkutan sampah", "Collecte des déchets",
               "Recolección de basura", "Ukusanyaji wa taka"),
        _MIN, 7, "KLH", city_unit="DLH",
    ),
    _CategorySpec(
        "flooding",
        _names("Flooding and drainage", "Banjir dan drainase", "Inondations et drainage",
               "Inundaciones y drenaje", "Mafuriko na mifereji"),
        _STD, 6, "KEMENPU", city_unit="DPU", province_unit="SDA",
    ),
    _CategorySpec(
        "public_transport",
        _names("Public transport", "Angkutan umum", "Transports publics", "Transporte público",
               "Usafiri wa umma"),
        _STD, 5, "KEMENHUB", city_unit="DISHUB", province_unit="DISHUB",
    ),
    _CategorySpec(
        "health",
        _names("Health services", "Layanan kesehatan", "Services de santé",
               "Servicios de salud", "Huduma za afya"),
        _NORM, 7, "KEMENKES", city_unit="DINKES",
    ),
    _CategorySpec(
        "schools",
        _names("Schools and education", "Sekolah dan pendidikan", "Écoles et enseignement",
               "Escuelas y educación", "Shule na elimu"),
        _STD, 6, "KEMENDIKDASMEN", city_unit="DISDIK",
    ),
    _CategorySpec(
        "civil_registration",
        _names("ID cards and civil registration", "KTP-el dan administrasi kependudukan",
               "Carte d'identité et état civil", "Documento de identidad y registro civil",
               "Vitambulisho na usajili wa raia"),
        _NORM, 8, "KEMENDAGRI", city_unit="DISDUKCAPIL",
    ),
    _CategorySpec(
        "social_assistance",
        _names("Social assistance (bansos)", "Bantuan sosial (bansos)", "Aide sociale (bansos)",
               "Asistencia social (bansos)", "Msaada wa kijamii (bansos)"),
        _STD, 7, "KEMENSOS", city_unit="DINSOS",
    ),
    _CategorySpec(
        "business_permits",
        _names("Business permits", "Perizinan berusaha", "Autorisations d'entreprise",
               "Licencias de negocio", "Leseni za biashara"),
        _NORM, 4, "BKPM", city_unit="DPMPTSP",
    ),
    _CategorySpec(
        "land_certificates",
        _names("Land certificates", "Sertifikat tanah", "Titres fonciers",
               "Títulos de propiedad de la tierra", "Hati za ardhi"),
        _STD, 4, "ATRBPN", vertical="ATRBPN",
    ),
    _CategorySpec(
        "electricity",
        _names("Electricity (PLN)", "Listrik (PLN)", "Électricité (PLN)", "Electricidad (PLN)",
               "Umeme (PLN)"),
        _NORM, 6, "PLN", vertical="PLN",
    ),
    _CategorySpec(
        "police",
        _names("Police services", "Pelayanan kepolisian", "Services de police",
               "Servicios policiales", "Huduma za polisi"),
        _STD, 4, "POLRI", vertical="POLRI",
    ),
    _CategorySpec(
        "corruption",
        _names("Corruption and extortion (pungli)", "Korupsi dan pungutan liar (pungli)",
               "Corruption et extorsion (pungli)", "Corrupción y extorsión (pungli)",
               "Rushwa na malipo haramu (pungli)"),
        _INV, 4, "KEMENPANRB", city_unit="INSPEKTORAT",
    ),
    _CategorySpec(
        "environment",
        _names("Environment and pollution", "Lingkungan hidup dan pencemaran",
               "Environnement et pollution", "Medio ambiente y contaminación",
               "Mazingira na uchafuzi"),
        _STD, 5, "KLH", city_unit="DLH", province_unit="DLH",
    ),
    _CategorySpec(
        "public_service",
        _names("Public service conduct", "Pelayanan publik dan maladministrasi",
               "Conduite des services publics", "Atención en los servicios públicos",
               "Utendaji wa huduma za umma"),
        _NORM, 4, "KEMENPANRB", city_unit="",
    ),
)
CATEGORY_SPECS = {spec.code: spec for spec in CATEGORIES}

# --- places --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    name: str
    streets: tuple[str, ...]
    districts: tuple[str, ...]
    # South, north, west, east: where map points of reports here fall.
    box: tuple[float, float, float, float] | None = None


PLACES: dict[str, _Place] = {
    "32.73": _Place(
        "Kota Bandung",
        ("Jl. Soekarno-Hatta", "Jl. Terusan Buah Batu", "Jl. Cibaduyut Raya", "Jl. Kopo",
         "Jl. Ir. H. Juanda", "Jl. Setiabudi", "Jl. Pasteur", "Jl. Jakarta", "Jl. Antapani",
         "Jl. A.H. Nasution"),
        ("Coblong", "Sukajadi", "Bojongloa Kaler", "Buahbatu", "Antapani", "Cibiru",
         "Kiaracondong", "Arcamanik", "Ujungberung", "Babakan Ciparay"),
        (-6.955, -6.880, 107.570, 107.700),
    ),
    "32.04": _Place(
        "Kabupaten Bandung",
        ("Jl. Raya Soreang", "Jl. Raya Banjaran", "Jl. Raya Dayeuhkolot", "Jl. Raya Majalaya",
         "Jl. Raya Cileunyi", "Jl. Raya Rancaekek", "Jl. Raya Ciparay", "Jl. Raya Baleendah"),
        ("Soreang", "Baleendah", "Dayeuhkolot", "Majalaya", "Cileunyi", "Rancaekek", "Banjaran",
         "Ciparay", "Margahayu"),
        (-7.080, -6.960, 107.520, 107.780),
    ),
    "35.78": _Place(
        "Kota Surabaya",
        ("Jl. Ahmad Yani", "Jl. Raya Darmo", "Jl. Kenjeran", "Jl. Rungkut Industri",
         "Jl. Mayjen Sungkono", "Jl. Kertajaya", "Jl. Dr. Ir. H. Soekarno", "Jl. Tandes",
         "Jl. Wonokromo", "Jl. Manyar Kertoarjo"),
        ("Wonokromo", "Rungkut", "Tandes", "Gubeng", "Sukolilo", "Kenjeran", "Tambaksari",
         "Wiyung", "Benowo", "Mulyorejo"),
        (-7.330, -7.230, 112.650, 112.790),
    ),
    "35.07": _Place(
        "Kabupaten Malang",
        ("Jl. Raya Kepanjen", "Jl. Raya Singosari", "Jl. Raya Lawang", "Jl. Raya Tumpang",
         "Jl. Raya Pakis", "Jl. Raya Turen", "Jl. Raya Karangploso"),
        ("Kepanjen", "Singosari", "Lawang", "Pakis", "Turen", "Dampit", "Tumpang",
         "Karangploso"),
        (-8.180, -7.860, 112.540, 112.760),
    ),
    "32": _Place(
        "Jawa Barat",
        ("Jl. Raya Cileunyi-Nagreg", "Jl. Raya Soreang-Ciwidey", "Jl. Raya Banjaran-Pangalengan",
         "Jl. Raya Padalarang-Cianjur"),
        ("Nagreg", "Ciwidey", "Pangalengan", "Padalarang"),
    ),
    "35": _Place(
        "Jawa Timur",
        ("Jl. Raya Surabaya-Mojokerto", "Jl. Raya Malang-Batu", "Jl. Raya Porong",
         "Jl. Raya Gresik-Lamongan"),
        ("Krian", "Batu", "Porong", "Manyar"),
    ),
}
CITY_WEIGHTS = {"32.73": 30, "32.04": 20, "35.78": 30, "35.07": 20}
SISTER_REGION = {"32.73": "32.04", "32.04": "32.73", "35.78": "35.07", "35.07": "35.78"}
# Categories whose reports sometimes concern a whole province rather than one city.
PROVINCE_LEVEL = frozenset({"roads", "flooding", "public_transport", "environment"})

# --- what reporters write ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Text:
    title: str
    body: str


def _t(title: str, *body: str) -> _Text:
    return _Text(title, " ".join(body))


# Per category and kind: "web" (complaints with a title), "sms" (one short message), "info"
# (information requests), "aspiration", "national" (no place), "en" (in English). Placeholders:
# {street}, {district}, {city}, {rt}.
TEXTS: dict[str, dict[str, tuple[_Text, ...]]] = {
    "roads": {
        "web": (
            _t("Jalan berlubang di {street}",
               "Jalan di {street}, Kecamatan {district}, berlubang besar di beberapa titik sejak",
               "musim hujan. Lubangnya cukup dalam dan sudah beberapa kali membuat pengendara",
               "motor jatuh, terutama malam hari karena penerangannya kurang. Mohon segera",
               "ditambal sebelum ada korban."),
            _t("Aspal rusak bekas galian kabel",
               "Setelah ada galian kabel fiber optik di {street} sekitar dua bulan lalu, bekas",
               "galiannya tidak dikembalikan seperti semula. Aspalnya mengelupas dan bergelombang",
               "sepanjang kurang lebih 200 meter. Mohon kontraktornya ditegur dan jalan",
               "diperbaiki."),
            _t("Jembatan kecil di {district} retak",
               "Jembatan penghubung di dekat {street} ({rt}), Kecamatan {district}, retak di",
               "bagian",
               "tengah dan pagar pengamannya sudah patah. Setiap hari dilewati anak sekolah dan",
               "motor. Kami khawatir jembatan ambruk jika terus dibiarkan."),
            _t("Trotoar rusak dan dipakai parkir",
               "Trotoar di {street} banyak yang pecah dan ubinnya lepas, ditambah lagi dipakai",
               "parkir motor dan PKL. Pejalan kaki terpaksa turun ke badan jalan. Mohon trotoar",
               "diperbaiki dan ditertibkan."),
        ),
        "sms": (
            _t("Jalan rusak parah di {street}",
               "Jln di {street} {district} rusak parah, lubang besar di tengah jalan. Sdh ada yg",
               "jatuh. Tlg segera diperbaiki."),
            _t("Jalan berlubang dan tergenang",
               "Lapor, jalan {street} berlubang & tergenang air kalau hujan, bahaya buat motor.",
               "Mohon ditambal."),
            _t("Jalan gang rusak bekas galian",
               "Jalan gang {rt} kec {district} rusak sejak galian pipa, tdk diperbaiki lagi."),
        ),
        "aspiration": (
            _t("Usul pelebaran {street}",
               "Saya mengusulkan pelebaran ruas {street} karena setiap pagi dan sore macet",
               "panjang,",
               "terutama di sekitar sekolah dan pasar. Mungkin bisa dimulai dengan penertiban",
               "parkir di bahu jalan."),
        ),
        "info": (
            _t("Jadwal perbaikan {street}",
               "Apakah perbaikan {street} sudah masuk anggaran tahun ini? Warga {district} sering",
               "bertanya kapan jalan tersebut akan diaspal ulang."),
        ),
        "national": (
            _t("Jalan nasional lintas selatan rusak",
               "Ruas jalan nasional lintas selatan Jawa banyak yang bergelombang dan berlubang.",
               "Mohon Kementerian PU memeriksa kondisi jalan sebelum musim libur akhir tahun."),
        ),
        "en": (
            _t("Dangerous pothole on {street}",
               "There is a deep pothole in the middle of {street} in {district}. Two motorbikes",
               "fell there this week. Please repair it before someone gets badly hurt."),
        ),
    },
    "street_lighting": {
        "web": (
            _t("Lampu PJU mati di {street}",
               "Sudah lebih dari dua minggu lampu penerangan jalan umum di sepanjang {street}",
               "mati.",
               "Malam hari jalanan gelap gulita dan warga takut ada begal. Mohon segera",
               "diperbaiki."),
            _t("Tiang lampu jalan miring",
               "Tiang lampu PJU di depan {rt}, {street}, miring dan kabelnya menjuntai setelah",
               "tertabrak truk. Berbahaya bagi pejalan kaki, apalagi kalau hujan."),
            _t("Lampu jalan menyala siang hari",
               "Lampu jalan di {street} menyala terus dari pagi sampai siang hari. Sayang",
               "listriknya terbuang. Mohon dicek sensor atau timernya."),
        ),
        "sms": (
            _t("Lampu jalan mati di {street}",
               "Lampu jalan di {street} mati semua sejak seminggu, gelap & rawan kejahatan.",
               "Mohon diperbaiki."),
            _t("PJU padam di {district}",
               "PJU depan masjid {rt} kec {district} padam, tolong diganti lampunya."),
        ),
        "aspiration": (
            _t("Usul penambahan lampu jalan di {district}",
               "Gang menuju permukiman di {district} belum ada lampu jalan sama sekali. Kami",
               "mengusulkan pemasangan beberapa titik PJU karena banyak warga pulang kerja malam."),
        ),
        "en": (
            _t("Street lights out on {street}",
               "All the street lights along {street} have been off for about ten days. The road",
               "is completely dark at night and it feels unsafe to walk there."),
        ),
    },
    "water_supply": {
        "web": (
            _t("Air PDAM tidak mengalir",
               "Sudah lima hari air PDAM di rumah kami ({rt}, {street}, Kecamatan {district})",
               "tidak mengalir sama sekali, padahal tagihan selalu dibayar tepat waktu. Tidak ada",
               "pemberitahuan gangguan. Mohon penjelasan dan perbaikan."),
            _t("Air PDAM keruh dan berbau",
               "Air PDAM yang mengalir ke rumah-rumah di sekitar {street} berwarna kecoklatan dan",
               "berbau kaporit sangat menyengat sejak minggu lalu. Tidak layak untuk mandi,",
               "apalagi",
               "dimasak."),
            _t("Pipa PDAM bocor di {street}",
               "Ada pipa PDAM bocor di pinggir {street}, airnya menyembur dan menggenangi jalan",
               "sudah tiga hari. Air terbuang percuma dan tekanan air di rumah warga jadi kecil."),
            _t("Tagihan air melonjak",
               "Tagihan PDAM bulan ini naik hampir tiga kali lipat padahal pemakaian kami biasa",
               "saja. Sepertinya angka meteran salah dicatat. Mohon dicek ulang."),
        ),
        "sms": (
            _t("Air PDAM mati di {district}",
               "Air PDAM di {district} mati 4 hari, tdk ada info. Tlg segera dialirkan lagi."),
            _t("Pipa PDAM bocor di {street}",
               "Pipa PDAM bocor di {street}, air nyembur ke jalan. Mohon diperbaiki."),
        ),
        "info": (
            _t("Cara pasang baru sambungan PDAM",
               "Bagaimana prosedur dan biaya pemasangan sambungan baru PDAM untuk rumah di",
               "{district}? Berapa lama prosesnya?"),
        ),
        "en": (
            _t("No running water for days",
               "Our house on {street} has had no water from the municipal supply for four days",
               "now, with no notice of any disruption. Please tell us when it will be restored."),
        ),
    },
    "waste": {
        "web": (
            _t("Sampah menumpuk di TPS {district}",
               "Sampah di TPS dekat {street} sudah menumpuk lebih dari seminggu dan tidak",
               "diangkut. Baunya menyengat sampai ke rumah warga dan banyak lalat. Mohon jadwal",
               "pengangkutan diperbaiki."),
            _t("Pembuangan sampah liar",
               "Ada orang dari luar yang membuang sampah sembarangan di lahan kosong pinggir",
               "{street}. Sekarang sudah menggunung dan mulai dibakar malam hari sehingga asapnya",
               "masuk ke rumah."),
            _t("Saluran tersumbat sampah plastik",
               "Saluran air di {street} tersumbat sampah plastik sehingga airnya meluap ke jalan",
               "setiap hujan. Mohon dibersihkan dan dipasang saringan."),
        ),
        "sms": (
            _t("Sampah TPS tidak diangkut",
               "Sampah di TPS {street} blm diangkut 1 minggu, bau bgt. Tlg diangkut."),
            _t("Truk sampah tidak lewat",
               "Truk sampah sdh 2 minggu tdk lewat di {rt} kec {district}."),
        ),
        "aspiration": (
            _t("Usul bank sampah di {district}",
               "Kami warga {rt} di {district} ingin membuat bank sampah. Mohon pendampingan dan",
               "bantuan tempat pemilahan dari dinas terkait."),
        ),
        "en": (
            _t("Garbage not collected",
               "Garbage at the collection point near {street} has not been picked up for over a",
               "week. It smells and attracts rats."),
        ),
    },
    "flooding": {
        "web": (
            _t("Banjir setiap hujan di {street}",
               "Setiap hujan deras, {street} di Kecamatan {district} tergenang air setinggi lutut",
               "karena drainasenya kecil dan tersumbat. Air masuk ke rumah warga dan kendaraan",
               "mogok. Mohon saluran diperlebar dan dikeruk."),
            _t("Tanggul sungai jebol di {district}",
               "Tanggul sungai di dekat {rt}, {district}, jebol sepanjang kira-kira 10 meter",
               "setelah hujan deras kemarin. Kalau hujan lagi, permukiman di sekitarnya pasti",
               "banjir. Mohon penanganan darurat."),
            _t("Gorong-gorong ambles",
               "Gorong-gorong di {street} ambles dan menyisakan lubang di bahu jalan. Air got",
               "meluber ke jalan dan berbau."),
        ),
        "sms": (
            _t("Banjir di {street}",
               "Banjir lagi di {street} {district}, air masuk rumah. Got mampet, tlg dikeruk."),
            _t("Saluran tersumbat di {district}",
               "Saluran air di {rt} {district} tersumbat, tiap hujan banjir. Mohon segera",
               "ditangani."),
        ),
        "en": (
            _t("Flooding after every rain",
               "The street in front of our house on {street} floods knee-deep after every heavy",
               "rain because the drains are blocked. Please clean and widen them."),
        ),
    },
    "public_transport": {
        "web": (
            _t("Angkot ngetem sembarangan",
               "Angkot sering ngetem lama di mulut {street} sehingga menyebabkan macet panjang",
               "setiap jam sibuk. Mohon penertiban dan penempatan petugas."),
            _t("Halte rusak di {street}",
               "Halte bus di {street} atapnya bocor dan tempat duduknya patah. Penumpang harus",
               "kehujanan saat menunggu bus. Mohon diperbaiki."),
            _t("Bus sering tidak sesuai jadwal",
               "Bus rute {street} sering datang terlambat lebih dari 45 menit dan tidak ada",
               "informasi jadwal. Banyak pekerja dan pelajar terlambat."),
            _t("Tarif angkutan di atas ketentuan",
               "Sopir angkutan jurusan {district} menarik tarif di atas ketentuan, terutama malam",
               "hari dan hari libur. Mohon diawasi."),
        ),
        "sms": (
            _t("Bus sering telat di {street}",
               "Bus di halte {street} telat terus, kadang tdk lewat sama sekali. Tlg dievaluasi."),
            _t("Angkot ngetem di {street}",
               "Angkot ngetem di {street} bikin macet tiap sore. Mohon ditertibkan."),
        ),
        "aspiration": (
            _t("Usul rute bus ke {district}",
               "Warga {district} belum terlayani angkutan umum yang memadai. Kami mengusulkan rute",
               "bus baru yang melewati {street} menuju pusat kota."),
        ),
        "en": (
            _t("Bus shelter in poor condition",
               "The bus shelter on {street} has a leaking roof and broken seats. Passengers get",
               "wet while waiting."),
        ),
    },
    "health": {
        "web": (
            _t("Antrean puskesmas sangat lama",
               "Di Puskesmas {district} pendaftaran dibuka jam 7 tetapi dokter baru datang jam 10.",
               "Pasien lansia harus menunggu berjam-jam. Mohon pelayanan diperbaiki."),
            _t("Pasien BPJS ditolak IGD",
               "Ibu saya peserta BPJS Kesehatan ditolak di IGD rumah sakit daerah dengan alasan",
               "kamar penuh, tanpa dirujuk ke rumah sakit lain. Kami akhirnya membayar sendiri di",
               "rumah sakit swasta."),
            _t("Obat di puskesmas sering kosong",
               "Obat hipertensi dan diabetes di Puskesmas {district} sering kosong sehingga pasien",
               "disuruh membeli sendiri di apotek. Mohon ketersediaan obat diperhatikan."),
            _t("Mohon fogging demam berdarah",
               "Sudah ada tiga warga {rt} di {district} yang dirawat karena demam berdarah bulan",
               "ini. Mohon dilakukan fogging dan pemeriksaan jentik."),
        ),
        "sms": (
            _t("Puskesmas tutup lebih awal",
               "Puskesmas {district} tutup jam 11 siang pdhl jadwal sampai jam 2. Mohon ditegur."),
            _t("Banyak warga terkena DBD",
               "Warga {rt} {district} banyak kena DBD, tlg fogging."),
        ),
        "info": (
            _t("Syarat rujukan BPJS",
               "Apa saja syarat untuk mendapat rujukan dari puskesmas ke rumah sakit bagi peserta",
               "BPJS Kesehatan? Apakah harus ke puskesmas sesuai alamat di KTP?"),
        ),
        "national": (
            _t("Stok vaksin imunisasi kosong",
               "Stok vaksin imunisasi dasar anak di beberapa puskesmas kosong sejak bulan lalu.",
               "Orang tua disuruh kembali lagi tanpa kepastian jadwal."),
        ),
        "en": (
            _t("Long waits at the health centre",
               "At the community health centre in {district}, patients wait three hours or more",
               "because the doctor arrives late. Please look into it."),
        ),
    },
    "schools": {
        "web": (
            _t("Kewajiban beli seragam di koperasi sekolah",
               "Sekolah negeri di {district} mewajibkan pembelian seragam dan buku dari koperasi",
               "sekolah dengan harga jauh di atas harga pasar. Orang tua merasa keberatan."),
            _t("Atap kelas SD bocor",
               "Atap dua ruang kelas di SD negeri dekat {street} bocor dan plafonnya sebagian",
               "sudah jebol. Saat hujan murid dipindah ke musala. Mohon segera direhabilitasi."),
            _t("Hasil seleksi SPMB tidak transparan",
               "Anak saya tidak diterima di SMP negeri terdekat padahal rumah kami hanya 400 meter",
               "dari sekolah, sementara ada siswa dari luar zona yang diterima. Mohon transparansi",
               "hasil seleksi."),
        ),
        "sms": (
            _t("Uang bangunan di SD negeri",
               "SD negeri di {district} minta uang bangunan Rp 1,5 jt, katanya wajib. Apa boleh?"),
            _t("Atap kelas hampir ambruk",
               "Atap kelas SD dekat {street} mau ambruk, murid belajar di luar. Tlg dicek."),
        ),
        "info": (
            _t("Jadwal pendaftaran SPMB",
               "Kapan jadwal pendaftaran SPMB jenjang SMP tahun depan di {city} dan dokumen apa",
               "saja yang perlu disiapkan?"),
        ),
        "aspiration": (
            _t("Usul perpustakaan keliling",
               "Kami mengusulkan layanan perpustakaan keliling ke sekolah-sekolah di {district}",
               "karena banyak sekolah belum punya perpustakaan yang layak."),
        ),
        "en": (
            _t("School roof leaking",
               "The roof of two classrooms at the public primary school near {street} leaks",
               "badly. Children are moved out whenever it rains."),
        ),
    },
    "civil_registration": {
        "web": (
            _t("KTP-el belum jadi setelah tiga bulan",
               "Saya sudah rekam KTP-el di Disdukcapil {city} tiga bulan lalu, tetapi setiap kali",
               "ditanya selalu dijawab blangko habis. Padahal saya butuh KTP untuk melamar kerja.",
               "Mohon kepastian."),
            _t("Kuota antrean Disdukcapil selalu penuh",
               "Kuota antrean online Disdukcapil selalu penuh dalam hitungan menit. Warga yang",
               "datang langsung disuruh pulang. Mohon kuota ditambah atau ada layanan jemput bola",
               "di kecamatan."),
            _t("Nama di akta kelahiran salah",
               "Nama anak saya di akta kelahiran salah ketik. Sudah dua kali mengajukan perbaikan",
               "lewat kecamatan {district} tetapi belum ada kejelasan."),
            _t("NIK tidak terbaca setelah pindah",
               "Setelah pindah domisili ke {district}, NIK saya di KK baru tidak terbaca di sistem",
               "BPJS dan bank. Mohon bantuan sinkronisasi data kependudukan."),
        ),
        "sms": (
            _t("KTP-el belum jadi",
               "KTP el sy blm jadi 2 bln, katanya blangko habis. Kapan bisa diambil? Rekam di",
               "{district}."),
            _t("Antrean online dukcapil penuh",
               "Antrean online dukcapil {city} selalu penuh. Tlg ditambah kuotanya."),
        ),
        "info": (
            _t("Syarat surat pindah",
               "Apa saja syarat mengurus surat pindah dari {city} ke kota lain? Apakah bisa diurus",
               "secara online?"),
            _t("Mengurus KTP-el yang hilang",
               "Bagaimana cara mengurus KTP-el yang hilang? Apakah perlu surat kehilangan dari",
               "kepolisian?"),
        ),
        "national": (
            _t("Aktivasi IKD selalu gagal",
               "Saya tidak bisa mengaktifkan Identitas Kependudukan Digital (IKD) karena",
               "verifikasi",
               "wajah selalu gagal. Mohon solusinya."),
        ),
        "en": (
            _t("ID card not issued",
               "I registered for my electronic ID card (KTP-el) three months ago in {city} and I",
               "am always told the blank cards have run out."),
        ),
    },
    "social_assistance": {
        "web": (
            _t("Warga miskin tidak dapat bansos",
               "Tetangga kami di {rt}, {district}, seorang janda lansia yang hidup sendiri, tidak",
               "pernah menerima bantuan sosial, sementara ada warga mampu yang justru terdaftar.",
               "Mohon pendataan ulang."),
            _t("Paket sembako bansos tidak sesuai",
               "Paket bansos sembako yang dibagikan di kelurahan kami di {district} beratnya",
               "kurang dari ketentuan dan berasnya berkutu."),
            _t("Kartu KKS tidak bisa dicairkan",
               "Kartu KKS saya tidak bisa digunakan untuk mencairkan bantuan di e-warong sejak",
               "tiga bulan lalu. Katanya data saya tidak aktif, padahal kondisi ekonomi kami tidak",
               "berubah."),
        ),
        "sms": (
            _t("Warga tidak mampu belum dapat bansos",
               "Sy warga tdk mampu di {district} tdk pernah dpt bansos. Mohon didata."),
            _t("BPNT belum cair",
               "Bantuan BPNT bln ini blm cair di {district}, kapan cairnya?"),
        ),
        "info": (
            _t("Cara mendaftar sebagai penerima bansos",
               "Bagaimana cara mendaftarkan keluarga kami ke data kesejahteraan sosial agar bisa",
               "menerima bantuan sosial?"),
        ),
        "national": (
            _t("Status penerima bansos tidak sesuai",
               "Di situs Cek Bansos status saya tertulis penerima PKH, tetapi saya tidak pernah",
               "menerima bantuan apa pun selama setahun ini."),
        ),
    },
    "business_permits": {
        "web": (
            _t("PBG ruko belum terbit",
               "Pengajuan PBG untuk ruko kami di {street} sudah dua bulan belum terbit, padahal",
               "semua persyaratan sudah lengkap. Status di sistem tidak berubah."),
            _t("NIB gagal di verifikasi lokasi",
               "Saya mengajukan NIB untuk usaha katering rumahan di {district} melalui OSS, tetapi",
               "selalu gagal di tahap verifikasi lokasi. Mohon bantuan."),
        ),
        "sms": (
            _t("Izin PBG belum terbit",
               "Izin PBG sy sdh 3 bln blm terbit di {city}. Berkas lengkap. Mohon dicek."),
        ),
        "info": (
            _t("Syarat izin usaha warung makan",
               "Apa saja syarat membuat izin usaha untuk warung makan kecil di {district}? Apakah",
               "perlu sertifikat laik higiene?"),
        ),
        "national": (
            _t("Sistem OSS sering error",
               "Sistem OSS sering error saat mengunggah dokumen persyaratan sehingga pengajuan",
               "izin kami tertunda berminggu-minggu."),
        ),
        "en": (
            _t("Business licence application stuck",
               "My application for a business identification number (NIB) for a shop in",
               "{district} has been stuck at location verification for a month."),
        ),
    },
    "land_certificates": {
        "web": (
            _t("Sertifikat PTSL belum terbit",
               "Saya mendaftar PTSL tahun lalu di Kecamatan {district}, {city}. Tetangga sudah",
               "menerima sertifikat, tetapi milik saya belum terbit tanpa penjelasan."),
            _t("Sertifikat tumpang tindih",
               "Tanah milik orang tua kami di {district} ternyata juga disertifikatkan atas nama",
               "orang lain. Kami mohon dilakukan pengukuran ulang dan mediasi."),
            _t("Balik nama sertifikat berlarut-larut",
               "Proses balik nama sertifikat di Kantor Pertanahan {city} sudah enam bulan belum",
               "selesai, padahal dijanjikan dua bulan."),
        ),
        "sms": (
            _t("Sertifikat PTSL belum jadi",
               "Sertifikat PTSL sy blm jadi, tetangga sdh. Desa di {district}. Mohon info."),
        ),
        "info": (
            _t("Biaya resmi PTSL",
               "Berapa biaya resmi program PTSL? Di desa kami di {district} warga diminta membayar",
               "Rp 500.000 per bidang."),
        ),
        "national": (
            _t("Alih media ke sertifikat elektronik",
               "Permohonan alih media sertifikat tanah saya ke sertifikat elektronik sudah tiga",
               "bulan berstatus diproses tanpa kejelasan."),
        ),
    },
    "electricity": {
        "web": (
            _t("Listrik sering padam di {district}",
               "Dalam seminggu terakhir listrik di {district} padam hampir setiap malam selama",
               "2-3 jam tanpa pemberitahuan. Peralatan elektronik warga banyak yang rusak."),
            _t("Kabel listrik menjuntai rendah",
               "Kabel listrik di {street} menjuntai sangat rendah setelah tiang tertabrak mobil.",
               "Truk yang lewat bisa tersangkut. Mohon segera ditangani."),
            _t("Tiang listrik miring hampir roboh",
               "Tiang listrik di depan {rt}, {street}, miring setelah hujan angin. Warga takut",
               "tiang roboh menimpa rumah."),
        ),
        "sms": (
            _t("Listrik padam tiap malam",
               "Listrik di {district} padam tiap malam, sdh 5 hari. Tlg PLN segera perbaiki."),
            _t("Kabel listrik putus di {street}",
               "Kabel PLN di {street} putus & menjuntai, bahaya."),
        ),
        "national": (
            _t("Token listrik tidak masuk",
               "Saya membeli token listrik Rp 200.000 melalui aplikasi, saldo terpotong tetapi",
               "token tidak pernah masuk. Sudah lapor ke call center tetapi belum ada",
               "penyelesaian."),
            _t("Tagihan listrik pascabayar melonjak",
               "Tagihan listrik pascabayar bulan ini naik dua kali lipat tanpa perubahan",
               "pemakaian. Mohon pemeriksaan meteran."),
        ),
        "en": (
            _t("Frequent power cuts",
               "The power goes out almost every evening for two or three hours in {district}.",
               "Please tell us the cause and when it will be fixed."),
        ),
    },
    "police": {
        "web": (
            _t("Pengurusan SKCK berbelit",
               "Pengurusan SKCK di Polres {city} sangat lama dan petugas meminta berkas tambahan",
               "yang tidak ada di persyaratan resmi."),
            _t("Laporan kehilangan motor tidak ada kabar",
               "Saya melaporkan pencurian motor di {street} dua bulan lalu, tetapi belum ada",
               "perkembangan penyelidikan dan tidak ada SP2HP yang diberikan."),
            _t("Balap liar setiap malam Minggu",
               "Setiap malam Minggu ada balap liar di {street} sampai dini hari. Suara knalpot",
               "sangat bising dan membahayakan pengguna jalan. Mohon patroli."),
        ),
        "sms": (
            _t("Balap liar di {street}",
               "Balap liar di {street} tiap malam minggu, bising & bahaya. Mohon patroli polisi."),
            _t("Laporan curanmor belum ada kabar",
               "Lapor curanmor sy blm ada perkembangan. Polsek {district}."),
        ),
        "info": (
            _t("Perpanjangan SIM keliling",
               "Apakah perpanjangan SIM bisa dilakukan di layanan SIM keliling di {city}? Di mana",
               "saja jadwalnya?"),
        ),
        "en": (
            _t("Illegal street racing",
               "Every Saturday night there is illegal street racing on {street} until 3 am. It",
               "is very noisy and dangerous."),
        ),
    },
    "corruption": {
        "web": (
            _t("Pungli pembuatan KTP di kecamatan",
               "Saat mengurus KTP-el di kantor kecamatan {district}, saya diminta membayar",
               "Rp 150.000 oleh oknum agar cepat selesai. Padahal layanan adminduk gratis."),
            _t("Potongan dana bantuan oleh oknum",
               "Bantuan PKH yang diterima warga di {district} dipotong Rp 50.000 per orang oleh",
               "oknum dengan alasan uang administrasi. Saya punya foto kuitansinya."),
            _t("Pungutan parkir tanpa karcis",
               "Ada oknum berseragam dinas yang memungut uang parkir tanpa karcis di {street}.",
               "Uangnya tidak masuk kas daerah."),
            _t("Diminta uang pelicin untuk izin",
               "Untuk mempercepat izin usaha, saya diminta uang pelicin Rp 2 juta oleh seseorang",
               "yang mengaku staf dinas perizinan {city}."),
        ),
        "sms": (
            _t("Pungli surat pindah di kelurahan",
               "Sy dimintai uang 100rb utk urus surat pindah di kelurahan, kec {district}.",
               "Bukannya gratis?"),
        ),
        "national": (
            _t("Dugaan gratifikasi pengadaan",
               "Saya ingin melaporkan dugaan gratifikasi dalam pengadaan barang di sebuah instansi",
               "pusat. Saya bersedia memberikan dokumen pendukung secara rahasia."),
        ),
        "en": (
            _t("Asked for a bribe for an ID card",
               "At the district office in {district} I was asked to pay IDR 150,000 to get my ID",
               "card faster, although the service is free."),
        ),
    },
    "environment": {
        "web": (
            _t("Pabrik diduga buang limbah ke sungai",
               "Sebuah pabrik tekstil di dekat {street} diduga membuang limbah cair ke sungai pada",
               "malam hari. Air sungai berubah hitam pekat dan ikan-ikan mati."),
            _t("Asap pembakaran sampah",
               "Setiap sore ada pembakaran sampah di lahan kosong dekat {rt}, {district}. Asapnya",
               "membuat anak-anak batuk dan sesak."),
            _t("Pohon peneduh ditebang",
               "Pohon-pohon peneduh di {street} ditebang tanpa pemberitahuan. Mohon penjelasan",
               "apakah ada izinnya dan apakah akan ditanam pengganti."),
            _t("Bau menyengat dari peternakan",
               "Peternakan ayam di {district} menimbulkan bau sangat menyengat dan banyak lalat",
               "ke permukiman warga."),
        ),
        "sms": (
            _t("Sungai tercemar limbah",
               "Sungai dekat {street} hitam & bau, diduga limbah pabrik. Ikan pd mati. Tlg dicek."),
            _t("Pembakaran sampah tiap sore",
               "Ada pembakaran sampah tiap sore di {district}, asapnya bikin sesak."),
        ),
        "aspiration": (
            _t("Usul ruang terbuka hijau di {district}",
               "Kami mengusulkan lahan kosong milik pemda di {district} dijadikan taman atau ruang",
               "terbuka hijau untuk warga."),
        ),
        "en": (
            _t("River polluted by a factory",
               "A factory near {street} appears to discharge black, foul-smelling waste water into",
               "the river at night. Fish are dying."),
        ),
    },
    "public_service": {
        "web": (
            _t("Petugas kelurahan tidak di tempat",
               "Saya datang ke kantor kelurahan di {district} tiga kali pada jam kerja untuk",
               "mengurus surat keterangan, tetapi petugasnya tidak ada dan tidak ada yang bisa",
               "melayani."),
            _t("Loket Mal Pelayanan Publik kurang",
               "Antrean di Mal Pelayanan Publik {city} sangat panjang karena hanya dua loket yang",
               "buka. Mohon jumlah petugas ditambah."),
            _t("Petugas loket bersikap kasar",
               "Petugas loket di kantor kecamatan {district} bersikap kasar dan membentak warga",
               "lansia yang kurang paham prosedur."),
        ),
        "sms": (
            _t("Kantor kelurahan kosong",
               "Kantor kelurahan di {district} kosong jam 10 pagi, tdk ada yg melayani.",
               "Tlg ditegur."),
        ),
        "info": (
            _t("Layanan kecamatan hari Sabtu",
               "Apakah kantor kecamatan di {city} buka pada hari Sabtu untuk layanan",
               "administrasi?"),
        ),
        "aspiration": (
            _t("Usul layanan surat keterangan online",
               "Kami mengusulkan agar surat keterangan dari kelurahan bisa diajukan secara online",
               "supaya warga tidak perlu bolak-balik."),
        ),
        "en": (
            _t("Nobody at the district office",
               "I went to the sub-district office in {district} three times during working hours",
               "and no officer was there to serve the public."),
        ),
    },
}

# Reports the verifier archives, by reason.
ARCHIVE_TEXTS: dict[ArchiveReason, tuple[str, ...]] = {
    ArchiveReason.INCOMPLETE: (
        "jalan rusak",
        "Mohon ditindaklanjuti segera pak, sudah lama.",
        "tolong dibantu, masalahnya sudah lama tidak selesai",
    ),
    ArchiveReason.OUT_OF_SCOPE: (
        "Tetangga saya belum bayar utang Rp 5 juta sejak tahun lalu, mohon dibantu menagih.",
        "Pesanan ojek online saya dibatalkan sepihak oleh pengemudi dan saldo tidak kembali.",
        "Saya ingin komplain ke toko online karena barang yang datang tidak sesuai gambar.",
    ),
    ArchiveReason.ABUSIVE: (
        "Dasar pejabat tidak becus semua!!! Kerja cuma makan gaji buta!!!",
        "tes tes tes 123 coba coba aplikasi",
    ),
}
ARCHIVE_COMMENTS: dict[ArchiveReason, str] = {
    ArchiveReason.INCOMPLETE: "Tanpa lokasi maupun uraian masalah yang bisa ditindaklanjuti.",
    ArchiveReason.OUT_OF_SCOPE: "Urusan perdata/swasta, bukan kewenangan instansi pemerintah.",
    ArchiveReason.ABUSIVE: "Berisi kata-kata kasar atau uji coba, tanpa keluhan.",
}

# --- what staff write --------------------------------------------------------------------------

UPDATES_ID = (
    "Laporan sudah kami terima dan diteruskan ke bidang teknis. Tim akan survei lokasi pekan ini.",
    "Petugas sudah meninjau lokasi dan mencatat kondisi di lapangan. Penanganan dijadwalkan.",
    "Kami sedang berkoordinasi dengan pihak terkait untuk menangani laporan ini.",
    "Penanganan sedang berjalan; perkembangan berikutnya akan kami sampaikan.",
)
UPDATES_BY_CATEGORY = {
    "roads": "Tim sudah mengukur kerusakan; penambalan dijadwalkan pekan depan.",
    "street_lighting": "Tim PJU sudah mengecek jaringan; lampu perlu diganti, menunggu material.",
    "water_supply": "Teknisi sudah menemukan titik gangguan pada pipa distribusi dan memperbaiki.",
    "waste": "Armada pengangkut sudah dijadwalkan ulang untuk lokasi tersebut.",
    "flooding": "Tim sudah survei saluran; pengerukan dijadwalkan bersama kecamatan.",
    "health": "Kami sudah meminta klarifikasi dari kepala puskesmas/rumah sakit terkait.",
    "schools": "Pengawas sekolah sudah dijadwalkan memeriksa sekolah yang dilaporkan.",
    "civil_registration": "Data pelapor sedang kami cek di sistem SIAK.",
    "social_assistance": "Data yang bersangkutan sedang dicek oleh pendamping sosial kelurahan.",
    "electricity": "Petugas pelayanan teknik sudah diberangkatkan ke lokasi.",
    "corruption": "Inspektorat sudah menjadwalkan klarifikasi kepada pihak yang dilaporkan.",
    "environment": "Tim pengawas sudah dijadwalkan mengambil sampel di lokasi.",
}
RESOLUTIONS_ID = {
    "roads": "Lubang di lokasi sudah ditambal dengan aspal hotmix. Terima kasih atas laporannya.",
    "street_lighting": "Lampu PJU di lokasi sudah diganti dan menyala kembali.",
    "water_supply": "Aliran air sudah normal kembali setelah perbaikan pipa distribusi.",
    "waste": "Sampah sudah diangkut dan jadwal pengangkutan kini dua kali seminggu.",
    "flooding": "Saluran sudah dikeruk dan sedimen diangkut; aliran air kini lancar.",
    "public_transport": "Petugas Dishub sudah menertibkan lokasi dan akan berjaga pada jam sibuk.",
    "health": "Kepala puskesmas sudah ditegur dan jadwal layanan diperbaiki mulai pekan ini.",
    "schools": "Kepala sekolah sudah dipanggil; kebijakan tersebut dibatalkan.",
    "civil_registration": "Dokumen sudah dicetak dan dapat diambil di kantor kecamatan.",
    "social_assistance": "Yang bersangkutan sudah diusulkan masuk data penerima bansos.",
    "business_permits": "Berkas sudah diverifikasi ulang dan izin sudah terbit di sistem.",
    "land_certificates": "Sertifikat sudah selesai dan dapat diambil di Kantor Pertanahan.",
    "electricity": "Gangguan karena trafo kelebihan beban; trafo sudah diganti, listrik normal.",
    "police": "Patroli dijadwalkan rutin di lokasi dan perkara sudah ditindaklanjuti.",
    "corruption": "Oknum yang dilaporkan sudah diperiksa dan dijatuhi sanksi disiplin.",
    "environment": "Sampel sudah diuji; pelaku usaha diberi sanksi dan wajib memperbaiki IPAL.",
    "public_service": "Petugas yang bersangkutan sudah dibina dan jadwal piket layanan diperketat.",
}
NOT_RESOLVED_ID = (
    "Penanganan belum dapat dituntaskan tahun ini karena keterbatasan anggaran dan personel; "
    "laporan ini masuk daftar prioritas tahun depan.",
    "Setelah diperiksa, penanganan memerlukan keputusan instansi lain; kami sudah bersurat dan "
    "menunggu jawaban.",
)
INFO_ANSWERS_ID = (
    "Terima kasih atas pertanyaannya. Persyaratan dan alurnya sudah kami kirimkan; layanan ini "
    "gratis dan dapat diurus di kantor kecamatan atau secara online.",
    "Jadwal dan persyaratan lengkap tersedia di situs resmi dinas; silakan datang ke loket "
    "layanan bila masih ada yang kurang jelas.",
)
ASPIRATION_ANSWERS_ID = (
    "Terima kasih atas usulannya. Usulan ini sudah kami catat untuk dibahas dalam Musrenbang "
    "tahun depan.",
    "Usulan sudah kami teruskan ke bidang perencanaan dan akan dikaji kelayakannya.",
)
UPDATES_EN = (
    "We have received your report and passed it to the technical team, who will visit this week.",
    "Our team inspected the location; the work is being scheduled.",
)
RESOLUTIONS_EN = (
    "The problem has been fixed. Thank you for reporting it.",
    "Our team has completed the work at the location. Please tell us if the problem returns.",
)
NOT_RESOLVED_EN = (
    "This cannot be funded this year; it is on next year's priority list.",
)
DEFER_QUESTIONS_ID = (
    "Mohon lengkapi alamat lokasi (nama jalan, RT/RW, kelurahan) dan patokan terdekat.",
    "Mohon jelaskan sejak kapan masalah ini terjadi dan kirimkan foto bila ada.",
    "Laporan belum menyebutkan instansi atau tempat layanan yang dimaksud. Mohon dilengkapi.",
)
DEFER_QUESTIONS_EN = ("Please tell us the exact location (street, RT/RW, sub-district).",)
OFFICER_QUESTIONS_ID = {
    "water_supply": "Mohon kirimkan nomor pelanggan PDAM Anda agar kami bisa mengecek datanya.",
    "electricity": "Mohon kirimkan ID pelanggan PLN Anda untuk pengecekan.",
    "civil_registration": "Mohon informasikan NIK dan nomor KK untuk pengecekan data.",
    "social_assistance": "Mohon informasikan NIK kepala keluarga untuk pengecekan data.",
}
OFFICER_QUESTION_ID = "Mohon kirimkan foto kondisi terbaru dan titik lokasi yang tepat."
ANSWERS_ID = (
    "Lokasinya di {street}, {rt}, Kecamatan {district}, dekat masjid.",
    "Masalahnya sejak awal bulan. Fotonya sudah saya kirim lewat email.",
    "Nomor yang diminta: {number}. Terima kasih.",
)
ANSWERS_EN = ("It is on {street}, {rt}, {district}, next to the mosque.",)
DISPUTES_ID = (
    "Belum ada perbaikan sama sekali di lokasi, kondisinya masih sama.",
    "Perbaikannya hanya sementara, sekarang sudah rusak lagi.",
    "Baru sebagian yang ditangani, sisanya masih bermasalah.",
)
DISPUTES_EN = ("Nothing has changed at the location yet.",)
APPEALS_ID = (
    "Jawaban instansi tidak menyelesaikan masalah; mohon ditinjau oleh instansi di atasnya.",
    "Masalah ini sudah berulang kali dilaporkan tanpa penyelesaian.",
)
COMMENTS_ID = {
    5: ("Terima kasih, penanganannya cepat!", "Mantap, sudah beres. Terima kasih."),
    4: ("Sudah diperbaiki, terima kasih.", "Sudah ditangani dengan baik."),
    3: ("Sudah ditangani tapi agak lama.",),
    2: ("Penanganan lambat dan kurang tuntas.",),
    1: ("Tidak ada perubahan berarti.",),
}
COMMENTS_EN = {
    5: ("Fixed quickly, thank you!",),
    4: ("Fixed, thanks.",),
    3: ("Done, but it took a while.",),
    2: ("Slow and only partly done.",),
    1: ("Nothing really changed.",),
}
NOTES_ID = (
    "Sudah dikoordinasikan lewat telepon dengan kepala bidang terkait.",
    "Perlu survei gabungan dengan pihak kecamatan.",
    "Menunggu ketersediaan material di gudang.",
    "Pelapor sudah dihubungi untuk konfirmasi lokasi.",
)
ESCALATION_COMMENTS = (
    "Ombudsman meminta laporan ini segera ditindaklanjuti.",
    "Laporan melewati batas waktu; mohon perhatian pimpinan instansi.",
)
RETURN_REASON = "Lokasi yang dilaporkan berada di wilayah {region}, bukan wilayah kewenangan kami."
# Forwards across levels: category -> (where to, why).
FORWARDS: dict[str, tuple[str, str]] = {
    "roads": ("BM", "Ruas jalan tersebut berstatus jalan provinsi; kami teruskan ke {agency}."),
    "flooding": ("SDA", "Sungai tersebut kewenangan provinsi; kami teruskan ke {agency}."),
    "public_transport": (
        "DISHUB", "Trayek antarkota dalam provinsi kewenangan provinsi; diteruskan ke {agency}.",
    ),
    "environment": ("DLH", "Pencemaran lintas kabupaten/kota; kami teruskan ke {agency}."),
    "street_lighting": ("PLN", "Gangguan ada pada jaringan kabel PLN; diteruskan ke {agency}."),
}
REVEAL_REASON = "Verifikasi keaslian pelapor sebelum laporan diteruskan."

# --- people --------------------------------------------------------------------------------------

STAFF_NAMES = (
    "Rahmat Hidayat", "Dewi Lestari", "Andi Pratama", "Sri Wahyuni", "Yohanes Simanjuntak",
    "Nur Aini", "Eko Prasetyo", "Putri Maharani", "Dedi Kurniawan", "Lina Marlina",
    "Fajar Nugroho", "Indah Permatasari", "Bambang Sutrisno", "Wahyu Saputra", "Ratna Sari",
    "Ujang Suherman", "Cecep Hermawan", "Neng Yuliani", "Tatang Sumarna", "Joko Susilo",
    "Sugeng Widodo", "Endang Susanti", "Suparman", "Dwi Handayani", "Teguh Wibowo",
    "Kartika Dewi", "Arif Rahman", "Nurul Hidayah", "Ahmad Fauzi", "Rizky Ramadhan",
    "Fitri Handayani", "Yanti Susilawati", "Bayu Aji", "Galih Permana", "Ayu Lestari",
    "Hadi Purnomo", "Mega Puspita", "Agus Setiawan", "Siti Rahayu", "Budi Santoso",
    "Maria Ulfa", "Hendra Gunawan", "Novi Anggraeni", "Irfan Maulana", "Desi Ratnasari",
    "Yusuf Hidayat", "Rina Wulandari", "Taufik Ismail", "Wulan Sari", "Iwan Setiadi",
    "Made Wirawan", "Ketut Sudarma", "Sarah Panjaitan", "Lukas Wenda", "Rudi Saragih",
    "Anisa Rahmawati", "Dimas Saputra", "Gita Puspitasari", "Heru Santoso", "Laila Fitriani",
)
FIRST_NAMES = (
    "Agus", "Ahmad", "Andi", "Ani", "Asep", "Ayu", "Bambang", "Budi", "Cahya", "Dadang",
    "Dedi", "Dewi", "Dian", "Eka", "Endah", "Fajar", "Fitri", "Gilang", "Hana", "Hendra",
    "Ika", "Indra", "Joko", "Kurnia", "Lestari", "Mulyadi", "Nanda", "Nining", "Oki", "Puji",
    "Rani", "Rizal", "Sari", "Slamet", "Tini", "Tri", "Umar", "Wati", "Yadi", "Yuni",
)
LAST_NAMES = (
    "Saputra", "Wijaya", "Hidayat", "Kusuma", "Setiawan", "Pratiwi", "Nugraha", "Susanto",
    "Rahmawati", "Firmansyah", "Suryadi", "Purwanto", "Maulana", "Lestari", "Gunawan",
    "Handayani", "Permana", "Wibisono", "Sulistyo", "Ramadhani",
)
# Indonesian mobile prefixes (Telkomsel, Indosat, XL, Tri, Smartfren), after the leading 0.
MOBILE_PREFIXES = (
    "811", "812", "813", "821", "822", "823", "852", "853", "814", "815", "816", "855", "856",
    "857", "858", "817", "818", "819", "859", "877", "878", "895", "896", "897", "898", "881",
    "882", "887",
)


# --- the structure -------------------------------------------------------------------------------


@dataclass
class _World:
    """What the replay needs to know about the structure, by id (ORM objects expire on commit)."""

    agency_ids: dict[str, int] = field(default_factory=dict)
    agency_names: dict[int, str] = field(default_factory=dict)
    agency_codes: dict[int, str] = field(default_factory=dict)
    levels: dict[int, AgencyLevel] = field(default_factory=dict)
    parent: dict[int, int | None] = field(default_factory=dict)
    category_ids: dict[str, int] = field(default_factory=dict)
    rules: dict[tuple[str, str | None], int] = field(default_factory=dict)
    region_parent: dict[str, str | None] = field(default_factory=dict)
    region_names: dict[str, str] = field(default_factory=dict)
    coordinators: dict[int, list[Actor]] = field(default_factory=dict)
    officers: dict[int, list[Actor]] = field(default_factory=dict)
    verifiers: list[Actor] = field(default_factory=list)
    oversight: list[Actor] = field(default_factory=list)

    def chain(self, agency_id: int) -> Iterator[int]:
        """Yield an agency and its ancestors, nearest first."""
        node: int | None = agency_id
        while node is not None:
            yield node
            node = self.parent.get(node)

    def coordinator_for(self, agency_id: int) -> Actor | None:
        """Return a coordinator of the nearest agency up the hierarchy that has one."""
        for node in self.chain(agency_id):
            if self.coordinators.get(node):
                return self.coordinators[node][0]
        return None

    def route(self, category: str, region: str | None) -> int:
        """Return the agency with authority: the rule of the nearest region, else the fallback."""
        node = region
        while node is not None:
            if (category, node) in self.rules:
                return self.rules[(category, node)]
            node = self.region_parent.get(node)
        return self.rules[(category, None)]


def _build_world(present: datetime) -> _World:
    """Write regions, calendars, agencies, categories, routing rules, staff and the SLA policy."""
    world = _World()
    session = db.session
    # The policy, the national calendar and regions may exist already (an admin's, or loaded by
    # a migration): those are kept as they are.
    if session.get(SlaPolicyRow, 1) is None:
        session.add(SlaPolicyRow(id=1))
    national = session.scalar(select(Calendar).where(Calendar.name == "national")) or Calendar(
        name="national", timezone="Asia/Jakarta", holiday_country="ID"
    )
    east_java = session.scalar(select(Calendar).where(Calendar.name == "Jawa Timur")) or Calendar(
        name="Jawa Timur",
        timezone="Asia/Jakarta",
        holiday_country="ID",
        # A day the province closed its offices: shows how admins' closures move due times.
        closures=[
            CalendarClosure(day=date(present.year, 10, 12), reason="Hari Jadi Provinsi Jawa Timur")
        ],
    )
    session.add_all([national, east_java])

    regions: dict[str, Region] = {}
    for code, name, level, parent in REGIONS:
        regions[code] = session.get(Region, code) or Region(
            code=code, name=name, level=level, parent_code=parent
        )
        world.region_parent[code] = regions[code].parent_code
        world.region_names[code] = regions[code].name
    session.add_all(regions.values())

    agencies: dict[str, Agency] = {}

    def agency(
        code: str, name: str, level: AgencyLevel, parent: str | None = None,
        served: Sequence[str] = (), calendar: Calendar | None = None,
    ) -> Agency:
        row = Agency(
            code=code, name=name, level=level, parent=agencies[parent] if parent else None,
            calendar=calendar, regions=[regions[r] for r in served],
        )
        agencies[code] = row
        return row

    for code, name in NATIONAL_AGENCIES:
        agency(code, name, AgencyLevel.NATIONAL, calendar=national)
    for (national_code, region), (code, name) in VERTICAL_UNITS.items():
        agency(code, name, AgencyLevel.UNIT, national_code, [region])
    for province in PROVINCES:
        calendar = east_java if province.region == "35" else None
        agency(province.code, province.name, AgencyLevel.PROVINCE, REGIONAL_ROOT,
               [province.region], calendar)
        for key, name in province.units.items():
            agency(f"{province.code}-{key}", name, AgencyLevel.UNIT, province.code,
                   [province.region])
    for city in CITIES:
        place = PLACES[city.region].name
        agency(city.code, city.name, AgencyLevel.REGENCY, city.province, [city.region])
        for key, base in CITY_UNITS:
            name = city.water_utility if key == "PDAM" else f"{base} {place}"
            agency(f"{city.code}-{key}", name, AgencyLevel.UNIT, city.code, [city.region])
    session.add_all(agencies.values())

    categories: dict[str, Category] = {}
    for position, spec in enumerate(CATEGORIES):
        categories[spec.code] = Category(
            code=spec.code, names=spec.names, tier=spec.tier, position=position
        )
    session.add_all(categories.values())
    session.flush()

    for spec in CATEGORIES:
        targets: dict[str | None, str] = {None: spec.national}
        for province in PROVINCES:
            if spec.vertical:
                targets[province.region] = VERTICAL_UNITS[(spec.vertical, province.region)][0]
            elif spec.province_unit:
                targets[province.region] = f"{province.code}-{spec.province_unit}"
            else:
                # Nothing at province level: the provincial government itself sorts it out.
                targets[province.region] = province.code
        if spec.city_unit is not None:
            for city in CITIES:
                unit = f"{city.code}-{spec.city_unit}" if spec.city_unit else city.code
                targets[city.region] = unit
        for region, code in targets.items():
            session.add(RoutingRule(
                category_id=categories[spec.code].id, region_code=region,
                agency_id=agencies[code].id,
            ))

    staff = _build_staff(agencies)
    session.add_all(staff)
    session.commit()

    for code, row in agencies.items():
        world.agency_ids[code] = row.id
        world.agency_names[row.id] = row.name
        world.agency_codes[row.id] = code
        world.levels[row.id] = row.level
        world.parent[row.id] = row.parent_id
    world.category_ids = {code: row.id for code, row in categories.items()}
    world.rules = {
        (rule.category.code, rule.region_code): rule.agency_id
        for rule in session.scalars(select(RoutingRule))
    }
    for user in staff:
        actor = actions.actor_for(user)
        if user.role is Role.COORDINATOR:
            world.coordinators.setdefault(user.agency_id or 0, []).append(actor)
        elif user.role is Role.OFFICER:
            world.officers.setdefault(user.agency_id or 0, []).append(actor)
        elif user.role is Role.VERIFIER:
            world.verifiers.append(actor)
        elif user.role is Role.OVERSIGHT:
            world.oversight.append(actor)
    return world


def _build_staff(agencies: dict[str, Agency]) -> list[StaffUser]:
    """Return the demo staff: the centre, oversight, and a desk and officers in every agency."""
    names = iter(STAFF_NAMES)
    rows: list[tuple[str, Role, str | None, str]] = [
        ("admin", Role.ADMIN, MARKER_AGENCY, "en"),
        ("verifikator", Role.VERIFIER, MARKER_AGENCY, "id"),
        ("verifikator2", Role.VERIFIER, MARKER_AGENCY, "en"),
        ("ombudsman", Role.OVERSIGHT, None, "id"),
        ("auditor", Role.OVERSIGHT, None, "en"),
    ]
    for code, _name in NATIONAL_AGENCIES:
        slug = code.lower()
        rows.append((f"koordinator.{slug}", Role.COORDINATOR, code, "id"))
        rows.append((f"petugas.{slug}", Role.OFFICER, code, "id"))
    for unit_code, _name in VERTICAL_UNITS.values():
        language = "en" if unit_code == "PLN-UID-JATIM" else "id"
        rows.append((f"petugas.{unit_code.lower()}", Role.OFFICER, unit_code, language))
    for province in PROVINCES:
        slug = province.code.lower()
        rows.append((f"koordinator.{slug}", Role.COORDINATOR, province.code, "id"))
        rows.append((f"petugas.{slug}", Role.OFFICER, province.code, "id"))
        rows.append((f"petugas.{slug}-bm", Role.OFFICER, f"{province.code}-BM", "id"))
    for city in CITIES:
        slug = city.code.lower()
        rows.append((f"koordinator.{slug}", Role.COORDINATOR, city.code, "id"))
        rows.append((f"petugas.{slug}", Role.OFFICER, city.code, "id"))
        for unit in UNIT_OFFICERS[city.code]:
            language = "en" if (city.code, unit) == ("KOTA-SBY", "DLH") else "id"
            rows.append((f"petugas.{slug}-{unit.lower()}", Role.OFFICER, f"{city.code}-{unit}",
                         language))
    users: list[StaffUser] = []
    for local, role, agency_code, language in rows:
        user = StaffUser(
            email=f"{local}@{EMAIL_DOMAIN}",
            name=next(names),
            role=role,
            agency=agencies[agency_code] if agency_code else None,
            language=language,
        )
        if users:
            # One password for every demo login: hashing it once saves seconds of scrypt.
            user.password_hash = users[0].password_hash
        else:
            user.set_password(DEMO_PASSWORD)
        users.append(user)
    return users


# --- the plan of one report ----------------------------------------------------------------------

# Paths a report can take, with their weights. A path cut short by the present leaves the report
# wherever it got to, so recent reports are naturally still open.
FATES: tuple[tuple[str, int], ...] = (
    ("resolved", 26), ("resolved_silent", 10), ("disputed", 7), ("appealed", 4),
    ("forwarded", 6), ("returned", 5), ("deferred_answered", 5), ("deferred_silent", 4),
    ("officer_request_info", 4), ("archived", 7), ("duplicate", 5), ("stalled_submitted", 3),
    ("stalled_dispatched", 4), ("stalled_in_progress", 5), ("info_request", 5), ("aspiration", 4),
)
# The first reports of every run, with short delays and a start that lets them finish: one that
# ends in each state, so that even a small demo shows every state.
GUARANTEED: tuple[tuple[str, float, float], ...] = (
    ("awaiting_reply", 7, 9),
    ("deferred_silent", 4, 8),
    ("stalled_submitted", 1, 20),
    ("stalled_dispatched", 5, 30),
    ("stalled_in_progress", 8, 40),
    ("resolved", 30, 80),
    ("archived", 5, 60),
)
# How fast each government works, as a factor on every delay of its staff (1: the norm).
PACE = {
    "KOTA-SBY": 0.5, "KOTA-BDG": 0.8, "KAB-BDG": 1.5, "KAB-MLG": 1.2, "PROV-JABAR": 1.0,
    "PROV-JATIM": 0.9, "PLN": 0.7, "POLRI": 1.4, "ATRBPN": 1.5,
}
NATIONAL_PACE = 1.2
DUE_RECHECK = timedelta(hours=6)
# The real sweep runs every minute. Here it runs this long after something comes due, which
# gathers the reminders and escalations of a morning into one run at a fraction of the cost.
SWEEP_LAG = timedelta(hours=3)
FAST = 0.05  # the delay factor of the guaranteed reports
SCORES = (5,) * 7 + (4,) * 7 + (3,) * 3 + (2,) * 2 + (1,)
ESCALATABLE = frozenset({State.SUBMITTED, State.DISPATCHED, State.IN_PROGRESS})
RESOLUTION_DAYS = {
    Tier.MINOR: (0.3, 2.5),
    Tier.NORMATIVE: (0.8, 5.5),
    Tier.STANDARD: (2.0, 15.0),
    Tier.INVESTIGATION: (8.0, 45.0),
}


@dataclass
class _Plan:
    """One report to replay: what it says, who files it, how, when, and the path it takes."""

    fate: str
    category: str
    region: str | None  # where the problem is; None: a national matter
    classification: Classification
    channel: Channel
    language: str
    text: _Text
    fill: dict[str, str]
    start: datetime
    fast: bool = False
    gives_category: bool = True
    gives_region: bool = True
    address: str | None = None
    point: tuple[float, float] | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    anonymous: bool = False
    confidential: bool = False
    archive_reason: ArchiveReason | None = None
    duplicate_of: int | None = None
    forwarded: bool = False
    asked: bool = False


def _weighted(rng: Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


class _Planner:
    """Draws the reports of a run from a seeded random generator."""

    def __init__(self, rng: Random, present: datetime) -> None:
        self.rng = rng
        self.present = present
        self.phones: list[str] = []

    def plans(self, count: int) -> list[_Plan]:
        """Return `count` plans: the guaranteed ones first, then random ones."""
        result = []
        for index in range(count):
            if index < len(GUARANTEED):
                fate, low, high = GUARANTEED[index]
                result.append(self.plan(fate, low, high, fast=True))
            else:
                result.append(self.plan(_weighted(self.rng, FATES), 0.2, HISTORY_DAYS))
        return result

    def plan(self, fate: str, low: float, high: float, *, fast: bool = False) -> _Plan:
        """Return one plan whose report is filed between `high` and `low` days ago."""
        rng = self.rng
        category = self._category(fate)
        region = self._region(fate, category)
        classification = {
            "info_request": Classification.INFORMATION_REQUEST,
            "aspiration": Classification.ASPIRATION,
        }.get(fate, Classification.COMPLAINT)
        if classification is not Classification.COMPLAINT:
            channel = Channel.WEB
        else:
            channel = Channel(_weighted(rng, (("web", 55), ("sms", 30), ("ussd", 15))))
            if region is None and channel is Channel.USSD:
                channel = Channel.SMS  # a USSD menu always asks for the region
        kind = {
            Classification.INFORMATION_REQUEST: "info", Classification.ASPIRATION: "aspiration",
        }.get(classification) or ("national" if region is None else
                                  "web" if channel is Channel.WEB else "sms")
        language = "id"
        if kind == "web" and "en" in TEXTS[category] and rng.random() < 0.07:
            kind, language = "en", "en"
        text = rng.choice(TEXTS[category][kind])
        archive_reason = None
        if fate == "archived":
            archive_reason = rng.choice(list(ARCHIVE_TEXTS))
            text = _Text("", rng.choice(ARCHIVE_TEXTS[archive_reason]))
        start = self.present - timedelta(days=rng.uniform(low, high))
        start = min(_citizen_hours(start, rng), self.present - timedelta(minutes=5))
        plan = _Plan(
            fate=fate, category=category, region=region, classification=classification,
            channel=channel, language=language, text=text, fill=self._fill(region),
            start=start, fast=fast, archive_reason=archive_reason,
        )
        self._reporter(plan)
        return plan

    def _category(self, fate: str) -> str:
        specs: Sequence[_CategorySpec] = CATEGORIES
        if fate == "info_request":
            specs = [s for s in CATEGORIES if "info" in TEXTS[s.code]]
        elif fate == "aspiration":
            specs = [s for s in CATEGORIES if "aspiration" in TEXTS[s.code]]
        elif fate == "forwarded":
            specs = [s for s in CATEGORIES if s.code in FORWARDS]
        elif fate == "returned":
            specs = [s for s in CATEGORIES if s.vertical is None]
        return _weighted(self.rng, [(s.code, s.weight) for s in specs])

    def _region(self, fate: str, category: str) -> str | None:
        rng = self.rng
        free = fate not in ("forwarded", "returned", "duplicate", "info_request", "aspiration")
        if free and "national" in TEXTS[category] and rng.random() < 0.2:
            return None
        if free and category in PROVINCE_LEVEL and rng.random() < 0.15:
            return rng.choice(("32", "35"))
        return _weighted(rng, list(CITY_WEIGHTS.items()))

    def _fill(self, region: str | None) -> dict[str, str]:
        rng = self.rng
        place = PLACES[region] if region else rng.choice([PLACES[r] for r in CITY_WEIGHTS])
        return {
            "street": rng.choice(place.streets),
            "district": rng.choice(place.districts),
            "city": place.name,
            "rt": f"RT {rng.randint(1, 12):02d}/RW {rng.randint(1, 9):02d}",
            "number": "".join(str(rng.randrange(10)) for _ in range(10)),
        }

    def _reporter(self, plan: _Plan) -> None:
        rng = self.rng
        person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if plan.channel is Channel.WEB:
            kind = rng.random()
            plan.phone = self._phone() if kind < 0.55 or kind >= 0.85 else None
            if 0.05 <= kind < 0.85:
                local = person.lower().replace(" ", ".")
                domain = rng.choice(("example.com", "example.net"))
                plan.email = f"{local}{rng.randint(1, 99)}@{domain}"
            if kind < 0.05:
                plan.phone = None
            plan.name = person if rng.random() < 0.85 else None
            plan.gives_category = rng.random() < 0.85
            plan.gives_region = rng.random() < 0.95
        else:
            plan.phone = self._phone()
            plan.name = person if rng.random() < 0.3 else None
            plan.gives_category = plan.channel is Channel.USSD and rng.random() < 0.8
            plan.gives_region = rng.random() < (0.9 if plan.channel is Channel.USSD else 0.3)
        plan.gives_region = plan.gives_region and plan.region is not None
        corruption = plan.category == "corruption"
        plan.anonymous = rng.random() < (0.5 if corruption else 0.07)
        plan.confidential = rng.random() < {"corruption": 0.4, "police": 0.15, "health": 0.05}.get(
            plan.category, 0.02
        )
        place = PLACES.get(plan.region or "")
        if plan.channel is Channel.WEB and place is not None and rng.random() < 0.7:
            if place.box is None:
                plan.address = f"{plan.fill['street']} km {rng.randint(3, 40)}"
            else:
                plan.address = (
                    f"{plan.fill['street']} No. {rng.randint(1, 250)}, {plan.fill['rt']}, "
                    f"Kec. {plan.fill['district']}"
                )
            if place.box is not None and rng.random() < 0.7:
                south, north, west, east = place.box
                latitude = round(rng.uniform(south, north), 6)
                plan.point = (latitude, round(rng.uniform(west, east), 6))

    def _phone(self) -> str:
        rng = self.rng
        if self.phones and rng.random() < 0.12:
            return rng.choice(self.phones)  # someone who reports often
        while True:
            digits = "".join(str(rng.randrange(10)) for _ in range(rng.choice((7, 8))))
            number = f"+62{rng.choice(MOBILE_PREFIXES)}{digits}"
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                self.phones.append(number)
                return number


def _citizen_hours(moment: datetime, rng: Random) -> datetime:
    """Return the moment, or the next morning if it falls in the night (06:00-22:00 local)."""
    local = moment.astimezone(JAKARTA)
    if 6 <= local.hour < 22:
        return moment
    day = local.date() + timedelta(days=1) if local.hour >= 22 else local.date()
    morning = datetime.combine(day, time(6), JAKARTA) + timedelta(minutes=rng.uniform(0, 600))
    return morning.astimezone(UTC)


# --- the replay ----------------------------------------------------------------------------------

_Steps = Generator[datetime, None, bool]


class _Replay:
    """Runs every plan's story in time order, with the clock moved to each step and the sweep."""

    def __init__(self, world: _World, rng: Random, present: datetime) -> None:
        self.world = world
        self.rng = rng
        self.present = present
        self.now = present
        self.calendar = WorkingCalendar(timezone="Asia/Jakarta", country="ID")
        self.access_codes: dict[int, str] = {}
        self.originals: dict[tuple[str, str | None], list[tuple[int, dict[str, str]]]] = {}
        self.refused: list[str] = []
        self.sweeps = 0
        self._due: datetime | None = None
        self._due_checked: datetime | None = None
        self.actors = {
            actor.user_id: actor
            for group in (*world.officers.values(), *world.coordinators.values())
            for actor in group
        }

    # The loop.

    def run(self, plans: Sequence[_Plan]) -> None:
        """Replay every plan up to the present, sweeping as time passes; the clock follows."""
        queue: list[tuple[datetime, int, Iterator[datetime]]] = [
            (plan.start, seq, _story(self, plan)) for seq, plan in enumerate(plans)
        ]
        heapq.heapify(queue)
        counter = len(queue)
        while queue:
            moment, _, story = heapq.heappop(queue)
            if moment > self.present:
                story.close()  # the rest of this story lies in the future
                continue
            self._sweep_until(moment)
            self.now = moment
            try:
                upcoming = next(story)
            except StopIteration:
                continue
            except ServiceError as exc:
                # A path the workflow refused: a bug in the plans, reported at the end.
                db.session.rollback()
                self.refused.append(str(exc))
                continue
            counter += 1
            heapq.heappush(queue, (max(upcoming, moment), counter, story))
        self._sweep_until(self.present)
        self.now = self.present
        run_sweep(self.present)
        self.sweeps += 1

    def _sweep_until(self, moment: datetime) -> None:
        """Run the sweep whenever something has come due, up to `moment`."""
        # The earliest instant is looked up again only when it has come or hours have passed:
        # an action rarely sets an instant within hours, and then its sweep only runs late.
        if self._due_checked is not None and moment - self._due_checked < DUE_RECHECK and (
            self._due is None or self._due + SWEEP_LAG > moment
        ):
            return
        while True:
            self._due, self._due_checked = self._next_due(), moment
            if self._due is None or self._due + SWEEP_LAG > moment:
                return
            self.now = max(self._due + SWEEP_LAG, self.now)
            self.sweeps += 1
            if run_sweep(self.now).total == 0:
                # Due but not actionable (a reminder overtaken by its deadline): look again in
                # a while rather than before every step.
                self._due = self.now
                return

    def _next_due(self) -> datetime | None:
        """Return the earliest instant at which the sweep would act."""
        timed = or_(
            Report.state.in_((State.DEFERRED, State.RESPONDED)),
            and_(Report.state.in_(ESCALATABLE), Report.escalation_level == 0),
        )
        instants = union_all(
            select(Report.due_at.label("at")).where(timed),
            select(Report.level2_at).where(
                Report.state.in_(ESCALATABLE), Report.escalation_level < 2
            ),
            select(Report.remind_at).where(Report.state.in_(OPEN_STATES)),
        ).subquery()
        return db.session.scalar(select(func.min(instants.c.at)))

    # Time.

    def office(
        self, plan: _Plan, low: float, high: float, agency_id: int | None = None
    ) -> datetime:
        """Return when staff act after a delay of working days, in office hours."""
        days = self.rng.uniform(low, high) * self.pace(agency_id) * (FAST if plan.fast else 1.0)
        moment = self.calendar.add_working_days(self.now, days).astimezone(JAKARTA)
        day = moment.date()
        if self.calendar.is_working_day(day) and time(8) <= moment.time() < time(16):
            return moment.astimezone(UTC)
        if not (self.calendar.is_working_day(day) and moment.time() < time(8)):
            day += timedelta(days=1)
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        opening = datetime.combine(day, time(8), JAKARTA)
        return (opening + timedelta(minutes=self.rng.uniform(0, 450))).astimezone(UTC)

    def citizen(self, low_hours: float, high_hours: float) -> datetime:
        """Return when a reporter acts after some hours, in waking hours."""
        return self.citizen_at(self.now + timedelta(hours=self.rng.uniform(low_hours, high_hours)))

    def citizen_at(self, moment: datetime) -> datetime:
        """Return the moment, moved out of the night."""
        return _citizen_hours(moment, self.rng)

    def pace(self, agency_id: int | None) -> float:
        """Return how fast an agency's staff work (the central desk: 1)."""
        if agency_id is None:
            return 1.0
        for node in self.world.chain(agency_id):
            code = self.world.agency_codes[node]
            if code in PACE:
                return PACE[code]
        return NATIONAL_PACE

    def resolution(self, plan: _Plan, agency_id: int | None) -> datetime:
        """Return when the resolution is posted: the category's tier sets the scale."""
        low, high = RESOLUTION_DAYS[CATEGORY_SPECS[plan.category].tier]
        return self.office(plan, low, high, agency_id)

    # Facts.

    def chance(self, probability: float) -> bool:
        """Return True with this probability."""
        return self.rng.random() < probability

    def report(self, report_id: int) -> Report:
        """Return a report (reloaded after every commit)."""
        report = db.session.get(Report, report_id)
        assert report is not None  # noqa: S101 - the replay filed it
        return report

    def in_state(self, report_id: int, state: State) -> bool:
        """Tell whether a report is in a state now (the sweep may have moved it)."""
        return self.report(report_id).state is state

    def access(self, report_id: int) -> ReporterAccess:
        """Prove reportership as the reporter would: by access code on the web, else by phone."""
        report = self.report(report_id)
        code = self.access_codes.get(report_id)
        if code is not None:
            return reporter_by_code(report.tracking_number, code)
        phone = report.contact.phone if report.contact is not None else None
        return reporter_by_phone(report.tracking_number, phone or "")

    def verifier(self) -> Actor:
        """Return one of the central desk's verifiers."""
        return self.rng.choice(self.world.verifiers)

    def officer_at(self, agency_id: int) -> Actor | None:
        """Return an officer of exactly this agency, if it has one."""
        officers = self.world.officers.get(agency_id)
        return self.rng.choice(officers) if officers else None

    def officer_for(self, agency_id: int) -> Actor | None:
        """Return an officer of the nearest agency up the hierarchy that has one."""
        for node in self.world.chain(agency_id):
            if self.world.officers.get(node):
                return self.rng.choice(self.world.officers[node])
        return None

    def handling_officer(self, report_id: int) -> Actor | None:
        """Return the assigned officer, or one who covers the report's agency."""
        report = self.report(report_id)
        if report.officer_id is not None and report.officer_id in self.actors:
            return self.actors[report.officer_id]
        return self.officer_for(report.agency_id) if report.agency_id is not None else None

    def wrong_agency(self, plan: _Plan) -> int | None:
        """Return the agency of the neighbouring city or regency, the verifier's usual mix-up."""
        sister = SISTER_REGION.get(plan.region or "")
        if sister is None:
            return None
        wrong = self.world.route(plan.category, sister)
        return wrong if wrong != self.world.route(plan.category, plan.region) else None

    def forward_target(self, plan: _Plan) -> tuple[int, str] | None:
        """Return the agency a city forwards this kind of report to, and why."""
        if plan.category not in FORWARDS or plan.region not in CITY_WEIGHTS:
            return None
        key, reason = FORWARDS[plan.category]
        province_region = self.world.region_parent[plan.region] or ""
        if key == "PLN":
            code = VERTICAL_UNITS[("PLN", province_region)][0]
        else:
            province = next(p for p in PROVINCES if p.region == province_region)
            code = f"{province.code}-{key}"
        agency_id = self.world.agency_ids[code]
        return agency_id, reason.format(agency=self.world.agency_names[agency_id])

    # Texts.

    def pick(self, options: Sequence[str]) -> str:
        """Return one of the options."""
        return self.rng.choice(options)

    def update_text(self, plan: _Plan) -> str:
        """Return a public follow-up."""
        if plan.language == "en":
            return self.pick(UPDATES_EN)
        if plan.category in UPDATES_BY_CATEGORY and self.chance(0.5):
            return UPDATES_BY_CATEGORY[plan.category]
        return self.pick(UPDATES_ID)

    def response_text(self, plan: _Plan, outcome: Outcome) -> str:
        """Return a resolution text that fits the outcome."""
        english = plan.language == "en"
        if outcome is Outcome.NOT_RESOLVED:
            return self.pick(NOT_RESOLVED_EN if english else NOT_RESOLVED_ID)
        if outcome is Outcome.INFO_PROVIDED:
            return self.pick(INFO_ANSWERS_ID)
        if outcome is Outcome.NO_ACTION_NEEDED:
            return self.pick(ASPIRATION_ANSWERS_ID)
        return self.pick(RESOLUTIONS_EN) if english else RESOLUTIONS_ID[plan.category]

    def answer(self, plan: _Plan) -> str:
        """Return the information a reporter adds when asked."""
        return self.pick(ANSWERS_EN if plan.language == "en" else ANSWERS_ID).format(**plan.fill)

    def comment(self, plan: _Plan, score: int | None) -> str | None:
        """Return the reporter's comment with a rating, if they write one."""
        if score is None or self.chance(0.4):
            return None
        return self.pick((COMMENTS_EN if plan.language == "en" else COMMENTS_ID)[score])

    # Actions that several paths share.

    def file(self, plan: _Plan) -> int:
        """File the plan's report through the service; return its id."""
        if plan.fate == "duplicate":
            self._find_original(plan)
        fill = plan.fill
        filed = file_report(
            description=plan.text.body.format(**fill),
            channel=plan.channel,
            language=plan.language,
            classification=plan.classification,
            title=plan.text.title.format(**fill) if plan.channel is Channel.WEB else None,
            category_code=plan.category if plan.gives_category else None,
            region_code=plan.region if plan.gives_region else None,
            address=plan.address,
            latitude=plan.point[0] if plan.point else None,
            longitude=plan.point[1] if plan.point else None,
            name=plan.name,
            phone=plan.phone,
            email=plan.email,
            anonymous=plan.anonymous,
            confidential=plan.confidential,
        )
        report_id = filed.report.id
        if plan.channel is Channel.WEB:
            self.access_codes[report_id] = filed.access_code
        if plan.fate not in ("duplicate", "archived"):
            self.originals.setdefault((plan.category, plan.region), []).append((report_id, fill))
        return report_id

    def _find_original(self, plan: _Plan) -> None:
        candidates = [
            (report_id, fill)
            for report_id, fill in self.originals.get((plan.category, plan.region), [])
            if not self.in_state(report_id, State.ARCHIVED)
        ]
        if not candidates:
            plan.fate = "resolved"  # nothing to duplicate yet: an ordinary report
            return
        plan.duplicate_of, fill = self.rng.choice(candidates)
        plan.fill = dict(fill)  # the same place as the report it repeats

    def dispatch(self, report_id: int, verifier: Actor, agency_id: int, plan: _Plan) -> None:
        """Dispatch as the verifier would: confirming the category, titling SMS reports."""
        report = self.report(report_id)
        title = None
        if report.channel is not Channel.WEB and plan.text.title:
            title = plan.text.title.format(**plan.fill)
        actions.dispatch(
            report_id, verifier, agency_id=agency_id,
            category_id=self.world.category_ids[plan.category],
            classification=plan.classification if report.classification is not plan.classification
            else None,
            title=title,
        )

    def nudge(self, plan: _Plan, report_id: int) -> Iterator[datetime]:
        """Sometimes have oversight escalate a neglected report by hand."""
        if not self.chance(0.4):
            return
        yield self.office(plan, 6, 20)
        report = self.report(report_id)
        if report.state in ESCALATABLE and report.escalation_level < 2:
            actions.escalate(
                report_id, self.rng.choice(self.world.oversight),
                comment=self.pick(ESCALATION_COMMENTS),
            )


def _story(rp: _Replay, plan: _Plan) -> Iterator[datetime]:
    """File one report and walk it along its plan, yielding when each next step happens."""
    report_id = rp.file(plan)
    if plan.fate == "stalled_submitted":
        yield from rp.nudge(plan, report_id)
        return
    # The central desk screens within the 3 days, mostly; sometimes it falls behind.
    yield rp.office(plan, 0.05, 6.0 if rp.chance(0.1) else 2.2)
    verifier = rp.verifier()
    if plan.anonymous and rp.chance(0.25):
        actions.reveal_identity(report_id, verifier, reason=REVEAL_REASON)
    if plan.fate == "archived" and plan.archive_reason is not None:
        actions.archive(
            report_id, verifier, reason=plan.archive_reason,
            comment=ARCHIVE_COMMENTS[plan.archive_reason],
        )
        return
    if plan.fate == "duplicate" and plan.duplicate_of is not None:
        original = rp.report(plan.duplicate_of).tracking_number
        actions.merge(report_id, verifier, into_tracking_number=original)
        return
    if plan.fate in ("deferred_silent", "deferred_answered"):
        questions = DEFER_QUESTIONS_EN if plan.language == "en" else DEFER_QUESTIONS_ID
        actions.defer(report_id, verifier, question=rp.pick(questions))
        if plan.fate == "deferred_silent":
            return  # the sweep archives it once the deferral window runs out
        yield rp.citizen(2, 72)
        if not rp.in_state(report_id, State.DEFERRED):
            return
        actions.add_information(rp.access(report_id), text=rp.answer(plan))
        yield rp.office(plan, 0.1, 1.0)
        verifier = rp.verifier()
    target = rp.world.route(plan.category, plan.region)
    wrong = rp.wrong_agency(plan) if plan.fate == "returned" else None
    if wrong is not None:
        rp.dispatch(report_id, verifier, wrong, plan)
        yield rp.office(plan, 0.2, 2.0, wrong)
        coordinator = rp.world.coordinator_for(wrong)
        if coordinator is None:
            return
        region = rp.world.region_names[plan.region or ""]
        actions.return_report(report_id, coordinator, reason=RETURN_REASON.format(region=region))
        yield rp.office(plan, 0.1, 1.2)
        verifier = rp.verifier()
    first = target
    parent = rp.world.parent.get(target)
    if parent is not None and rp.world.levels[parent] is AgencyLevel.REGENCY and rp.chance(0.3):
        first = parent  # sent to the city government, whose desk picks the unit
    rp.dispatch(report_id, verifier, first, plan)
    if plan.fate == "stalled_dispatched":
        if rp.chance(0.5):
            yield rp.office(plan, 0.1, 1.5, first)
            coordinator = rp.world.coordinator_for(first)
            officer = rp.officer_at(first)
            if coordinator is not None and officer is not None:
                actions.assign(report_id, coordinator, officer_id=officer.user_id)
        yield from rp.nudge(plan, report_id)
        return
    if plan.fate == "info_request":
        outcome = Outcome.INFO_PROVIDED
    elif plan.fate == "aspiration":
        outcome = Outcome.NO_ACTION_NEEDED if rp.chance(0.6) else Outcome.RESOLVED
    elif plan.fate == "appealed" or rp.chance(0.08):
        outcome = Outcome.NOT_RESOLVED
    else:
        outcome = Outcome.RESOLVED
    responded = yield from _agency_handles(rp, plan, report_id, target, outcome)
    if responded:
        yield from _reporter_replies(rp, plan, report_id)


def _agency_handles(
    rp: _Replay, plan: _Plan, report_id: int, target: int, outcome: Outcome
) -> _Steps:
    """Walk a dispatched report through its agency to a response; return whether it got one."""
    agency = rp.report(report_id).agency_id or target
    yield rp.office(plan, 0.1, 1.5, agency)
    coordinator = rp.world.coordinator_for(agency)
    if coordinator is None:
        return False
    if plan.fate == "forwarded" and not plan.forwarded:
        destination = rp.forward_target(plan)
        if destination is not None:
            plan.forwarded = True
            agency = target = destination[0]
            actions.forward(report_id, coordinator, agency_id=agency, reason=destination[1])
            yield rp.office(plan, 0.1, 1.5, agency)
            coordinator = rp.world.coordinator_for(agency)
            if coordinator is None:
                return False
    if target != agency and rp.world.parent.get(target) == agency:
        officer = rp.officer_at(target)
        actions.assign(
            report_id, coordinator, unit_id=target,
            officer_id=officer.user_id if officer is not None else None,
        )
        agency = target
    elif rp.chance(0.65):
        # Only to an officer of the report's own agency: assigning one from higher up would
        # move the report up to them. Elsewhere the officers above pick it up unassigned.
        officer = rp.officer_at(agency)
        if officer is not None:
            actions.assign(report_id, coordinator, officer_id=officer.user_id)
    if rp.chance(0.2):
        actions.note(report_id, coordinator, text=rp.pick(NOTES_ID))
    # The first follow-up is due within 5 working days; slow agencies miss it.
    yield rp.office(plan, 0.3, 3.5, agency)
    officer = rp.handling_officer(report_id)
    if officer is None:
        return False
    actions.post_update(report_id, officer, text=rp.update_text(plan))
    if plan.fate == "stalled_in_progress":
        yield from rp.nudge(plan, report_id)
        return False
    if plan.fate == "officer_request_info" and not plan.asked:
        plan.asked = True
        yield rp.office(plan, 0.2, 2.0, agency)
        question = OFFICER_QUESTIONS_ID.get(plan.category, OFFICER_QUESTION_ID)
        actions.request_information(report_id, officer, question=question)
        if rp.chance(0.3):
            return False  # never answered: the sweep archives it
        yield rp.citizen(2, 96)
        if not rp.in_state(report_id, State.DEFERRED):
            return False
        actions.add_information(rp.access(report_id), text=rp.answer(plan))
    for _ in range(rp.rng.choice((0, 0, 1, 1, 2))):
        yield rp.office(plan, 1.0, 5.0, agency)
        actions.post_update(report_id, officer, text=rp.update_text(plan))
    if rp.chance(0.15):
        actions.note(report_id, officer, text=rp.pick(NOTES_ID))
    yield rp.resolution(plan, agency)
    actions.respond(report_id, officer, text=rp.response_text(plan, outcome), outcome=outcome)
    return True


def _reporter_replies(rp: _Replay, plan: _Plan, report_id: int) -> Iterator[datetime]:
    """Have the reporter accept, dispute, stay silent or appeal, as the plan says."""
    if plan.fate == "awaiting_reply":
        return
    if plan.fate == "disputed":
        yield rp.citizen(4, 96)
        if not rp.in_state(report_id, State.RESPONDED):
            return
        disputes = DISPUTES_EN if plan.language == "en" else DISPUTES_ID
        actions.dispute(rp.access(report_id), reason=rp.pick(disputes))
        agency = rp.report(report_id).agency_id
        yield rp.office(plan, 0.5, 4.0, agency)
        officer = rp.handling_officer(report_id)
        if officer is None:
            return
        actions.post_update(report_id, officer, text=rp.update_text(plan))
        yield rp.resolution(plan, agency)
        actions.respond(
            report_id, officer, text=rp.response_text(plan, Outcome.RESOLVED),
            outcome=Outcome.RESOLVED,
        )
        yield from _close(rp, plan, report_id, (3, 4, 4, 5), accept=0.7)
        return
    if plan.fate == "appealed":
        closed = yield from _close(rp, plan, report_id, (1, 2), accept=0.6, rate_later=0.0)
        if not closed:
            return
        yield rp.citizen(12, 7 * 24)
        if not rp.in_state(report_id, State.CLOSED):
            return
        actions.appeal(rp.access(report_id), reason=rp.pick(APPEALS_ID))
        higher = rp.report(report_id).agency_id
        if higher is None:
            return
        responded = yield from _agency_handles(rp, plan, report_id, higher, Outcome.RESOLVED)
        if responded:
            yield from _close(rp, plan, report_id, (3, 4, 5), accept=0.6)
        return
    accept = 0.0 if plan.fate == "resolved_silent" else 0.85
    yield from _close(rp, plan, report_id, SCORES, accept=accept)


def _close(
    rp: _Replay, plan: _Plan, report_id: int, scores: Sequence[int], *,
    accept: float, rate_later: float = 0.35,
) -> _Steps:
    """Accept the response (maybe rating it) or let the sweep close it; return whether closed."""
    if rp.chance(accept):
        yield rp.citizen(2, 96)
        if not rp.in_state(report_id, State.RESPONDED):
            return rp.in_state(report_id, State.CLOSED)
        score = rp.rng.choice(scores) if not rp.chance(0.15) else None
        actions.accept(rp.access(report_id), score=score, comment=rp.comment(plan, score))
        if score is None and rp.chance(rate_later):
            yield rp.citizen(24, 240)
            score = rp.rng.choice(scores)
            actions.rate(rp.access(report_id), score=score, comment=rp.comment(plan, score))
        return True
    due = rp.report(report_id).due_at
    if due is None:
        return False
    # Silence: the sweep closes it when the reply window ends; some rate it afterwards.
    wait = SWEEP_LAG + timedelta(hours=rp.rng.uniform(1, 72))
    yield rp.citizen_at(max(due, rp.now) + wait)
    if not rp.in_state(report_id, State.CLOSED):
        return False
    if rp.chance(rate_later):
        score = rp.rng.choice(scores)
        actions.rate(rp.access(report_id), score=score, comment=rp.comment(plan, score))
    return True


# --- no message leaves the machine ---------------------------------------------------------------


class _DemoTransport:
    """Accept every message and send none: demo reporters' numbers may belong to real people."""

    def __init__(self) -> None:
        self.count = 0

    def send(self, channel: str, recipient: str, body: str, status_callback_url: str | None) -> str:
        """Return a demo reference instead of sending."""
        self.count += 1
        return f"demo-{self.count}"


@contextmanager
def _undelivered(app: Flask) -> Iterator[_DemoTransport]:
    """Deliver the outbox inline through a transport that sends nothing, then restore the app.

    The outbox rows are delivered by the ordinary delivery code, so they end "sent" at the time
    of their event and nothing is left pending for a worker or the console afterwards. Jobs run
    inline (eager) and without Redis so that no worker, with its own real transport, gets them.
    """
    saved_settings = app.config["GRIEVANCE_SETTINGS"]
    saved_eager = app.config.get(jobs.EAGER_CONFIG_KEY)
    saved_transport = app.extensions.get(TRANSPORT_EXTENSION)
    transport = _DemoTransport()
    if saved_settings.redis_url:
        app.config["GRIEVANCE_SETTINGS"] = saved_settings.with_overrides(redis_url=None)
    app.config[jobs.EAGER_CONFIG_KEY] = True
    app.extensions[TRANSPORT_EXTENSION] = transport
    try:
        yield transport
    finally:
        app.config["GRIEVANCE_SETTINGS"] = saved_settings
        app.config[jobs.EAGER_CONFIG_KEY] = saved_eager
        if saved_transport is None:
            app.extensions.pop(TRANSPORT_EXTENSION, None)
        else:
            app.extensions[TRANSPORT_EXTENSION] = saved_transport


@contextmanager
def _fast_commits() -> Iterator[None]:
    """Let commits skip waiting for the disk while seeding; every connection gets it back after.

    Thousands of small commits each wait for an fsync otherwise. A crash mid-seed could lose the
    last commits but never corrupt the database (SQLite in WAL mode with synchronous=NORMAL;
    PostgreSQL with synchronous_commit off), and a half-loaded demo is started over anyway.
    """
    engine = db.engine
    statement = (
        "PRAGMA synchronous=NORMAL" if engine.dialect.name == "sqlite"
        else "SET synchronous_commit TO off"
    )

    def relax(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(statement)
        cursor.close()
        dbapi_connection.commit()  # a SET in a transaction rolled back would be undone

    db.session.remove()
    engine.dispose()  # pooled connections would keep the old setting
    event.listen(engine, "connect", relax)
    try:
        yield
    finally:
        db.session.remove()
        event.remove(engine, "connect", relax)
        engine.dispose()


# --- the command ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    """What a demo load wrote."""

    agencies: int
    categories: int
    staff: int
    reports_by_state: dict[str, int]
    events: int
    messages: int
    api_key: str
    refused: tuple[str, ...]
    seconds: float


def demo_loaded() -> bool:
    """Tell whether the demo data is in the database."""
    return db.session.scalar(select(Agency.id).where(Agency.code == MARKER_AGENCY)) is not None


def database_empty() -> bool:
    """Tell whether the database holds no agencies, categories, staff or reports."""
    return all(
        db.session.scalar(select(model).limit(1)) is None
        for model in (Agency, Category, StaffUser, Report)
    )


def load_demo(reports: int = DEFAULT_REPORTS, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Write the demo structure and replay `reports` reports up to now through the services."""
    started = timer.monotonic()
    rng = Random(seed)
    present = clock.utcnow()
    origin = present - timedelta(days=HISTORY_DAYS + 14)
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    with _fast_commits(), _undelivered(app) as transport:
        try:
            # The government and its staff were there before the first report.
            clock.set_source(lambda: origin)
            world = _build_world(present)
            api = admin.create_api_client("Aplikasi mitra Open311 (demo)")
            retired = admin.create_api_client("Aplikasi lama (tidak aktif)")
            admin.set_api_client_active(retired.client.id, False)
            replay = _Replay(world, rng, present)
            clock.set_source(lambda: replay.now)
            replay.run(_Planner(rng, present).plans(reports))
            # Whatever the sweep's digests left pending, delivered (to nobody) now.
            for _ in range(10_000):
                if not deliver_due():
                    break
        finally:
            clock.set_source(None)
    states: dict[State, int] = {
        state: count
        for state, count in db.session.execute(
            select(Report.state, func.count()).group_by(Report.state)
        )
    }
    return DemoSummary(
        agencies=len(world.agency_ids),
        categories=len(world.category_ids),
        staff=db.session.scalar(select(func.count()).select_from(StaffUser)) or 0,
        reports_by_state={state.value: states.get(state, 0) for state in State},
        events=db.session.scalar(select(func.count()).select_from(ReportEvent)) or 0,
        messages=transport.count,
        api_key=api.key,
        refused=tuple(replay.refused),
        seconds=timer.monotonic() - started,
    )


def _echo_logins(base_url: str) -> None:
    """Print where to open the app and the demo logins."""
    users = db.session.execute(
        select(StaffUser.email, StaffUser.role, Agency.name)
        .outerjoin(Agency, Agency.id == StaffUser.agency_id)
        .where(StaffUser.email.like(f"%@{EMAIL_DOMAIN}"))
        .order_by(StaffUser.id)
    ).all()
    click.echo(f"\nOpen {base_url} and sign in with a demo login; the password is {DEMO_PASSWORD}")
    width = max((len(email) for email, _role, _agency in users), default=5)
    click.echo(f"\n  {'email':<{width}}  {'role':<11}  agency")
    for email, role, agency in users:
        click.echo(f"  {email:<{width}}  {role.value:<11}  {agency or '(all agencies)'}")


@click.command("seed")
@click.option("--demo", is_flag=True, help="Load the demo data set (required).")
@click.option(
    "--reports", "report_count", type=click.IntRange(0, 5000), default=DEFAULT_REPORTS,
    show_default=True, help="How many reports to replay over the last 90 days.",
)
@click.option(
    "--seed", "seed_value", type=int, default=DEFAULT_SEED, show_default=True,
    help="Random seed: the same seed draws the same reports and paths.",
)
@with_appcontext
def seed_command(demo: bool, report_count: int, seed_value: int) -> None:
    """Load demo data: regions, agencies, categories, staff and reports with their histories."""
    if not demo:
        raise click.UsageError("Pass --demo to load the demo data set.")
    base_url = current_app.config["GRIEVANCE_SETTINGS"].public_base_url
    if demo_loaded():
        click.echo("The demo data is already loaded; nothing changed.")
        _echo_logins(base_url)
        return
    if not database_empty():
        raise click.ClickException(
            "The database already holds data; the demo data only goes into an empty database."
        )
    click.echo(f"Loading demo data: {report_count} reports over the last {HISTORY_DAYS} days...")
    try:
        summary = load_demo(report_count, seed_value)
    except Exception:
        click.echo(
            "Loading the demo data failed part way; start again from an empty database.", err=True
        )
        raise
    total = sum(summary.reports_by_state.values())
    click.echo(
        f"Loaded in {summary.seconds:.1f} s: {summary.agencies} agencies, "
        f"{summary.categories} categories, {summary.staff} staff, {total} reports, "
        f"{summary.events} events."
    )
    click.echo(
        "Reports by state: "
        + ", ".join(f"{state} {count}" for state, count in summary.reports_by_state.items())
    )
    click.echo(f"{summary.messages} notifications were recorded as sent; none left this machine.")
    click.echo(f"API key of the demo API client (shown once): {summary.api_key}")
    if summary.refused:
        click.echo(
            f"Warning: {len(summary.refused)} demo steps were refused, "
            f"e.g. {summary.refused[0]}", err=True,
        )
    _echo_logins(base_url)
