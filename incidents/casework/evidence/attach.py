"""Files sent with a new case: the staff report form and the form for recording a disclosure
take files too (issue 14). The files are checked and stored in the same transaction as the
case, so a refused file leaves no case behind, and a refused case leaves no file."""

from __future__ import annotations

from flask_login import current_user
from werkzeug.datastructures import FileStorage

from incidents.casework.evidence import commands as service
from incidents.casework.evidence import sniff
from incidents.casework.evidence.views import limits, limits_text
from incidents.errors import InvalidInput
from incidents.extensions import db_session
from incidents.models import Case, DisclosureSource, EvidenceSource

# Where a recorded disclosure's files came from, by who told the school.
_SOURCE = {
    DisclosureSource.PARENT: EvidenceSource.PARENT,
    DisclosureSource.MONITORING: EvidenceSource.MONITORING,
    DisclosureSource.EXTERNAL_AGENCY: EvidenceSource.AGENCY,
    DisclosureSource.STAFF: EvidenceSource.STAFF,
}
# The form's names for what the commands call "file" and "description".
_FIELDS = {"file": "evidence_files", "description": "evidence_description"}


def attach(case: Case, files: list[FileStorage], description: str, *, report: bool) -> None:
    """Store the files with the case just opened; InvalidInput names the form's fields."""
    if not files:
        return
    source = EvidenceSource.STAFF if report else _SOURCE.get(case.source, EvidenceSource.SCHOOL)
    uploads = [
        service.Upload(
            name=f.filename or "", stream=f.stream, description=description, source=source
        )
        for f in files
    ]
    try:
        if report:
            service.attach_to_report(
                db_session(), actor=current_user, case=case, uploads=uploads, limits=limits()
            )
        else:
            service.add_evidence(
                db_session(), actor=current_user, case=case, uploads=uploads, limits=limits()
            )
    except InvalidInput as exc:
        raise InvalidInput({_FIELDS.get(k, k): v for k, v in exc.errors.items()}) from None


def page_text() -> dict[str, str]:
    """What the forms say about files: the accepted types and the limits."""
    return {"evidence_accepted": sniff.ACCEPTED_SUMMARY, "evidence_limits": limits_text()}
