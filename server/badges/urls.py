"""The stable public addresses of everything a verifier fetches. They are built from
`settings.public_url`, so set PUBLIC_URL to the https address people use: these URLs are
written into every badge ever awarded and must keep answering."""

from __future__ import annotations

import uuid


class BadgeUrls:
    def __init__(self, public_url: str) -> None:
        self.base = public_url.rstrip("/")

    # Open Badges 2.0 (hosted verification; a person's browser gets a page at each)
    def issuer(self, organization_id: int) -> str:
        return f"{self.base}/ob/v2/issuers/{organization_id}"

    def revocations(self, organization_id: int) -> str:
        return f"{self.base}/ob/v2/issuers/{organization_id}/revocations"

    def key(self, kid: str) -> str:
        return f"{self.base}/ob/v2/keys/{kid}"

    def badge_class(self, badge_class_id: int) -> str:
        return f"{self.base}/ob/v2/badges/{badge_class_id}"

    def badge_image(self, badge_class_id: int) -> str:
        return f"{self.base}/ob/v2/badges/{badge_class_id}/image"

    def assertion(self, assertion_id: uuid.UUID) -> str:
        return f"{self.base}/ob/v2/assertions/{assertion_id}"

    def signed_assertion(self, assertion_id: uuid.UUID) -> str:
        return f"{self.base}/ob/v2/assertions/{assertion_id}/signed"

    def baked(self, assertion_id: uuid.UUID, kind: str = "png") -> str:
        return f"{self.base}/ob/v2/assertions/{assertion_id}/baked.{kind}"

    # Open Badges 3.0
    def profile(self, organization_id: int) -> str:
        return f"{self.base}/ob/v3/issuers/{organization_id}"

    def jwks(self, organization_id: int) -> str:
        return f"{self.base}/ob/v3/issuers/{organization_id}/jwks"

    def credential_status(self, organization_id: int) -> str:
        return f"{self.base}/ob/v3/issuers/{organization_id}/revocations"

    def jwk(self, kid: str) -> str:
        return f"{self.base}/ob/v3/keys/{kid}"

    def achievement(self, badge_class_id: int) -> str:
        return f"{self.base}/ob/v3/achievements/{badge_class_id}"

    def credential(self, assertion_id: uuid.UUID) -> str:
        return f"{self.base}/ob/v3/credentials/{assertion_id}"

    # Pages
    def backpack(self) -> str:
        return f"{self.base}/backpack"

    def claim(self, code: str) -> str:
        return f"{self.base}/claim/{code}"

    def evidence_file(self, submission_id: int) -> str:
        return f"{self.base}/badges/evidence/{submission_id}/file"


# For links inside our own pages: paths on whatever host served the page.
PAGE_URLS = BadgeUrls("")
