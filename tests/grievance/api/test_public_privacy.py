"""No public output ever carries a reporter's identity, an internal text or a confidential report.

Reports are filed with distinctive names, phones, emails and texts and moved through the
workflow (internal notes, identity reveals, SMS messages, forwards); then every public resource
is fetched in every format and searched for any of those strings.
"""

from __future__ import annotations

from grievance.extensions import db
from grievance.services import actions
from workflows.states import Channel

NAME = "Zebulon Quixote-Vantablack"
PHONE_DIGITS = "81398765432"
EMAIL = "zebulon.secret@example.net"
OTHER_NAME = "Philomena Sterncastle"
OTHER_PHONE_DIGITS = "81355550123"
OTHER_EMAIL = "philomena.hidden@example.net"
ANONYMOUS_ADDRESS = "Gang Rahasia Nomor Tujuh"
ANONYMOUS_POINT = ("-6.912345", "107.654321")

FORBIDDEN = [
    NAME,
    "Zebulon",
    "Vantablack",
    PHONE_DIGITS,
    EMAIL,
    "zebulon.secret",
    OTHER_NAME,
    "Philomena",
    OTHER_PHONE_DIGITS,
    OTHER_EMAIL,
    ANONYMOUS_ADDRESS,
    "912345",
    "654321",
    "CONFIDENTIAL-TEXT-MANGO",
    "UNSCREENED-TEXT-PEAR",
    "ABUSIVE-TEXT-GRAPE",
    "INTERNAL-NOTE-PLUM",
    "REVEAL-REASON-KIWI",
    "FORWARD-REASON-LIME",
    "SMS-MESSAGE-FIG",
    "SMS-REPLY-DATE",
    "ESCALATION-COMMENT-YUZU",
    # Staff are named by role only, never by person.
    "verifier@example.org",
    "officer@example.org",
    "coordinator@example.org",
]


def test_nothing_public_identifies_a_reporter_or_leaks_a_confidential_report(
    api_client, filer, workflow, world, moved_clock
):
    anonymous = filer(
        name=NAME,
        phone="0" + PHONE_DIGITS,
        email=EMAIL,
        anonymous=True,
        address=ANONYMOUS_ADDRESS,
        latitude=ANONYMOUS_POINT[0],
        longitude=ANONYMOUS_POINT[1],
        description="Jalan rusak di depan rumah, mohon diperbaiki segera.",
    )
    named = filer(
        name=OTHER_NAME,
        phone="0" + OTHER_PHONE_DIGITS,
        email=OTHER_EMAIL,
        channel=Channel.WEB,
        description="Saluran air tersumbat di pasar, banjir tiap hujan.",
    )
    confidential = filer(
        name=NAME,
        email=EMAIL,
        confidential=True,
        description="CONFIDENTIAL-TEXT-MANGO-42 pejabat meminta pungutan liar.",
    )
    unscreened = filer(phone=None, email=EMAIL, description="UNSCREENED-TEXT-PEAR-13 lampu mati.")
    abusive = filer(phone=None, email=EMAIL, description="ABUSIVE-TEXT-GRAPE kata-kata kasar.")

    verifier = actions.actor_for(world.verifier)
    officer = actions.actor_for(world.officer)
    coordinator = actions.actor_for(world.coordinator)
    workflow.archive(abusive, reason="abusive")
    for filed in (anonymous, named, confidential):
        workflow.dispatch(filed)
    actions.reveal_identity(anonymous.report.id, verifier, reason="REVEAL-REASON-KIWI")
    actions.note(anonymous.report.id, officer, text="INTERNAL-NOTE-PLUM-77 alamat pelapor")
    actions.record_message(
        anonymous.report.id, direction="in", channel="sms", text="SMS-MESSAGE-FIG"
    )
    actions.record_message(
        anonymous.report.id, direction="out", channel="sms", text="SMS-REPLY-DATE"
    )
    db.session.commit()
    actions.forward(
        named.report.id, coordinator, agency_id=world.province.id, reason="FORWARD-REASON-LIME"
    )
    moved_clock.advance(days=10)
    actions.escalate(
        anonymous.report.id, actions.actor_for(world.oversight), comment="ESCALATION-COMMENT-YUZU"
    )
    workflow.update(anonymous, "Tim sudah memeriksa lokasi.")
    workflow.close(anonymous)

    reports = [anonymous, named, confidential, unscreened, abusive]
    paths = [
        "/open311/v2/discovery.xml",
        "/open311/v2/services.xml",
        "/open311/v2/services.json",
        "/open311/v2/services/roads.xml",
        "/open311/v2/requests.xml",
        "/open311/v2/requests.json",
        "/open311/v2/requests.json?status=closed",
        "/open311/v2/requests.xml?status=open",
        "/open311/v2/requests.json?service_request_id="
        + ",".join(r.report.tracking_number for r in reports),
        "/api/v1/categories",
        "/api/v1/regions",
        "/api/v1/openapi.json",
        "/open-data/",
        "/open-data/dictionary.json",
        "/open-data/reports.csv",
        "/open-data/reports.json",
    ]
    for filed in reports:
        number = filed.report.tracking_number
        paths += [
            f"/open311/v2/requests/{number}.xml",
            f"/open311/v2/requests/{number}.json",
            f"/open311/v2/tokens/{number}.json",
            f"/api/v1/reports/{number}",
        ]
    served, found = {}, {}
    for path in paths:
        response = api_client.get(path, headers={"Accept-Language": "en"})
        served[path] = response.get_data(as_text=True)
        assert response.status_code in (200, 404), (path, response.status_code)
        if response.status_code == 200:
            found[path] = served[path]

    everything = "\n".join(served.values())
    leaks = [needle for needle in FORBIDDEN if needle.lower() in everything.lower()]
    assert not leaks, leaks
    # The confidential report is named in no answer but the "not found" echoing the question.
    assert confidential.report.tracking_number not in "\n".join(found.values())
    assert all(path in found for path in paths if confidential.report.tracking_number not in path)
    for filed in reports:
        assert filed.access_code not in everything
    # The public reports are there, so the searches above did look at real content.
    assert anonymous.report.description in served["/open-data/reports.csv"]
    assert named.report.tracking_number in served["/open311/v2/requests.json"]
    assert (
        "Tim sudah memeriksa lokasi."
        in served[f"/api/v1/reports/{anonymous.report.tracking_number}"]
    )
