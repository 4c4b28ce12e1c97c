"""No public page ever shows a reporter's identity, nor anything of a confidential report."""

from __future__ import annotations

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Report
from workflows.states import State

IDENTITIES = [
    {
        "name": "Raden Ayu Kusumawardhani",
        "phone": "0812 7777 3131",
        "email": "kusuma.rahasia@example.org",
    },
    {
        "name": "Ujang Sukmaja Priatna",
        "phone": "+62 813 2468 1357",
        "email": "ujang.priatna@example.org",
    },
    {
        "name": "Dewi Lestari Anggraeni",
        "phone": "0857-1122-3344",
        "email": "dewi.anggraeni@example.org",
    },
]
# Every way the phone numbers could appear: as typed, in E.164, as local digits.
PHONE_FORMS = [
    "081277773131",
    "+6281277773131",
    "6281277773131",
    "0812 7777 3131",
    "081324681357",
    "+6281324681357",
    "+62 813 2468 1357",
    "085711223344",
    "+6285711223344",
    "0857-1122-3344",
]
CONFIDENTIAL_TEXT = "Kepala dinas ZEBRAKUNING meminta uang pelicin untuk izin usaha."
CONFIDENTIAL_TITLE = "Suap izin ZEBRAKUNING"


def test_no_public_page_leaks_identity_or_confidential_text(app, web, file_on_web, staff, world):
    anonymous, anonymous_code = file_on_web(
        title="Lampu taman padam",
        anonymous="y",
        description="Lampu di Taman Lansia padam tiga malam berturut-turut.",
        **IDENTITIES[0],
    )
    secret, secret_code = file_on_web(
        title=CONFIDENTIAL_TITLE,
        confidential="y",
        anonymous="y",
        description=CONFIDENTIAL_TEXT,
        address="Jalan ZEBRAKUNING 9",
        **IDENTITIES[1],
    )
    named, named_code = file_on_web(title="Trotoar rusak di Dago", **IDENTITIES[2])
    # Walk them along: screened, worked on, answered, accepted, disputed; notes on the way.
    for number in (anonymous, secret, named):
        staff.dispatch(number)
        staff.note(number, "Internal: pelapor bernama " + IDENTITIES[0]["name"])
        staff.update(number)
    staff.respond(anonymous)
    staff.respond(secret, text="Pejabat ZEBRAKUNING sudah diperiksa.")
    staff.respond(named)
    assert (
        web.post(f"/r/{anonymous}/{anonymous_code}/accept", data={"score": "2"}).status_code == 303
    )
    assert (
        web.post(
            f"/r/{secret}/{secret_code}/dispute", data={"reason": "ZEBRAKUNING masih minta uang."}
        ).status_code
        == 303
    )
    assert web.post(f"/r/{named}/{named_code}/accept", data={}).status_code == 303

    urls = ["/", "/report/new", "/track", "/reports"]
    urls += [
        f"/reports?q={word}"
        for word in ("ZEBRAKUNING", "Raden", "Ujang", "example.org", "0812", "lampu")
    ]
    urls += [f"/reports?state={state.value}" for state in State]
    urls += ["/reports?category=roads", "/reports?region=32", "/reports?region=32.73"]
    urls += [
        f"/reports?classification={kind}"
        for kind in ("complaint", "aspiration", "information_request")
    ]
    for number in (anonymous, secret, named):
        urls += [f"/reports/{number}", f"/track?number={number}", f"/reports/{number}/photo"]
    pages = {}
    for url in urls:
        for lang in ("en", "id"):
            response = web.get(
                url + ("&" if "?" in url else "?") + f"lang={lang}", follow_redirects=True
            )
            assert response.status_code in (200, 404), url
            pages[f"{url} [{lang}]"] = response.text

    forbidden = [identity[key] for identity in IDENTITIES for key in ("name", "email")]
    forbidden += [part for identity in IDENTITIES for part in identity["name"].split()]
    forbidden += [*PHONE_FORMS, "ZEBRAKUNING", "Suap izin", "pelicin"]
    for url, text in pages.items():
        searched = url.split("q=", 1)[1].split(" ", 1)[0] if "q=" in url else None
        if searched in ("ZEBRAKUNING", "Raden", "Ujang", "example.org", "0812"):
            if url.endswith("[en]"):
                assert "No report matches." in text, url  # secret words match nothing public
            text = text.replace(searched, "")  # the search box repeats the words typed
        for secret_text in forbidden:
            assert secret_text not in text, f"{secret_text!r} leaked on {url}"
    # The published reports are there, so the pages did show something.
    assert "Lampu taman padam" in pages[f"/reports/{anonymous} [en]"]
    assert "Trotoar rusak di Dago" in pages["/reports [en]"]
    assert f"No report has the tracking number {secret}." in pages[f"/reports/{secret} [en]"]
    # Their reporters still see everything on their private pages.
    mine = web.get(f"/r/{secret}/{secret_code}").text
    assert CONFIDENTIAL_TEXT in mine and "ZEBRAKUNING masih minta uang." in mine
    assert (
        db.session.scalar(select(Report.state).where(Report.tracking_number == secret))
        is State.IN_PROGRESS
    )
