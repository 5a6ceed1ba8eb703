"""One rule for every text a person types: no invisible control characters
(`sizing.invisible_characters` says which, and why).

`guard_text_fields` gives the validator to every text field of the models named, so the
model's `full_clean`, every ModelForm built on it (the application's and the admin's) and
the spreadsheet import, which validates its rows with `SiteForm`, all refuse the same
characters with the same message next to the field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from sizing.invisible_characters import code_point, first_invisible


@deconstructible
class VisibleTextValidator:
    """Refuse text holding an invisible control character; multi-line text may hold tabs
    and line breaks."""

    message = _(
        "Remove the invisible character %(code)s at position %(position)d: it can hide or "
        "reorder what the text shows."
    )
    code = "invisible_character"

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        found = first_invisible(str(value), multiline=self.multiline)
        if found:
            position, char = found
            raise ValidationError(
                self.message,
                code=self.code,
                params={"code": code_point(char), "position": position + 1},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VisibleTextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((type(self), self.multiline))


single_line_text = VisibleTextValidator()
multi_line_text = VisibleTextValidator(multiline=True)


def text_validator_for(field: models.Field[Any, Any]) -> VisibleTextValidator | None:
    """The validator a model field needs: multi-line for a TextField, single-line for any
    other CharField (e-mail, URL and slug fields included), none for other fields."""
    if isinstance(field, models.TextField):
        return multi_line_text
    if isinstance(field, models.CharField):
        return single_line_text
    return None


def guard_text_fields(*model_classes: type[models.Model]) -> None:
    """Give every text field of these models, those inherited from an abstract model
    (AbstractUser's) included, its validator. Called at the end of each models module, as
    the registry is still loading; tests/test_control_characters.py fails when a model of
    the project is left out."""
    for model in model_classes:
        for field in model._meta.local_fields:
            validator = text_validator_for(field)
            if validator is None or validator in field._validators:
                continue
            # A new list: an inherited field shares its list with the abstract parent's.
            field._validators = [*field._validators, validator]
            field.__dict__.pop("validators", None)  # the cached union with the defaults
