"""Helpers shared by form views."""
from flask_wtf import FlaskForm


def apply_field_errors(form, error):
    """Copy a service ValidationError's field messages onto a WTForms form."""
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors) + [message]
    return form




class CsrfForm(FlaskForm):
    """A form with nothing but its CSRF token (buttons that post)."""
