"""Domain errors of the registry."""

from django.utils.translation import gettext_lazy as _

from config.api.exceptions import ConflictError


class DuplicatePerson(ConflictError):
    """The same resident ID number always resolves to the same person: a second one answers 409 with its id."""

    default_detail = _("该身份证号码对应的自然人已存在。")
    default_code = "duplicate_person"

    def __init__(self, person_id: int):
        super().__init__()
        self.person_id = person_id
        self.detail = {"detail": self.detail, "code": self.default_code, "id": person_id}

    def get_codes(self) -> str:
        # The detail carries a plain id next to the message; DRF's recursive get_codes cannot walk it.
        return self.default_code
