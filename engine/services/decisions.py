"""The facts a decider needs on one screen, from the data the process holds.

The DoPT claim verifier decides on the result the officer reported (grade, proctored exam),
the claim (amount against the run's cap, bank account, IFSC) and the documents sent with
this application only (the certificate, the payment proof), each named by its purpose.
Finance records the payment with the same claim beside the form. The data is the task's
(engine/services/process_data.py), so it is what the decision is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.i18n import N_, Message
from engine.models import Application, Upload

UPLOAD_SUFFIX = "_upload"
"""Form fields holding an upload id end so (forms/*.schema.json, format "upload")."""

DOCUMENT_PURPOSES: dict[str, str] = {
    "certificate_upload": N_("Course certificate"),
    "payment_proof_upload": N_("Proof of payment"),
    "attachment_upload": N_("Document sent with an answer to the authority"),
}
"""What each upload field of the shipped forms holds; another field is named after itself."""


@dataclass(frozen=True)
class Document:
    """A file sent with this application, with the field it was sent in and its purpose."""

    field: str
    purpose: Message
    upload: Upload


@dataclass(frozen=True)
class DecisionFacts:
    """The reported result, the claim and the documents; None where the process has none yet."""

    final_grade: float | None
    proctored_exam: str | None
    amount_paid_usd: float | None
    cap_usd: float
    bank_account_number: str | None
    ifsc: str | None
    documents: list[Document]

    @property
    def has_result(self) -> bool:
        return self.final_grade is not None or self.proctored_exam is not None

    @property
    def has_claim(self) -> bool:
        return self.amount_paid_usd is not None

    def as_json(self) -> dict[str, Any]:
        """For the API: `result`, `claim` (null until there is one) and `documents`."""
        return {
            "result": {"final_grade": self.final_grade, "proctored_exam": self.proctored_exam}
            if self.has_result
            else None,
            "claim": {
                "amount_paid_usd": self.amount_paid_usd,
                "reimbursement_cap_usd": self.cap_usd,
                "bank_account_number": self.bank_account_number,
                "ifsc": self.ifsc,
            }
            if self.has_claim
            else None,
            "documents": [
                {
                    "field": document.field,
                    "purpose": document.purpose.english(),
                    "upload_id": document.upload.id,
                    "name": document.upload.original_name,
                    "content_type": document.upload.content_type,
                    "size": document.upload.size,
                }
                for document in self.documents
            ],
        }


def decision_facts(session: Session, application: Application, data: dict[str, Any]) -> DecisionFacts:
    """The facts of `data` (a task's or the application's process data) about `application`."""
    return DecisionFacts(
        final_grade=_number(data.get("final_grade")),
        proctored_exam=_text(data.get("proctored_exam")),
        amount_paid_usd=_number(data.get("amount_paid_usd")),
        cap_usd=float(application.course_run.reimbursement_cap_usd),
        bank_account_number=_text(data.get("bank_account_number")),
        ifsc=_text(data.get("ifsc")),
        documents=documents_of(session, application, data),
    )


def documents_of(session: Session, application: Application, data: dict[str, Any]) -> list[Document]:
    """The uploads the process data names (and only those: not the officer's other files),
    in the order of the data's fields; an id that is not the officer's file is left out."""
    fields = {
        name: value for name, value in data.items() if name.endswith(UPLOAD_SUFFIX) and isinstance(value, str) and value
    }
    if not fields:
        return []
    uploads = {
        upload.id: upload
        for upload in session.scalars(
            select(Upload).where(Upload.id.in_(set(fields.values())), Upload.owner_id == application.officer_id)
        )
    }
    return [
        Document(name, _purpose(name), uploads[upload_id]) for name, upload_id in fields.items() if upload_id in uploads
    ]


def _purpose(field: str) -> Message:
    return Message(DOCUMENT_PURPOSES.get(field) or field.removesuffix(UPLOAD_SUFFIX).replace("_", " ").capitalize())


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
